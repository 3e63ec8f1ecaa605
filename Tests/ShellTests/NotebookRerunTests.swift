// NotebookRerunTests.swift — what a notebook carries so that the Jupyter kernel can run it
// again: a first cell `set quick on` for a session begun in quick mode, and `! command` for a
// command that failed (an error on purpose: shown, and the notebook goes on).

import Testing
@testable import Shell

@Suite struct NotebookRerunTests {
  func commands(_ session: Session) -> [String] {
    session.notebookCells.compactMap { if case .code(_, let command, _, _) = $0 { command } else { nil } }
  }

  @Test func aSessionBegunInQuickModeSaysSoInItsFirstCodeCell() {
    let session = Session(output: { _ in })
    session.settings.quick = true   // what `gashell --quick` does, before any cell
    session.narrate("Lesson 9")
    session.executeReportingErrors("set batch 32")
    #expect(commands(session) == ["set quick on", "set batch 32"])
    guard case .markdown = session.notebookCells.first, case .code(_, _, let output, _) = session.notebookCells[1] else {
      Issue.record("narration first, then the quick cell"); return
    }
    #expect(output == "quick = on\n")
  }

  /// `show image` and `plot` are pictures in a saved notebook too, as the kernel shows them: an
  /// SVG display in the output's place, the text version as its plain form, the rest as stdout.
  @Test func picturesAreDisplaysInTheirPlace() throws {
    let session = Session(output: { _ in })
    session.executeReportingErrors("load fashion train 600 test 100")
    session.executeReportingErrors("show image 0")
    let cells = Notebook(cells: session.notebookCells).jsonCells
    let outputs = try #require(cells.last?["outputs"] as? [[String: Any]])
    #expect(outputs.map { $0["output_type"] as? String } == ["display_data", "stream"])
    let data = try #require(outputs.first?["data"] as? [String: [String]])
    #expect(data["image/svg+xml"]?.first?.hasPrefix("<svg") == true)
    #expect(data["text/plain"]?.count == 14 + 2)   // 28 pixel rows, two to a line, in a frame
    let after = (outputs.last?["text"] as? [String])?.joined() ?? ""
    #expect(after.hasPrefix("training image 0: label 9 Ankle boot"))
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
