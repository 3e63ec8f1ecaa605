// IntrospectionTests.swift — completion, inspection and is-complete as the kernel answers them:
// the command table's candidates, and code-point positions into a cell of several lines.

import Testing
@testable import Kernel
import Shell

@Suite struct IntrospectionTests {
  @Test func completesTheWordBeforeTheCursorOnItsOwnLine() {
    let code = "set batch 16\nset acc"
    let (matches, start, end) = Introspection.complete(code, cursor: code.unicodeScalars.count, session: nil)
    #expect(matches == ["accumulate"])
    #expect((start, end) == (17, 20))
  }

  @Test func positionsCountCodePointsNotBytes() {
    let code = "# ‖g‖ climbs\nplot g"   // ‖ is 3 bytes in UTF-8, one code point
    let (matches, start, end) = Introspection.complete(code, cursor: code.unicodeScalars.count, session: nil)
    #expect(matches == ["grad"])
    #expect((start, end) == (18, 19))
  }

  @Test func aCommentCompletesNothingAndAnErrorOnPurposeCompletesItsCommand() {
    #expect(Introspection.complete("# sh", cursor: 4, session: nil).matches.isEmpty)
    let (matches, start, _) = Introspection.complete("!pl", cursor: 3, session: nil)
    #expect(matches == ["plot"])
    #expect(start == 1)
  }

  @Test func inspectionIsHelpForTheWordOrForItsLinesCommand() throws {
    let help = try #require(Introspection.inspect("train 20", cursor: 2))
    #expect(help.hasPrefix("train EPOCHS | STEPS steps — "))
    #expect(Introspection.inspect("set batch 16", cursor: 7)?.hasPrefix("set SETTING VALUE") == true)
    #expect(Introspection.inspect("frobnicate", cursor: 3) == nil)
  }

  @Test func aCellIsCompleteUnlessALineCannotBeACommand() {
    #expect(Introspection.isComplete("help\n\n# narration\n! set batch 0") == "complete")
    #expect(Introspection.isComplete("save weights \"my run") == "invalid")
    #expect(Introspection.isComplete("help\u{1B}[A") == "invalid")
  }
}
