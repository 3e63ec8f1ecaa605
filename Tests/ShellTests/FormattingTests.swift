// FormattingTests.swift — how sizes look to a learner: decimal units, three digits.
import Testing
@testable import Shell

@Suite struct FormattingTests {
  @Test func bytesInDecimalUnitsToThreeDigits() {
    let cases: [(Int, String)] = [
      (0, "0 B"), (999, "999 B"), (1000, "1.00 KB"), (1234, "1.23 KB"), (12_345, "12.3 KB"),
      (730_368, "730 KB"), (999_499, "999 KB"), (999_500, "1.00 MB"), (2_678_824, "2.68 MB"),
      (6_000_000, "6.00 MB"), (99_950_000, "100 MB"), (188_160_000, "188 MB"),
      (5_357_648_000, "5.36 GB"), (2_000_000_000_000, "2.00 TB"), (-1500, "-1.50 KB"),
    ]
    for (n, text) in cases { #expect(formatBytes(n) == text, "\(n)") }
  }
}
