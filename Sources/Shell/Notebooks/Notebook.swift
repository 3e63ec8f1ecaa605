// Notebook.swift — a session as a Jupyter notebook (nbformat 4.5): lesson narration as
// Markdown cells, each command as a code cell whose stdout is what it printed.

import Foundation

/// A session's cells in the nbformat 4.5 layout, as JSON.
///
/// Errors stay inside the stdout stream, where the session printed them: an `error` output
/// would need a Python-style exception name and traceback that gashell does not have.
public struct Notebook {
  public var cells: [Cell]

  public init(cells: [Cell]) { self.cells = cells }

  /// Written into every notebook: Jupyter opens it with the gashell kernel (`gashell kernel
  /// install`), which runs its cells again, one Session for the whole notebook.
  static var metadata: [String: Any] { [
    "kernelspec": ["name": "gashell", "display_name": "gashell", "language": "gashell"],
    "language_info": ["name": "gashell", "file_extension": ".ga", "mimetype": "text/x-gashell"],
  ] }

  /// The cells as nbformat 4.5 JSON objects; ids and execution counts number them from 1.
  var jsonCells: [[String: Any]] {
    var executionCount = 0
    return cells.enumerated().map { index, cell in
      let id = "cell-\(index + 1)"  // nbformat 4.5 requires unique ids; numbering keeps files reproducible
      switch cell {
      case .markdown(let text):
        return ["cell_type": "markdown", "id": id, "metadata": [String: Any](), "source": Notebook.lines(text)]
      case .code(_, let command, let output, let pictures):
        executionCount += 1
        return ["cell_type": "code", "id": id, "metadata": [String: Any](), "execution_count": executionCount,
                "source": Notebook.lines(command), "outputs": Notebook.outputs(output, pictures)]
      }
    }
  }

  /// A command's outputs as Jupyter's: what it printed as stdout, and each picture it drew as
  /// display data in its place (the SVG, with the text version as its plain form), as the kernel
  /// shows them when the notebook runs again.
  static func outputs(_ output: String, _ pictures: [Picture]) -> [[String: Any]] {
    func stream(_ text: String) -> [[String: Any]] {
      let printed = Notebook.lines(text)
      return printed.isEmpty ? [] : [["output_type": "stream", "name": "stdout", "text": printed]]
    }
    let bytes = Array(output.utf8)
    var outputs: [[String: Any]] = [], cursor = 0
    for picture in pictures where picture.offset >= cursor && picture.offset + picture.text.utf8.count <= bytes.count {
      outputs += stream(printedText(String(decoding: bytes[cursor..<picture.offset], as: UTF8.self)))
      outputs.append(["output_type": "display_data", "metadata": [String: Any](),
                      "data": ["text/plain": Notebook.lines(printedText(picture.text)), "image/svg+xml": Notebook.lines(picture.svg)]])
      cursor = picture.offset + picture.text.utf8.count
    }
    return outputs + stream(trimmedOutput(String(decoding: bytes[cursor...], as: UTF8.self)))
  }

  /// The .ipynb file's text. Keys are sorted, so the same session always gives the same bytes.
  public var json: String {
    let object: [String: Any] = [
      "nbformat": 4, "nbformat_minor": 5, "metadata": Notebook.metadata, "cells": jsonCells,
    ]
    // Only strings, numbers, arrays and dictionaries go in: serialization cannot fail.
    let data = try! JSONSerialization.data(
      withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    return String(decoding: data, as: UTF8.self) + "\n"
  }

  public var codeCellCount: Int {
    cells.count(where: { if case .code = $0 { true } else { false } })
  }

  /// What a command printed, as a terminal finally showed it, without trailing blank lines
  /// (the blank line `train` leaves between epochs is noise at the end of a cell).
  static func trimmedOutput(_ output: String) -> String {
    var lines = Transcript.lines(of: printedText(output))
    while let last = lines.last, Transcript.isBlank(last) { lines.removeLast() }
    return lines.map { $0 + "\n" }.joined()
  }

  /// Text as Jupyter stores it: a list of lines, each ending in "\n" but the last.
  static func lines(_ text: String) -> [String] {
    // Split bytes: "\r\n" is one Character and would not split on "\n".
    var lines = text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
      .map { String(decoding: $0, as: UTF8.self) + "\n" }
    if let last = lines.last { lines[lines.count - 1] = String(last.dropLast()) }
    if lines.last == "" { lines.removeLast() }
    return lines
  }
}
