// LineTests.swift — how a typed line becomes a command: comments, blank lines (which never
// repeat the last command), spaces and tabs.

import Testing
@testable import Shell

@Suite struct LineTests {
  @Test(arguments: ["", "   ", "\t", " \t ", "#", "# backward", "   # indented comment", "#step"])
  func blankLinesAndCommentsDoNothing(_ line: String) throws {
    let t = TestSession()
    try t.run(["model mlp 8", "set accumulate 4", "backward"])
    let before = Snapshot(t)
    #expect(try t.run(line) == "")
    #expect(Snapshot(t) == before)                 // in particular, no second `backward`
    #expect(t.session.prompt == "ga 1/4> ")
  }

  @Test func spacesAndTabsBetweenWordsDoNotMatter() throws {
    let t = TestSession()
    #expect(try t.run("  set \t batch\t\t16   ") == "batch = 16\n")
    #expect(try t.run("\tset accumulate 4\t") == "accumulate = 4\n")
  }

  /// A value of several words is passed on whole: the schedule `{0: 8, 4: 2}`.
  @Test func aValueOfSeveralWords() throws {
    let t = TestSession()
    #expect(try t.run("set accumulate {0: 8,   4: 2}") == "accumulate = {0: 8, 4: 2}\n")
  }

  @Test func quotesAndBackslashesKeepSpacesInOneWord() throws {
    #expect(try Words.split(#"save weights "my run.safetensors""#) == ["save", "weights", "my run.safetensors"])
    #expect(try Words.split("save weights 'my run.safetensors'") == ["save", "weights", "my run.safetensors"])
    #expect(try Words.split(#"save weights my\ run.safetensors"#) == ["save", "weights", "my run.safetensors"])
    #expect(try Words.split(#"load weights ~/"a b"/c.safetensors"#) == ["load", "weights", "~/a b/c.safetensors"])
    #expect(try Words.split(#"x "it's" 'say "hi"'"#) == ["x", "it's", #"say "hi""#])
    #expect(try Words.split(#"x "" y"#) == ["x", "", "y"])
  }

  @Test func dashCCommandsSplitAtSemicolonsOutsideQuotes() {
    #expect(Words.commands("set batch 16; save weights 'a;b.safetensors' ;quit") ==
            ["set batch 16", "save weights 'a;b.safetensors'", "quit"])
    #expect(Words.commands(#"save weights a\;b"#) == [#"save weights a\;b"#])
  }

  @Test func anUnclosedQuoteIsRejectedAndChangesNothing() throws {
    let t = TestSession()
    try t.run(["model mlp 8", "set accumulate 4", "backward"])
    let before = Snapshot(t)
    #expect(throws: ShellError(#"unclosed " — end the quoted name with another ""#)) {
      try t.run(#"save weights "my run.safetensors"#)
    }
    #expect(Snapshot(t) == before)
    #expect(Words.splitLeniently(#"load weights "my ru"#) == ["load", "weights", "my ru"])
  }

  /// A pasted megabyte is refused at once, not echoed back or spell-checked.
  @Test func overlongLinesAreRefused() throws {
    let t = TestSession()
    let line = String(repeating: "x", count: 1_000_000)
    #expect(throws: ShellError("a line of 1,000,000 characters is too long — commands take at most 4,096")) { try t.run(line) }
    #expect(try t.run("set momentum -0") == "momentum = 0\n")
  }

  @Test func commandNamesAreExactAndAliasesWork() throws {
    let t = TestSession()
    #expect(throws: ShellError("unknown command 'Help' — did you mean 'help'? — `help` lists the commands")) {
      try t.run("Help")
    }
    #expect(try t.run("? quit").hasPrefix("quit"))
    try t.run("exit")
    #expect(t.session.wantsToQuit)
  }

  @Test func promptShowsTheOpenWindow() throws {
    let t = TestSession()
    #expect(t.session.prompt == "ga> ")
    try t.run(["model mlp 8", "set accumulate 3"])
    try t.run("backward")
    #expect(t.session.prompt == "ga 1/3> ")
    try t.run("backward")
    #expect(t.session.prompt == "ga 2/3> ")
    try t.run("zero")
    #expect(t.session.prompt == "ga> ")
  }

  /// Found by the fuzzer: `reset ́` (a combining accent after the space, which makes " ́" one
  /// character) was refused as an unknown command, but its transcript read back as `reset` and
  /// replayed a command that succeeds. Such a line is refused, and kept with � in the mark's place.
  @Test(arguments: ["reset \u{0301}", "\u{0301}reset", "show  \u{20DD}grad", "reset \u{0301}\u{0301}"])
  func aCombiningMarkWithNoLetterIsRefusedAndReadsBack(_ line: String) throws {
    let t = TestSession()
    try t.run(["model mlp 8", "set accumulate 4", "backward"])
    let before = Snapshot(t)
    let error = try #require(throws: ShellError.self) { try t.run(line) }
    #expect(error.description.hasPrefix("error: the line holds a combining mark (U+") && !error.description.contains("\n"))
    #expect(Snapshot(t) == before)
    guard case .code(_, let kept, _, _)? = t.session.cells.last else { Issue.record("no cell kept"); return }
    #expect(!kept.unicodeScalars.contains { $0.properties.isGraphemeExtend } && kept.contains("\u{FFFD}"))
    let read = Transcript.parse("ga> " + kept + "\n" + error.description + "\n").entries.map(\.command)
    #expect(read == [kept])
  }

  /// A mark on a letter is text like any other: é typed as e + U+0301 is one character of a name.
  @Test func aCombiningMarkOnALetterIsKept() throws {
    #expect(Session.unreadable("save notebook cafe\u{0301}.ipynb").isEmpty)
    #expect(Session.unreadable("save notebook \u{2764}\u{FE0F}.ipynb").isEmpty)
  }
}
