// Report.swift — how gabench prints: aligned table rows, numbers with thousands
// separators, and the target checks as PASS / MISS lines with the measured figure.

import Foundation

/// One target of the issue, checked against a measured figure.
struct Check {
  let name: String
  /// The figure as printed, e.g. "1.62× (27,010 vs 16,700 samples/s)"; nil if not measured.
  let measured: String?
  let target: String
  let passed: Bool
  /// Why there is no figure, when `measured` is nil.
  var missing = ""

  var line: String {
    guard let measured else { return "SKIP  \(name): \(missing) (target \(target))" }
    return "\(passed ? "PASS" : "MISS")  \(name): \(measured) (target \(target))"
  }
}

/// 28123.4 → "28,123"
func grouped(_ x: Double) -> String {
  guard x.isFinite else { return "–" }
  let digits = String(Int(x.rounded()))
  var out = ""
  for (i, c) in digits.reversed().enumerated() {
    if i > 0 && i % 3 == 0 && c != "-" { out.append(",") }
    out.append(c)
  }
  return String(out.reversed())
}

/// `x` with `places` decimals.
func fixed(_ x: Double, _ places: Int) -> String {
  guard x.isFinite else { return "–" }
  return String(format: "%.\(places)f", x)
}

/// Left-aligned first column, right-aligned others, each `width` wide.
func row(_ first: String, _ rest: [String], firstWidth: Int = 22, width: Int = 11) -> String {
  func pad(_ s: String, _ w: Int, left: Bool) -> String {
    let n = max(0, w - s.count)
    return left ? s + String(repeating: " ", count: n) : String(repeating: " ", count: n) + s
  }
  return pad(first, firstWidth, left: true) + rest.map { pad($0, width, left: false) }.joined()
}

/// Writes a line to stdout unbuffered: the table appears while the benchmark runs,
/// also through a pipe.
func say(_ line: String = "") {
  FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
