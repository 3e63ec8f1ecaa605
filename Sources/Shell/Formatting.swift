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
