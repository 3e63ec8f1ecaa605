// NumberMatchTests.swift — one-line matching: numbers to the precision written, text exactly.

import Testing
@testable import Shell

@Suite struct NumberMatchTests {
  func match(_ expected: String, _ actual: String) -> Bool {
    NumberMatch.matches(expected: expected, actual: actual)
  }

  @Test func decimalsMatchToThePrecisionWritten() {
    #expect(match("loss 2.3026", "loss 2.3026"))
    #expect(match("loss 2.3026", "loss 2.30261"))
    #expect(match("loss 2.3026", "loss 2.302649"))
    #expect(match("loss 2.3026", "loss 2.30255"))      // exactly half a unit below
    #expect(match("loss 2.3026", "loss 2.30265"))      // exactly half a unit above
    #expect(!match("loss 2.3026", "loss 2.30266"))
    #expect(!match("loss 2.3026", "loss 2.3036"))
    #expect(!match("loss 2.3026", "loss 2.3016"))
    #expect(match("lr 0.1", "lr 0.1000"))
    #expect(!match("lr 0.1", "lr 0.2"))
  }

  @Test func negativeNumbers() {
    #expect(match("grad -0.0123", "grad -0.01234"))
    #expect(!match("grad -0.0123", "grad 0.0123"))     // the sign is part of the number
    #expect(match("mean -0.0000", "mean 0.00001"))     // −0 and +0 agree
    #expect(match("delta -3", "delta -3"))
    #expect(!match("delta -3", "delta 3"))
    #expect(match("micro-batch 1 of 4", "micro-batch 1 of 4"))   // `-` after a letter is text
  }

  @Test func integersMatchExactly() {
    #expect(match("batch 64", "batch 64"))
    #expect(!match("batch 64", "batch 65"))
    #expect(!match("batch 64", "batch 64.0"))
    #expect(!match("batch 64.0", "batch 64.1"))
    #expect(match("ga 1/4", "ga 1/4"))
    #expect(!match("ga 1/4", "ga 2/4"))
  }

  /// A UUID in a temporary path holds `37779E812`, a number too large for a Double.
  @Test func numbersTooLargeForADoubleMatchTheirOwnSpelling() {
    let path = "/tmp/gashell-notebook-76693F28-F3A9-45E6-AD0D-37779E812AC6/n.ipynb"
    #expect(match("written to \(path)", "written to \(path)"))
    #expect(!match("written to \(path)", "written to \(path.replacingOccurrences(of: "E812", with: "E813"))"))
    #expect(match("x 1e999", "x 1e999"))
  }

  @Test func thousandsSeparatorsAreOneExactNumber() {
    #expect(match("669,706 parameters", "669,706 parameters"))
    #expect(!match("669,706 parameters", "669,707 parameters"))
    #expect(!match("669,706 parameters", "669706 parameters"))
    #expect(match("[60000, 784]", "[60000, 784]"))
    #expect(!match("[60000, 784]", "[60000, 785]"))
    #expect(match("1,234.5 ms", "1,234.46 ms"))
  }

  @Test func percentages() {
    #expect(match("accuracy 49.5%", "accuracy 49.46%"))
    #expect(match("accuracy 49.5%", "accuracy 49.54%"))
    #expect(!match("accuracy 49.5%", "accuracy 49.56%"))
    #expect(!match("accuracy 49.5%", "accuracy 49.5"))  // `%` is text and must be there
  }

  @Test func exponentsMatchToTheMantissaDigits() {
    #expect(match("lr 1.5e-05", "lr 1.5e-05"))
    #expect(match("lr 1.5e-05", "lr 1.54e-05"))
    #expect(match("lr 1.5e-05", "lr 1.46e-05"))
    #expect(!match("lr 1.5e-05", "lr 1.56e-05"))
    #expect(!match("lr 1.5e-05", "lr 1.5e-06"))
    #expect(match("lr 1.5e-05", "lr 0.0000152"))       // same value, other spelling
    #expect(match("eps 1e-8", "eps 1.4e-8"))
    #expect(!match("eps 1e-8", "eps 1.6e-8"))
    #expect(match("big 3.0E+6", "big 3.04E+6"))
  }

  @Test func toleranceSuffixAppliesToEveryNumberOnTheLine() {
    #expect(match("loss 2.30 acc 10 (tol 1e-3)", "loss 2.3004 acc 10"))
    #expect(!match("loss 2.30 acc 10 (tol 1e-3)", "loss 2.302 acc 10"))
    #expect(match("norm 12.5 (tol 0.5)", "norm 12.9"))
    #expect(!match("norm 12.5 (tol 0.5)", "norm 13.1"))
    #expect(match("count 100 (tol 2)", "count 101"))     // integers too, under a tolerance
    #expect(!match("count 100 (tol 2)", "count 103"))
    #expect(match("loss 2.3 (tol 0.1)   ", "loss 2.35"))  // trailing spaces after the suffix
    #expect(!match("loss 2.3 (tol 0.1)", "loss 2.3 (tol 0.1)x"))
  }

  /// A table's columns are padded to its numbers' widths: under a tolerance the padding may differ.
  @Test func toleranceLinesFoldTheirSpaces() {
    #expect(match("0.bias    9.313e-10   2.191e-07   0 (tol 1e-6)", "0.bias    0           0           0"))
    #expect(match("a 0  b (tol 1)", "a 0 b"))
    #expect(!match("a 0 b (tol 1)", "a 0b"))             // a space is still needed
    #expect(!match("a 0 b (tol 1)", "a 0 c"))            // and the text still compared
    #expect(!match("a 0  b", "a 0 b"))                   // without a tolerance, spaces are exact
  }

  @Test func malformedToleranceIsText() {
    #expect(match("see (tol abc)", "see (tol abc)"))
    #expect(!match("see (tol abc)", "see"))
  }

  @Test func textMustMatchExactly() {
    #expect(match("optimizer sgd", "optimizer sgd"))
    #expect(!match("optimizer sgd", "optimizer adam"))
    #expect(!match("loss 2.3026", "Loss 2.3026"))
    #expect(!match("loss 2.3026", "loss  2.3026"))      // inner spacing counts
    #expect(!match("loss 2.3026", "loss 2.3026 nan"))
    #expect(!match("loss 2.3026", "loss nan"))
    #expect(!match("step 3", "step three"))
    #expect(match("", ""))
    #expect(!match("", "something"))
  }

  @Test func trailingWhitespaceIsIgnored() {
    #expect(match("loss 2.3026", "loss 2.3026   "))
    #expect(match("loss 2.3026  ", "loss 2.3026"))
    #expect(match("done", "done\r"))
    #expect(!match("  indented", "indented"))           // leading whitespace counts
  }

  @Test func sameShapeIgnoresNumbersOnly() {
    #expect(NumberMatch.sameShape(expected: "epoch 3 loss 0.50", actual: "epoch 4 loss 0.71"))
    #expect(!NumberMatch.sameShape(expected: "epoch 3 loss 0.50", actual: "epoch 3 acc 0.50"))
    #expect(!NumberMatch.sameShape(expected: "loss 0.50", actual: "loss nan"))
  }

  @Test func globStarMatchesAnyRunWithinTheLine() {
    let timing = "steps 47, train * s (* samples/s), test * s (glob)"
    #expect(match(timing, "steps 47, train 0.38 s (7,885 samples/s), test 0.02 s"))
    #expect(match(timing, "steps 47, train 12.50 s (240 samples/s), test 1.20 s"))
    #expect(!match(timing, "steps 48, train 0.38 s (7,885 samples/s), test 0.02 s"))
    #expect(!match(timing, "steps 47, train 0.38 s (7,885 samples/s), test 0.02 ms"))
    #expect(match("in * s (glob)", "in  s"))                // `*` matches nothing too
    #expect(match("a*b (glob)", "a-x-b-y-b"))               // backtracks to the last `b`
    #expect(!match("a*b (glob)", "a-x-b-y"))
    #expect(match("* (glob)", "anything at all"))
    #expect(match("*x* (glob)", "x"))
  }

  @Test func globQuestionMarkMatchesOneCharacter() {
    #expect(match("time ?.?s (glob)", "time 0.4s"))
    #expect(!match("time ?.?s (glob)", "time 10.4s"))
    #expect(match("? (glob)", "×"))                         // a character as seen, not a byte
    #expect(!match("? (glob)", ""))
  }

  @Test func globComparesNumbersAsTextExactly() {
    #expect(match("loss 2.3026 in * s (glob)", "loss 2.3026 in 1 s"))
    #expect(!match("loss 2.3026 in * s (glob)", "loss 2.30261 in 1 s"))   // no precision rule
    #expect(!match("batch 64 * (glob)", "batch 64.0 x"))
    #expect(!match("count 100 (tol 2) * (glob)", "count 101 (tol 2) x"))   // `(tol 2)` is text here
    #expect(match("count 100 (tol 2) * (glob)", "count 100 (tol 2) x"))
    #expect(!match("count 100 * (glob)", "count 101 x"))
  }

  @Test func globEscapesAndSuffix() {
    #expect(match(#"2 \* 3 = * (glob)"#, "2 * 3 = 6"))
    #expect(!match(#"2 \* 3 = * (glob)"#, "2 x 3 = 6"))
    #expect(match(#"what\? * (glob)"#, "what? yes"))
    #expect(!match(#"what\? * (glob)"#, "whats yes"))
    #expect(match(#"C:\dir * (glob)"#, #"C:\dir x"#))      // a lone backslash is itself
    #expect(match("took * s (glob)   ", "took 1 s   "))      // trailing spaces on either side
    #expect(!match("took * s(glob)", "took 1 s"))            // the suffix needs its space
    #expect(match("took * s(glob)", "took * s(glob)"))       // ... else the line is plain text
    #expect(!match("took * s (glob)", "took 1 s (glob)"))    // the suffix is not printed
  }

  @Test func globSameShapeIgnoresNumbersInTheLiteralText() {
    let timing = "steps 47, train * s (* samples/s), test * s (glob)"
    #expect(NumberMatch.sameShape(expected: timing, actual: "steps 48, train 0.38 s (7,885 samples/s), test 0.02 s"))
    #expect(!NumberMatch.sameShape(expected: timing, actual: "epochs 47, train 0.38 s"))
  }

  @Test func tokenizerSpellings() {
    let tokens = NumberMatch.tokens(of: Array("fc1 w[64, 784] -0.5e-3 1,234,567 x-2 3.".utf8))
    let numbers: [String] = tokens.compactMap {
      if case .number(let n) = $0 { String(decoding: n.spelling, as: UTF8.self) } else { nil }
    }
    #expect(numbers == ["1", "64", "784", "-0.5e-3", "1,234,567", "2", "3"])
  }

  @Test func splitToleranceReturnsTextAndValue() {
    let (text, tolerance) = NumberMatch.splitTolerance("loss 2.3 (tol 1e-3)")
    #expect(text == "loss 2.3")
    #expect(tolerance == 1e-3)
    #expect(NumberMatch.splitTolerance("loss 2.3").tolerance == nil)
  }
}
