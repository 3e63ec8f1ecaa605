// Save+Session.swift — `save notebook FILE.ipynb` and `save transcript FILE`: the session
// itself, written atomically (`writeAtomically`: a temporary file beside FILE, then a rename).
//
// The `save` line being run is not in the file it writes: it is the last cell, it has
// printed nothing yet, and the line it is about to print cannot be inside the file.
// Earlier `save` lines are finished and stay, with what they printed — except, in a
// transcript, an earlier `save transcript` to the same file (see below). Neither message
// counts cells: a replayed transcript lacks that line, and its counts would differ.

import Foundation

extension Command {
  /// What `save` writes of the session itself, beside weights and gradients.
  static let sessionRecords = ["notebook", "transcript"]

  /// `save notebook FILE.ipynb` or `save transcript FILE`; `arguments[0]` is one of `sessionRecords`.
  static func saveSession(_ session: Session, _ arguments: [String]) throws {
    guard arguments.count == 2 else {
      throw save.usageError(arguments.count < 2 ? "give a file name" : "one file name — put a name with spaces in quotes")
    }
    let file = arguments[1]
    let finished = Array(session.cells.dropLast())
    if arguments[0] == "notebook" {
      try Notebook.checkFileName(file)
      let notebook = Notebook(cells: finished)
      try writeRecord(notebook.json, to: file)
      session.say("notebook written to \(file)")
    } else {
      try Transcript.checkFileName(file)
      // Replaying an earlier `save transcript` to this same file would overwrite the file being replayed.
      let transcript = Transcript(cells: finished.filter { !isSaveTranscript($0, to: file) })
      try writeRecord(transcript.rendered, to: file)
      session.say("transcript written to \(file) — `gashell --check \(file)` replays it")
    }
  }

  private static func isSaveTranscript(_ cell: Cell, to file: String) -> Bool {
    guard case .code(_, let command, _) = cell else { return false }
    let words = command.split(whereSeparator: { $0 == " " || $0 == "\t" })
    return words.count == 3 && words[0] == "save" && words[1] == "transcript"
      && expanded(String(words[2])) == expanded(file)
  }

  /// Writes atomically, or says in one line why not, with a hint.
  static func writeRecord(_ text: String, to file: String) throws {
    do { try writeAtomically(text, to: expanded(file), shownAs: file) } catch let error as ShellError {
      throw ShellError(error.message + " — is the directory there, and writable?")
    }
  }

  private static func expanded(_ path: String) -> String { (path as NSString).expandingTildeInPath }
}

extension Notebook {
  /// Jupyter opens only `.ipynb` files: another name would be a notebook nothing opens.
  public static func checkFileName(_ file: String) throws(ShellError) {
    guard file.lowercased().hasSuffix(".ipynb") else {
      let stem = (file as NSString).deletingPathExtension
      throw ShellError("a notebook's file name ends in .ipynb, got '\(file)' — try \(stem).ipynb")
    }
  }
}

extension Transcript {
  /// Refuses the names of the other kinds of file gashell reads, so none is overwritten by mistake.
  public static func checkFileName(_ file: String) throws(ShellError) {
    switch (file as NSString).pathExtension.lowercased() {
    case "ipynb": throw ShellError("'\(file)' names a notebook — `save notebook \(file)` writes one; a transcript is text (.txt)")
    case "ga": throw ShellError("'\(file)' names a script, and a transcript does not run as one (its lines have prompts) — name it .txt")
    case "safetensors": throw ShellError("'\(file)' names a checkpoint — name the transcript .txt")
    default: return
    }
  }
}

extension Session {
  /// Writes every cell so far as a notebook: what `gashell --notebook FILE` does when the run ends.
  public func writeNotebook(to file: String) throws {
    try Notebook.checkFileName(file)
    try Command.writeRecord(Notebook(cells: cells).json, to: file)
  }
}
