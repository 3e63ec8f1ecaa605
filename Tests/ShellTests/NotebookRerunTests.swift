// NotebookRerunTests.swift — what a notebook carries so that the Jupyter kernel can run it
// again: a first cell `set quick on` for a session begun in quick mode, and `! command` for a
// command that failed (an error on purpose: shown, and the notebook goes on).

import Testing
@testable import Shell

@Suite struct NotebookRerunTests {
  func commands(_ session: Session) -> [String] {
    session.notebookCells.compactMap { if case .code(_, let command, _) = $0 { command } else { nil } }
  }

  @Test func aSessionBegunInQuickModeSaysSoInItsFirstCodeCell() {
    let session = Session(output: { _ in })
    session.settings.quick = true   // what `gashell --quick` does, before any cell
    session.narrate("Lesson 9")
    session.executeReportingErrors("set batch 32")
    #expect(commands(session) == ["set quick on", "set batch 32"])
    guard case .markdown = session.notebookCells.first, case .code(_, _, let output) = session.notebookCells[1] else {
      Issue.record("narration first, then the quick cell"); return
    }
    #expect(output == "quick = on\n")
  }

  @Test func aSessionThatTurnsQuickOnLaterIsWrittenAsItHappened() {
    let session = Session(output: { _ in })
    session.executeReportingErrors("set batch 32")
    session.executeReportingErrors("set quick on")
    #expect(commands(session) == ["set batch 32", "set quick on"])
  }

  @Test func aFailedCommandIsAnErrorOnPurpose() {
    let session = Session(output: { _ in })
    session.executeReportingErrors("set batch 0")
    session.executeReportingErrors("set batch 8")
    session.executeReportingErrors("frobnicate")
    #expect(commands(session) == ["! set batch 0", "set batch 8", "! frobnicate"])
    #expect(session.cells.count == 3, "the session's own cells are as typed")
  }
}
