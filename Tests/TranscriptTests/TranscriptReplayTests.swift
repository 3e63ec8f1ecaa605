// TranscriptReplayTests.swift — `...` matching, replay against a fake session, diffs, re-recording.

import Testing
@testable import Shell

/// A stand-in for the gashell session: just enough state to print lines and prompts.
final class FakeSession {
  var accumulate = 1
  var micro = 0
  var prompt: String { micro == 0 ? "ga> " : "ga \(micro)/\(accumulate)> " }

  func run(_ command: String) -> (output: String, nextPrompt: String) {
    let words = command.split(separator: " ")
    var output = ""
    switch words.first {
    case "set" where words.count == 3 && words[1] == "accumulate":
      accumulate = Int(words[2]) ?? 1
      output = "accumulate = \(accumulate)\n"
    case "backward":
      micro += 1
      output = "loss 2.302649   micro-batch \(micro) of \(accumulate) (16 samples) accumulated\n"
    case "step":
      micro = 0
      output = "step 1: lr 0.1, grad norm 0.04321\n"
    case "show" where words.count == 2 && words[1] == "grad":
      output = "fc1.weight  norm 0.01234  \nfc1.bias    norm 0.00321\nfc2.weight  norm 0.04567\n\n"
    case nil:
      output = ""
    default:
      output = "unknown command '\(command)'\n"
    }
    return (output, prompt)
  }
}

@Suite struct EllipsisTests {
  func m(_ expected: [String], _ actual: [String]) -> Bool {
    TranscriptReplay.matches(expected: expected, actual: actual)
  }

  @Test func plainBlocks() {
    #expect(m([], []))
    #expect(!m([], ["x"]))
    #expect(!m(["x"], []))
    #expect(m(["a", "b"], ["a", "b"]))
    #expect(!m(["a", "b"], ["b", "a"]))
    #expect(m(["loss 2.30"], ["loss 2.3012"]))
  }

  @Test func ellipsisAtTheStart() {
    #expect(m(["...", "c"], ["a", "b", "c"]))
    #expect(m(["...", "c"], ["c"]))
    #expect(!m(["...", "c"], ["a", "b"]))
    #expect(!m(["...", "c"], ["c", "d"]))
  }

  @Test func ellipsisInTheMiddle() {
    #expect(m(["a", "...", "d"], ["a", "b", "c", "d"]))
    #expect(m(["a", "...", "d"], ["a", "d"]))          // zero lines
    #expect(!m(["a", "...", "d"], ["a", "b"]))
    #expect(!m(["a", "...", "d"], ["x", "b", "d"]))
  }

  @Test func ellipsisAtTheEnd() {
    #expect(m(["a", "..."], ["a"]))
    #expect(m(["a", "..."], ["a", "x", "y"]))
    #expect(!m(["a", "..."], ["b", "x"]))
    #expect(m(["..."], []))
    #expect(m(["..."], ["anything", "at all"]))
  }

  @Test func severalEllipses() {
    #expect(m(["...", "b", "...", "d", "..."], ["a", "b", "c", "d", "e"]))
    #expect(m(["...", "b", "...", "d", "..."], ["b", "d"]))
    #expect(!m(["...", "b", "...", "d", "..."], ["a", "d", "b"]))
    #expect(m(["...", "...", "x"], ["x"]))
  }

  @Test func ellipsisBacktracks() {
    // A lazy `...` first stops at the first "x", then must give it back to reach "x", "y".
    #expect(m(["...", "x", "y"], ["x", "z", "x", "y"]))
    #expect(m(["...", "epoch 3", "loss 0.50"], ["epoch 3", "loss 0.9", "epoch 3", "loss 0.5012"]))
    #expect(!m(["...", "x", "y"], ["x", "z", "y"]))
  }

  @Test func ellipsisWithTrailingSpaces() {
    #expect(m(["...  "], ["a"]))
    #expect(!m(["....", "c"], ["a", "c"]))              // four dots are text
  }
}

@Suite struct TranscriptReplayTests {
  static let lesson = """
    # Gradients add up until the optimizer step.
    ga> set accumulate 4
    accumulate = 4
    ga> backward
    loss 2.3026   micro-batch 1 of 4 (16 samples) accumulated
    ga 1/4> show grad
    fc1.weight  norm 0.0123
    ...

    # One step, and the window starts again.
    ga 1/4> step
    step 1: lr 0.1, grad norm 0.043 (tol 1e-3)

    """

  @Test func passingTranscript() {
    let session = FakeSession()
    let result = TranscriptReplay.replay(Transcript.parse(Self.lesson), execute: session.run)
    #expect(result.passed)
    #expect(result.failures.isEmpty)
    #expect(result.diff == "")
  }

  @Test func passingTranscriptRecordsItselfUnchanged() {
    let result = TranscriptReplay.replay(Transcript.parse(Self.lesson), execute: FakeSession().run)
    #expect(result.recorded == Self.lesson)
  }

  @Test func failingNumberGivesADiff() {
    let text = """
      ga> set accumulate 2
      accumulate = 2
      ga> backward
      loss 2.3036   micro-batch 1 of 2 (16 samples) accumulated

      """
    let result = TranscriptReplay.replay(Transcript.parse(text), source: "lesson.ga",
                                         execute: FakeSession().run)
    #expect(!result.passed)
    #expect(result.failures.map(\.lineNumber) == [3])
    #expect(result.diff == """
      lesson.ga:3: ga> backward
      @@ line 4 @@
      -loss 2.3036   micro-batch 1 of 2 (16 samples) accumulated
      +loss 2.302649   micro-batch 1 of 2 (16 samples) accumulated
      1 of 2 commands differ

      """)
  }

  @Test func diffShowsOnlyContextAroundTheDifference() {
    let expected = (1...10).map { "line \($0)" }
    var actual = expected
    actual[6] = "line seven"
    let result = TranscriptReplay.replay(
      Transcript.parse((["ga> show"] + expected).joined(separator: "\n")), source: "t"
    ) { _ in actual.joined(separator: "\n") }
    #expect(result.diff == """
      t:1: ga> show
      @@ line 6 @@
       line 5
       line 6
      -line 7
      +line seven
       line 8
       line 9
      1 of 1 commands differ

      """)
  }

  @Test func missingAndExtraLines() {
    let text = "ga> show grad\nfc1.weight  norm 0.0123\nfc2.weight  norm 0.0457\nfc3.weight  norm 0.1\n"
    let result = TranscriptReplay.replay(Transcript.parse(text), source: "t", execute: FakeSession().run)
    #expect(result.diff == """
      t:1: ga> show grad
      @@ line 2 @@
       fc1.weight  norm 0.0123
      +fc1.bias    norm 0.00321
       fc2.weight  norm 0.0457
      -fc3.weight  norm 0.1
      1 of 1 commands differ

      """)
  }

  @Test func diffShowsEllipsisAsContextAndHidesWhatItCovers() {
    let text = "ga> train 3\nepoch 1 loss 2.30\n...\nepoch 3 loss 0.50\n"
    let printed = "epoch 1 loss 2.3012\nepoch 2 loss 1.1\nepoch 3 loss 0.71\n"
    let result = TranscriptReplay.replay(Transcript.parse(text), source: "t") { _ in printed }
    #expect(result.diff == """
      t:1: ga> train 3
      @@ line 2 @@
       epoch 1 loss 2.30
       ...
      -epoch 3 loss 0.50
      +epoch 3 loss 0.71
      1 of 1 commands differ

      """)
  }

  @Test func runnerWithoutPromptsRecordsTheTranscriptsPrompts() {
    let text = "ga> backward\nloss 1\nga 1/4> backward\nloss 1\n"
    let result = TranscriptReplay.replay(Transcript.parse(text)) { _ in "loss 2\n" }
    #expect(result.recorded == "ga> backward\nloss 2\nga 1/4> backward\nloss 2\n")
  }

  @Test func replayGoesOnAfterAFailureAndReportsEach() {
    let text = "ga> backward\nloss 9.9\nga 1/1> backward\nloss 9.9\nga 2/1> nonsense\nunknown command 'nonsense'\n"
    let result = TranscriptReplay.replay(Transcript.parse(text), source: "t", execute: FakeSession().run)
    #expect(result.failures.map(\.lineNumber) == [1, 3])
    #expect(result.diff.contains("t:1: ga> backward"))
    #expect(result.diff.contains("t:3: ga 1/1> backward"))
    #expect(result.diff.hasSuffix("2 of 3 commands differ\n"))
  }

  /// The prompt is checked too: a transcript that says `ga> ` where a window is open fails there.
  @Test func aWrongPromptFails() {
    let text = "ga> set accumulate 4\naccumulate = 4\nga> backward\n...\nga> backward\n...\n"
    let result = TranscriptReplay.replay(Transcript.parse(text), source: "t", execute: FakeSession().run)
    #expect(result.failures.map(\.lineNumber) == [5])
    #expect(result.diff.contains("t:5: ga> backward\n  the prompt was 'ga 1/4> ', not 'ga> '\n"))
    #expect(result.recorded.contains("ga 1/4> backward"))
  }

  @Test func recordingUsesActualPromptsAndOutputsAndKeepsWhatStillMatches() {
    let text = """
      # Narration stays.
      ga> set accumulate 4
      accumulate = 3
      ga> backward
      loss 2.30   micro-batch 1 of 4 (16 samples) accumulated
      ga> show grad
      fc1.weight  norm 0.0123
      ...
      fc9.weight  norm 1

      # The end.

      """
    let result = TranscriptReplay.replay(Transcript.parse(text), execute: FakeSession().run)
    #expect(!result.passed)
    // Prompt of `show grad` corrected to the session's; `accumulate = 3` replaced; in the
    // failing `show grad` block the matching lines stay as written, `...` included, and
    // the last line, which differs only in numbers, takes the printed one.
    #expect(result.recorded == """
      # Narration stays.
      ga> set accumulate 4
      accumulate = 4
      ga> backward
      loss 2.30   micro-batch 1 of 4 (16 samples) accumulated
      ga 1/4> show grad
      fc1.weight  norm 0.0123
      ...
      fc2.weight  norm 0.04567

      # The end.

      """)
    // And the re-recorded transcript passes.
    let again = TranscriptReplay.replay(Transcript.parse(result.recorded), execute: FakeSession().run)
    #expect(again.passed, "\(again.diff)")
  }

  @Test func recordingDropsLinesThatWereNeverPrinted() {
    let text = "ga> set accumulate 2\naccumulate = 2\nsaved to disk\n"
    let result = TranscriptReplay.replay(Transcript.parse(text), execute: FakeSession().run)
    #expect(result.recorded == "ga> set accumulate 2\naccumulate = 2\n")
  }

  @Test func problemsInTheTranscriptFailTheReplay() {
    let text = "stray text\nga> set accumulate 2\naccumulate = 2\n"
    let result = TranscriptReplay.replay(Transcript.parse(text), source: "t", execute: FakeSession().run)
    #expect(result.failures.isEmpty)
    #expect(!result.passed)
    #expect(result.diff.hasPrefix("t:1: text before the first `ga> ` line"))
  }

  @Test func globLinesMatchTimingsAndAreKeptWhenRecording() {
    let text = """
      ga> train 1
      Test Results:
      steps 47, train * s (* samples/s), test * s (glob)

      """
    var seconds = 0.38
    let run = { (_: String) -> String in
      seconds += 0.11
      return "Test Results:\nsteps 47, train \(seconds) s (7,885 samples/s), test 0.02 s\n"
    }
    let result = TranscriptReplay.replay(Transcript.parse(text), execute: run)
    #expect(result.passed, "\(result.diff)")
    #expect(result.recorded == text)
    let again = TranscriptReplay.replay(Transcript.parse(text), execute: run)
    #expect(again.passed, "\(again.diff)")
  }

  @Test func failingGlobLineIsPairedWithThePrintedLine() {
    let text = "ga> train 1\nsteps 47, train * s (glob)\n"
    let result = TranscriptReplay.replay(Transcript.parse(text), source: "t") { _ in "steps 48, train 0.4 s\n" }
    #expect(result.diff == """
      t:1: ga> train 1
      @@ line 2 @@
      -steps 47, train * s (glob)
      +steps 48, train 0.4 s
      1 of 1 commands differ

      """)
  }

  @Test func outputLinesDropsTrailingWhitespaceAndBlankLines() {
    #expect(TranscriptReplay.outputLines("a  \n\nb\r\n\n \n") == ["a", "", "b"])
    #expect(TranscriptReplay.outputLines("") == [])
    #expect(TranscriptReplay.outputLines("\n") == [])
  }

  @Test func commandsReachTheRunnerInOrder() {
    var seen: [String] = []
    let t = Transcript.parse("ga> load fashion\n...\nga 1/4> step\nga>\n")
    let result = TranscriptReplay.replay(t) { command in
      seen.append(command)
      return ""
    }
    #expect(seen == ["load fashion", "step", ""])
    #expect(result.passed)
  }
}
