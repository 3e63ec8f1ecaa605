// TranscriptParseTests.swift — prompts, output blocks, narration, blank lines, line numbers.

import Testing
@testable import Shell

@Suite struct TranscriptParseTests {
  @Test func promptsWithAndWithoutWindow() {
    #expect(Transcript.splitPrompt("ga> load fashion")! == ("ga> ", "load fashion"))
    #expect(Transcript.splitPrompt("ga 2/4> step")! == ("ga 2/4> ", "step"))
    #expect(Transcript.splitPrompt("ga 12/16> show grad  ")! == ("ga 12/16> ", "show grad"))
    #expect(Transcript.splitPrompt("ga>")! == ("ga>", ""))
    #expect(Transcript.splitPrompt("ga> ")! == ("ga> ", ""))
    #expect(Transcript.splitPrompt("ga>x") == nil)
    #expect(Transcript.splitPrompt("ga 2> step") == nil)
    #expect(Transcript.splitPrompt("ga /4> step") == nil)
    #expect(Transcript.splitPrompt("gap> step") == nil)
    #expect(Transcript.splitPrompt(" ga> step") == nil)
    #expect(Transcript.splitPrompt("loss 2.3") == nil)
  }

  @Test func entriesNarrationAndLineNumbers() {
    let text = """
      # Gradients add up until the optimizer step.
      ga> set accumulate 4
      accumulate = 4

      # Now one micro-batch.
      ga> backward
      loss 2.3026   micro-batch 1 of 4 (16 samples) accumulated
      ga 1/4> show grad
      ...
      # The end.

      """
    let t = Transcript.parse(text)
    #expect(t.problems.isEmpty)
    #expect(t.entries.count == 3)
    #expect(t.entries[0] == Transcript.Entry(
      narration: ["# Gradients add up until the optimizer step."], prompt: "ga> ",
      command: "set accumulate 4", expected: ["accumulate = 4"], lineNumber: 2))
    #expect(t.entries[1].narration == ["", "# Now one micro-batch."])
    #expect(t.entries[1].lineNumber == 6)
    #expect(t.entries[1].expected == ["loss 2.3026   micro-batch 1 of 4 (16 samples) accumulated"])
    #expect(t.entries[2].prompt == "ga 1/4> ")
    #expect(t.entries[2].narration == [])
    #expect(t.entries[2].expected == ["..."])
    #expect(t.entries[2].lineNumber == 8)
    #expect(t.trailingNarration == ["# The end."])
  }

  @Test func blankLinesInsideABlockCountTrailingOnesDoNot() {
    let t = Transcript.parse("ga> help\nfirst\n\nsecond\n\n\nga> quit\n")
    #expect(t.entries[0].expected == ["first", "", "second"])
    #expect(t.entries[1].narration == ["", ""])
    #expect(t.entries[1].lineNumber == 7)
    #expect(t.entries[1].expected == [])
  }

  @Test func commandWithoutOutput() {
    let t = Transcript.parse("ga> set seed 1\nga> set seed 2\n")
    #expect(t.entries.map(\.command) == ["set seed 1", "set seed 2"])
    #expect(t.entries.allSatisfy { $0.expected.isEmpty })
  }

  @Test func textBeforeTheFirstInputIsAProblem() {
    let t = Transcript.parse("Welcome to the lesson\n# fine\nga> help\nok\n")
    #expect(t.problems.map(\.lineNumber) == [1])
    #expect(t.entries.count == 1)
    #expect(t.entries[0].narration == ["Welcome to the lesson", "# fine"])   // kept for display
  }

  @Test func outputAfterNarrationIsAProblem() {
    let t = Transcript.parse("ga> train 2\nepoch 1\n# look\nepoch 2\nga> step\n")
    #expect(t.entries[0].expected == ["epoch 1"])
    #expect(t.problems.map(\.lineNumber) == [4])
  }

  @Test func crlfAndMissingFinalNewline() {
    let t = Transcript.parse("ga> help\r\nline one\r\nga> quit")
    #expect(t.entries.map(\.command) == ["help", "quit"])
    #expect(t.entries[0].expected == ["line one"])
  }

  @Test func emptyTranscript() {
    #expect(Transcript.parse("").entries.isEmpty)
    #expect(Transcript.parse("").rendered == "")
    #expect(Transcript.parse("# only narration\n").trailingNarration == ["# only narration"])
  }

  @Test func renderRoundTrips() {
    let text = """
      # Title

      ga> set batch 16
      batch = 16

      ga 1/4> backward
      loss 2.3026
      ...

      # done

      """
    let t = Transcript.parse(text)
    #expect(t.rendered == text)
    #expect(Transcript.parse(t.rendered) == t)
  }
}
