// NumberMatch.swift — compares one expected transcript line with one printed line,
// numbers to the precision written, or as a glob pattern for values that vary (times).

import Foundation

/// Line comparison for transcripts: text exactly, numbers to the digits the author wrote.
///
/// Both lines are cut into text and number tokens. Text must be equal, except that
/// trailing whitespace is ignored. Numbers compare by kind:
///
/// | expected          | matches                                  | tolerance                    |
/// |-------------------|------------------------------------------|------------------------------|
/// | `64`, `-3`        | the same digits only (`64`, not `64.0`)  | exact                        |
/// | `669,706`         | the same digits only                     | exact                        |
/// | `2.3026`          | `2.30261`, `2.302649`, not `2.3036`      | ½ unit in the last place: 5e-5 |
/// | `49.5` in `49.5%` | `49.46`                                  | 0.05                         |
/// | `1.5e-05`         | `1.54e-05`, `0.0000152`                  | ½ unit of the mantissa: 5e-7 |
///
/// A line ending in `(tol T)` compares every number on it, integers included, within the
/// absolute tolerance T instead; the suffix itself is not compared. On such a line a run of
/// spaces matches any run of spaces: a table pads its columns to the width of the numbers it
/// prints (`9.313e-10   ` or `0           `), and the author has said those may differ.
///
/// A line ending in ` (glob)` (as in cram) is a pattern: `*` matches any run of characters
/// within the line (none too), `?` exactly one, `\*` and `\?` themselves; everything else, digits
/// included, must be printed exactly. For values that differ from run to run:
///
///     steps 47, train * s (* samples/s), test * s (glob)
///
/// The suffix itself is not compared; a glob line takes no `(tol T)`.
///
/// Tokens: a number is an optional `-` (not after a letter, digit or `.`), digits — either
/// plain or grouped in threes by commas — an optional fraction and an optional exponent.
/// `%` and units stay text. Both lines are tokenized the same way, so odd cases such as
/// `1-4` or `v1.2.3` still compare consistently.
public enum NumberMatch {
  /// True when the printed line `actual` matches the transcript line `expected`.
  public static func matches(expected: String, actual: String) -> Bool {
    if let pattern = globPattern(expected) {
      return globMatches(pattern, Array(trimmingTrailingWhitespace(Substring(actual))))
    }
    return compare(expected, actual) { e, a, tolerance in numberMatches(expected: e, actual: a, tolerance: tolerance) }
  }

  /// True when the lines differ at most in their numbers: the diff then shows them as a
  /// pair, `-` above `+`, rather than as one line missing and another unexpected.
  static func sameShape(expected: String, actual: String) -> Bool {
    if let pattern = globPattern(expected) {
      // Every number, in the pattern's literal runs and in the line, reads as 0.
      var shaped: [GlobElement] = []
      var run = ""
      func flush() { shaped += numbersAsZero(run).map(GlobElement.character); run = "" }
      for element in pattern {
        if case .character(let c) = element { run.append(c) } else { flush(); shaped.append(element) }
      }
      flush()
      return globMatches(shaped, Array(numbersAsZero(String(trimmingTrailingWhitespace(Substring(actual))))))
    }
    return compare(expected, actual) { _, _, _ in true }
  }

  /// Tokenizes both lines; text tokens must be equal, number pairs must satisfy `numbers`.
  private static func compare(_ expected: String, _ actual: String,
                              numbers: (Number, Number, Double?) -> Bool) -> Bool {
    let (text, tolerance) = splitTolerance(expected)
    let want = tokens(of: Array(trimmingTrailingWhitespace(text).utf8))
    let got = tokens(of: Array(trimmingTrailingWhitespace(Substring(actual)).utf8))
    guard want.count == got.count else { return false }
    for (e, a) in zip(want, got) {
      switch (e, a) {
      case let (.text(x), .text(y)):
        if tolerance == nil ? x != y : spacesFolded(x) != spacesFolded(y) { return false }
      case let (.number(x), .number(y)):
        if !numbers(x, y, tolerance) { return false }
      default:
        return false
      }
    }
    return true
  }

  /// Every run of spaces as one space.
  private static func spacesFolded(_ text: [UInt8]) -> [UInt8] {
    var folded: [UInt8] = []
    for c in text where !(c == UInt8(ascii: " ") && folded.last == c) { folded.append(c) }
    return folded
  }

  /// Splits a trailing `(tol T)` off an expected line: the text to compare and T.
  /// A malformed suffix (`(tol abc)`) is left in the text, to be compared literally.
  public static func splitTolerance(_ line: String) -> (text: Substring, tolerance: Double?) {
    let trimmed = trimmingTrailingWhitespace(Substring(line))
    guard trimmed.hasSuffix(")"), let open = trimmed.range(of: "(tol ", options: .backwards)
    else { return (trimmed, nil) }
    let inner = trimmed[open.upperBound..<trimmed.index(before: trimmed.endIndex)]
    guard let tolerance = Double(inner.trimmingCharacters(in: .whitespaces)), tolerance >= 0
    else { return (trimmed, nil) }
    return (trimmingTrailingWhitespace(trimmed[..<open.lowerBound]), tolerance)
  }

  // MARK: - Glob lines

  enum GlobElement: Equatable {
    case character(Character)
    case anyRun        // `*`
    case anyOne        // `?`
  }

  /// The pattern of a line ending in ` (glob)`, or nil for any other line.
  static func globPattern(_ line: String) -> [GlobElement]? {
    let trimmed = trimmingTrailingWhitespace(Substring(line))
    guard trimmed.hasSuffix(" (glob)") else { return nil }
    let text = trimmingTrailingWhitespace(trimmed.dropLast(" (glob)".count))
    var pattern: [GlobElement] = []
    var escaped = false
    for c in text {
      if escaped {
        if c != "*" && c != "?" { pattern.append(.character("\\")) }
        pattern.append(.character(c))
        escaped = false
      } else if c == "\\" {
        escaped = true
      } else {
        pattern.append(c == "*" ? .anyRun : c == "?" ? .anyOne : .character(c))
      }
    }
    if escaped { pattern.append(.character("\\")) }
    return pattern
  }

  /// "steps 47, 0.38 s" → "steps 0, 0 s"
  private static func numbersAsZero(_ text: String) -> String {
    tokens(of: Array(text.utf8)).map { token in
      if case .text(let bytes) = token { String(decoding: bytes, as: UTF8.self) } else { "0" }
    }.joined()
  }

  /// Matches `text` against `pattern`, characters as the user sees them (`×` is one).
  /// Backtracks to the last `*` only, so the time is O(pattern × text) at worst.
  static func globMatches(_ pattern: [GlobElement], _ text: [Character]) -> Bool {
    var p = 0, t = 0
    var star: (p: Int, t: Int)?
    while t < text.count {
      if p < pattern.count {
        switch pattern[p] {
        case .anyRun:
          star = (p, t); p += 1; continue
        case .anyOne:
          p += 1; t += 1; continue
        case .character(let c) where c == text[t]:
          p += 1; t += 1; continue
        case .character:
          break
        }
      }
      guard let s = star else { return false }
      star = (s.p, s.t + 1)        // let the last `*` swallow one more character
      p = s.p + 1; t = s.t + 1
    }
    while p < pattern.count, pattern[p] == .anyRun { p += 1 }
    return p == pattern.count
  }

  // MARK: - Tokens

  enum Token: Equatable {
    case text([UInt8])
    case number(Number)
  }

  struct Number: Equatable {
    var spelling: [UInt8]     // as printed, e.g. "1,234" or "-2.30"
    var value: Double
    var isInteger: Bool       // no fraction, no exponent: compared digit for digit
    var halfUnit: Double      // ½ unit in the last written place (0 for integers)
  }

  static func numberMatches(expected e: Number, actual a: Number, tolerance: Double?) -> Bool {
    // The same spelling always matches, even where the value is no use: `37779E812` in a
    // temporary file's UUID reads as 3.8e816, which is infinite, and inf − inf is NaN.
    if e.spelling == a.spelling { return true }
    if tolerance == nil && e.isInteger { return false }
    let allowed = tolerance ?? e.halfUnit
    // Slack for binary rounding when |a − e| is exactly half a unit, as in 2.30265 vs 2.3026.
    let slack = allowed * 1e-9 + 4 * Double.ulpOfOne * max(abs(a.value), abs(e.value))
    return abs(a.value - e.value) <= allowed + slack
  }

  static func tokens(of bytes: [UInt8]) -> [Token] {
    var result: [Token] = []
    var text: [UInt8] = []
    var i = 0
    while i < bytes.count {
      if let number = number(in: bytes, at: i) {
        if !text.isEmpty { result.append(.text(text)); text = [] }
        result.append(.number(number.0))
        i = number.end
      } else {
        text.append(bytes[i])
        i += 1
      }
    }
    if !text.isEmpty { result.append(.text(text)) }
    return result
  }

  /// The number starting at `start`, if one does, and the index just past it.
  static func number(in b: [UInt8], at start: Int) -> (Number, end: Int)? {
    var i = start
    if b[i] == UInt8(ascii: "-") {
      let afterWord = start > 0 && (isAlphanumeric(b[start - 1]) || b[start - 1] == UInt8(ascii: "."))
      guard !afterWord, i + 1 < b.count, isDigit(b[i + 1]) else { return nil }
      i += 1
    } else if !isDigit(b[i]) {
      return nil
    }
    let intStart = i
    while i < b.count && isDigit(b[i]) { i += 1 }
    // Thousands separators: 1–3 digits, then one or more ",ddd" not followed by a digit.
    if i - intStart <= 3 {
      while i + 3 < b.count, b[i] == UInt8(ascii: ","),
            isDigit(b[i + 1]), isDigit(b[i + 2]), isDigit(b[i + 3]),
            !(i + 4 < b.count && isDigit(b[i + 4])) {
        i += 4
      }
    }
    var decimals = 0
    if i + 1 < b.count, b[i] == UInt8(ascii: "."), isDigit(b[i + 1]) {
      i += 1
      while i < b.count && isDigit(b[i]) { i += 1; decimals += 1 }
    }
    var exponent = 0
    var hasExponent = false
    if i < b.count, b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") {
      var j = i + 1
      if j < b.count, b[j] == UInt8(ascii: "+") || b[j] == UInt8(ascii: "-") { j += 1 }
      let digitsStart = j
      while j < b.count && isDigit(b[j]) { j += 1 }
      if j > digitsStart, let value = Int(String(decoding: b[digitsStart..<j], as: UTF8.self)) {
        exponent = b[i + 1] == UInt8(ascii: "-") ? -value : value
        hasExponent = true
        i = j
      }
    }
    let spelling = Array(b[start..<i])
    let plain = String(decoding: spelling.filter { $0 != UInt8(ascii: ",") }, as: UTF8.self)
    guard let value = Double(plain) else { return nil }
    let isInteger = decimals == 0 && !hasExponent
    let halfUnit = isInteger ? 0 : 0.5 * pow10(exponent - decimals)
    return (Number(spelling: spelling, value: value, isInteger: isInteger, halfUnit: halfUnit), i)
  }

  static func pow10(_ n: Int) -> Double {
    var result = 1.0
    for _ in 0..<abs(n) { result *= 10 }
    return n < 0 ? 1 / result : result
  }

  static func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }

  static func isAlphanumeric(_ c: UInt8) -> Bool {
    isDigit(c) || (c | 0x20 >= UInt8(ascii: "a") && c | 0x20 <= UInt8(ascii: "z")) || c == UInt8(ascii: "_")
  }

  static func trimmingTrailingWhitespace(_ s: Substring) -> Substring {
    var end = s.endIndex
    while end > s.startIndex, s[s.index(before: end)].isWhitespace { end = s.index(before: end) }
    return s[..<end]
  }
}
