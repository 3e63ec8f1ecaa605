// NotebookTests.swift — a session's cells as an nbformat 4.5 notebook and as a transcript:
// the JSON structure, reproducible bytes, terminal codes stripped, and `save` round trips.
// (The real nbformat schema check is scripts/validate-notebook.py, run by `make test`.)

import Foundation
import Testing
@testable import Shell

/// A small session's cells: narration, a command, an error, a command that printed nothing.
private let sampleCells: [Cell] = [
  .markdown("Lesson 2\n\nGradients add up."),
  .code(prompt: "ga> ", command: "set accumulate 4", output: "accumulate = 4\n"),
  .code(prompt: "ga 1/4> ", command: "bogus", output: "error: unknown command 'bogus'\n"),
  .code(prompt: "ga> ", command: "zero", output: ""),
]

/// The notebook's JSON read back as dictionaries and arrays.
private func parsed(_ notebook: Notebook) throws -> [String: Any] {
  try #require(JSONSerialization.jsonObject(with: Data(notebook.json.utf8)) as? [String: Any])
}

/// One suite, so `swift test --filter NotebookTests` runs them all.
@Suite struct NotebookTests {}

extension NotebookTests { @Suite struct JSONStructure {
  @Test func topLevelIsNbformat45WithKernelMetadata() throws {
    let json = try parsed(Notebook(cells: sampleCells))
    #expect(json["nbformat"] as? Int == 4)
    #expect(json["nbformat_minor"] as? Int == 5)
    let metadata = try #require(json["metadata"] as? [String: Any])
    #expect(metadata["kernelspec"] as? [String: String]
            == ["name": "gashell", "display_name": "gashell", "language": "gashell"])
    #expect(metadata["language_info"] as? [String: String]
            == ["name": "gashell", "file_extension": ".ga", "mimetype": "text/x-gashell"])
  }

  @Test func narrationIsMarkdownAndCommandsAreNumberedCodeCells() throws {
    let cells = try #require(try parsed(Notebook(cells: sampleCells))["cells"] as? [[String: Any]])
    #expect(cells.count == 4)
    #expect(cells.map { $0["cell_type"] as? String } == ["markdown", "code", "code", "code"])
    #expect(cells.map { $0["id"] as? String } == ["cell-1", "cell-2", "cell-3", "cell-4"])
    #expect(cells[0]["source"] as? [String] == ["Lesson 2\n", "\n", "Gradients add up."])
    #expect(cells[0]["execution_count"] == nil && cells[0]["outputs"] == nil)
    #expect(cells.dropFirst().map { $0["execution_count"] as? Int } == [1, 2, 3])
    #expect(cells[1]["source"] as? [String] == ["set accumulate 4"])
  }

  @Test func printedTextIsOneStdoutStreamAndErrorsStayInIt() throws {
    let cells = try #require(try parsed(Notebook(cells: sampleCells))["cells"] as? [[String: Any]])
    let outputs = cells.map { $0["outputs"] as? [[String: Any]] }
    let first = try #require(outputs[1]?.first)
    #expect(first["output_type"] as? String == "stream")
    #expect(first["name"] as? String == "stdout")
    #expect(first["text"] as? [String] == ["accumulate = 4\n"])
    #expect(outputs[2]?.first?["text"] as? [String] == ["error: unknown command 'bogus'\n"])
    #expect(outputs[3]?.isEmpty == true)  // nothing printed: no output at all, not an empty stream
  }

  @Test func sameCellsGiveTheSameBytesWithSortedKeys() {
    let a = Notebook(cells: sampleCells).json, b = Notebook(cells: sampleCells).json
    #expect(a == b)
    let one = Notebook(cells: [.code(prompt: "ga> ", command: "zero", output: "")]).json
    let keys = one.split(separator: "\n").compactMap { line -> String? in
      guard line.hasPrefix("  \""), let end = line.dropFirst(3).firstIndex(of: "\"") else { return nil }
      return String(line[line.index(line.startIndex, offsetBy: 3)..<end])
    }
    #expect(keys == ["cells", "metadata", "nbformat", "nbformat_minor"])
    #expect(one.hasSuffix("}\n"))
  }

  @Test func trailingBlankLinesAreDroppedInsideOnesKept() throws {
    let notebook = Notebook(cells: [.code(prompt: "ga> ", command: "train 1", output: "Epoch 1\n\nTest\n\n\n")])
    let cells = try #require(try parsed(notebook)["cells"] as? [[String: Any]])
    let output = try #require((cells[0]["outputs"] as? [[String: Any]])?.first)
    #expect(output["text"] as? [String] == ["Epoch 1\n", "\n", "Test\n"])
  }
} }

extension NotebookTests { @Suite struct PrintedText {
  @Test func colourCodesAreDropped() {
    #expect(printedText("\u{1B}[1;32mok\u{1B}[0m done\n") == "ok done\n")
    #expect(printedText("\u{1B}]0;title\u{07}text\n") == "text\n")
  }

  @Test func carriageReturnsKeepWhatTheTerminalShowsLast() {
    #expect(printedText("50%\r100%\n") == "100%\n")
    #expect(printedText("abcdef\rXY\n") == "XYcdef\n")
    #expect(printedText("line\r\n") == "line\n")
  }

  @Test func theProgressBarLeavesNothing() {
    let bar = "\r\u{1B}[2K epoch 1 ██████·· 75%  9,000 samples/s  loss 0.5123  ETA 1 s"
    #expect(printedText("Epoch 1\n" + bar + bar + "\r\u{1B}[2K" + "Test Results:\n") == "Epoch 1\nTest Results:\n")
  }

  @Test func notebookOutputsAreStripped() throws {
    let cell = Cell.code(prompt: "ga> ", command: "train 1", output: "\u{1B}[1mEpoch 1\u{1B}[0m\r\u{1B}[2Kdone\n")
    let cells = try #require(try parsed(Notebook(cells: [cell]))["cells"] as? [[String: Any]])
    #expect((cells[0]["outputs"] as? [[String: Any]])?.first?["text"] as? [String] == ["done\n"])
    #expect(!Notebook(cells: [cell]).json.contains("\\u001b") && !Notebook(cells: [cell]).json.contains("\\r"))
  }
} }

/// A session printing into `printed`, with narration and commands whose output does not
/// depend on time (no data loading or training: those print timings).
private func sampleSession() -> (Session, () -> String) {
  final class Buffer: @unchecked Sendable { var text = "" }
  let buffer = Buffer()
  let session = Session(output: { buffer.text += $0 })
  session.narrate("Settings first.")
  session.executeReportingErrors("set batch 16")
  session.executeReportingErrors("set accumulate 4")
  session.narrate("A typo, then a model.")
  session.narrate("")
  session.narrate("    indented, as the lesson's code lines are")
  session.executeReportingErrors("sett lr 0.1")
  session.executeReportingErrors("model mlp 32")
  session.executeReportingErrors("help save")
  return (session, { buffer.text })
}

extension NotebookTests { @Suite struct Saving {
  @Test func aSavedTranscriptReplaysClean() throws {
    let scratch = try Scratch()
    let (session, _) = sampleSession()
    #expect(session.executeReportingErrors("save transcript \(scratch.file("s.txt"))"))
    let text = try scratch.read("s.txt")
    let result = TranscriptCheck.replay(text, name: "s.txt")
    #expect(result.passed, "\(result.diff)\n--- transcript:\n\(text)")
    #expect(Transcript.parse(text).entries.map(\.command)
            == ["set batch 16", "set accumulate 4", "sett lr 0.1", "model mlp 32", "help save"])
    #expect(text.hasPrefix("# Settings first.\nga> set batch 16\n"))
    #expect(text.contains("\n\n# A typo, then a model.\n#\n#     indented, as the lesson's code lines are\nga> sett lr 0.1\nerror: "))
    #expect(scratch.names == ["s.txt"])  // no temporary file left beside it
  }

  @Test func theSavingLineIsLeftOutAndEarlierSavesStay() throws {
    let scratch = try Scratch()
    let (session, printed) = sampleSession()
    #expect(session.executeReportingErrors("save notebook \(scratch.file("a.ipynb"))"))
    #expect(session.executeReportingErrors("save notebook \(scratch.file("b.ipynb"))"))
    let a = try #require(JSONSerialization.jsonObject(with: Data(try scratch.read("a.ipynb").utf8)) as? [String: Any])
    let b = try #require(JSONSerialization.jsonObject(with: Data(try scratch.read("b.ipynb").utf8)) as? [String: Any])
    let aCells = try #require(a["cells"] as? [[String: Any]]), bCells = try #require(b["cells"] as? [[String: Any]])
    #expect(aCells.count == 7)  // 2 narration + 5 commands; not the `save` itself
    #expect(bCells.count == 8)  // … and the first `save`, finished, with what it printed
    #expect(bCells.last?["source"] as? [String] == ["save notebook \(scratch.file("a.ipynb"))"])
    #expect(printed().hasSuffix("notebook written to \(scratch.file("a.ipynb"))\nnotebook written to \(scratch.file("b.ipynb"))\n"))
  }

  @Test func anEarlierSaveToTheSameTranscriptIsLeftOut() throws {
    // Replaying it would overwrite the transcript being replayed.
    let scratch = try Scratch()
    let (session, _) = sampleSession()
    session.executeReportingErrors("save transcript \(scratch.file("t.txt"))")
    session.executeReportingErrors("save notebook \(scratch.file("n.ipynb"))")
    session.executeReportingErrors("save transcript \(scratch.file("other.txt"))")
    session.executeReportingErrors("save transcript \(scratch.file("t.txt"))")
    let commands = Transcript.parse(try scratch.read("t.txt")).entries.map(\.command)
    #expect(commands.last == "save transcript \(scratch.file("other.txt"))")
    #expect(!commands.contains("save transcript \(scratch.file("t.txt"))"))
    let result = try TranscriptCheck.check(path: scratch.file("t.txt"), record: false)
    #expect(result.passed, "\(result.diff)")
    #expect(Transcript.parse(try scratch.read("t.txt")).entries.map(\.command) == commands)  // not overwritten
  }

  @Test func refusalsAreOneLineWithAHintAndWriteNothing() throws {
    let scratch = try Scratch()
    let (session, printed) = sampleSession()
    let before = printed().count
    #expect(!session.executeReportingErrors("save notebook \(scratch.file("n.json"))"))
    #expect(!session.executeReportingErrors("save transcript \(scratch.file("t.ipynb"))"))
    #expect(!session.executeReportingErrors("save notebook \(scratch.file("missing/n.ipynb"))"))
    #expect(!session.executeReportingErrors("save transcript"))
    let errors = printed().dropFirst(before).split(separator: "\n").map(String.init)
    #expect(errors == [
      "error: a notebook's file name ends in .ipynb, got '\(scratch.file("n.json"))' — try \(scratch.file("n")).ipynb",
      "error: '\(scratch.file("t.ipynb"))' names a notebook — `save notebook \(scratch.file("t.ipynb"))` writes one; a transcript is text (.txt)",
      "error: cannot write \(scratch.file("missing/n.ipynb")): cannot create a temporary file in \(scratch.file("missing")):"
        + " No such file or directory — is the directory there, and writable?",
      "error: give a file name — usage: save \(Command.save.arguments) (`help save` for examples)",
    ])
    #expect(scratch.names.isEmpty)
  }

  @Test func writeNotebookKeepsEveryCell() throws {
    let scratch = try Scratch()
    let (session, _) = sampleSession()
    try session.writeNotebook(to: scratch.file("all.ipynb"))
    // Every cell, with a failed command as an error on purpose (NotebookRerunTests).
    #expect(try scratch.read("all.ipynb") == Notebook(cells: session.notebookCells).json)
    #expect(session.notebookCells.count == 7)
  }
} }
