// Formatting.swift — how numbers look to a learner: grouped counts (669,706),
// fixed decimals for losses (2.302585, the tutorial's 6), and four significant
// digits for gradients, whose size spans many decades.

import Foundation

/// 669706 → "669,706"
func grouped(_ n: Int) -> String {
  let digits = String(abs(n))
  var out = ""
  for (i, c) in digits.enumerated() {
    if i > 0 && (digits.count - i) % 3 == 0 { out += "," }
    out.append(c)
  }
  return (n < 0 ? "-" : "") + out
}

func fixed(_ x: Double, _ decimals: Int) -> String { nonFinite(x) ?? String(format: "%.\(decimals)f", x) }

/// "nan", "inf" or "-inf"; nil for a finite x. (printf writes a NaN with its sign bit as "-nan".)
func nonFinite(_ x: Double) -> String? { x.isNaN ? "nan" : x.isInfinite ? (x > 0 ? "inf" : "-inf") : nil }
func fixed(_ x: Float, _ decimals: Int) -> String { fixed(Double(x), decimals) }

/// Four significant digits: 0.01234, 123.4, 8.120e-05.
func significant(_ x: Double) -> String {
  if x == 0 { return "0" }
  if let text = nonFinite(x) { return text }
  let a = abs(x)
  if a >= 1e-3 && a < 1e5 {
    let decimals = max(0, 3 - Int(floor(log10(a))))
    return String(format: "%.\(decimals)f", x)
  }
  return String(format: "%.3e", x)
}
func significant(_ x: Float) -> String { significant(Double(x)) }

/// 1 → "1 step", 3 → "3 steps", 1000 → "1,000 steps"
func counted(_ n: Int, _ noun: String) -> String { "\(grouped(n)) \(noun)\(n == 1 ? "" : "s")" }

/// [512, 784]
func shapeText(_ shape: [Int]) -> String { "[" + shape.map(String.init).joined(separator: ", ") + "]" }

/// Pads `s` on the right (left: false) or left (left: true) to `width` characters.
func pad(_ s: String, _ width: Int, left: Bool = false) -> String {
  let n = max(0, width - s.count)
  return left ? String(repeating: " ", count: n) + s : s + String(repeating: " ", count: n)
}

/// "1.94 s", "0.35 s"
func seconds(_ s: Double) -> String { fixed(s, 2) + " s" }

/// The current time in seconds on a monotonic clock.
func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

/// A hyper-parameter as a person writes it: 0.001 → "0.001", 1e-05 → "1e-05".
func formatHyper(_ x: Float) -> String {
  let d = Double(x)
  // Float → Double exposes binary noise (0.001 → 0.0010000000474974513): print the Float.
  let s = "\(x)"
  return d != 0 && abs(d) < 1e-4 ? s : s.hasSuffix(".0") ? String(s.dropLast(2)) : s
}

/// A scheduled learning rate, to 4 significant digits: 0.000280000004 → "0.00028", 1e-3 → "0.001".
func formatRate(_ x: Float) -> String {
  formatHyper(Float(String(format: "%.4g", Double(x)))!)
}

/// Bytes in decimal units, as `set memory 6MB` reads them (1 KB = 1,000 B, 1 MB = 1,000,000 B), to
/// three significant digits: 512 → "512 B", 730,368 → "730 KB", 2,678,824 → "2.68 MB", 6e6 → "6.00 MB".
func formatBytes(_ n: Int) -> String {
  guard n >= 0 else { return "-" + formatBytes(-n) }
  guard n >= 1000 else { return "\(n) B" }
  var unit = 1000
  for name in ["KB", "MB", "GB", "TB"] {
    // The fewest decimals that keep three digits; rounding 999.6 up to 1000 moves on to the next unit.
    for decimals in [2, 1, 0] {
      let scale = [1, 10, 100][decimals]
      let scaled = (n * scale + unit / 2) / unit    // n / unit, rounded, times 10^decimals
      guard scaled < 1000 else { continue }
      guard decimals > 0 else { return "\(scaled) \(name)" }
      let whole = "\(scaled / scale)", fraction = "\(scaled % scale)"
      return whole + "." + String(repeating: "0", count: decimals - fraction.count) + fraction + " " + name
    }
    if name == "TB" { return "\((n + unit / 2) / unit) TB" }
    unit *= 1000
  }
  fatalError("unreachable")
}
