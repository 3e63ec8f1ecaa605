// SaveRecords.swift — `save notebook FILE.ipynb` and `save transcript FILE`: the session
// itself, written atomically (`writeAtomically`: a temporary file beside FILE, then a rename).
//
// The `save` line being run is not in the file it writes: it is the last cell, it has
// printed nothing yet, and the line it is about to print cannot be inside the file.
// Earlier `save` lines are finished and stay, with what they printed — except, in a
// transcript, an earlier `save` of anything to the same file, however its name was spelled
// (see below). Neither message counts cells: a replayed transcript lacks that line, and its
// counts would differ.

import Foundation

extension Command {
  /// What `save` writes of the session itself, beside weights and gradients.
  static let sessionRecords = ["notebook", "transcript"]

  /// `save notebook FILE.ipynb` or `save transcript FILE`; `arguments[0]` is one of `sessionRecords`.
  static func saveSession(_ session: Session, _ arguments: [String]) throws {
    let file = try FileName.only(arguments.dropFirst()).typed
    let finished = Array(session.cells.dropLast())
    if arguments[0] == "notebook" {
      try Notebook.checkFileName(file)
      let notebook = Notebook(cells: Array(session.notebookCells.dropLast()))
      try writeRecord(notebook.json, to: file)
      session.say("notebook written to \(file)")
    } else {
      try Transcript.checkFileName(file)
      // Replaying an earlier `save` to this same file would overwrite the file being replayed.
      let kept = finished.filter { cell in
        guard case .code(_, let command, _, _) = cell, let saved = fileSaved(by: command) else { return true }
        return !sameFile(saved, file)
      }
      let transcript: Transcript
      do { transcript = try Transcript(cells: kept, stoppingIf: session.isInterrupted) } catch {
        throw ShellError("interrupted: \(file) was not written")
      }
      try writeRecord(transcript.rendered, to: file)
      session.say("transcript written to \(file) — `gashell --check \(file)` replays it")
    }
  }

  /// The file a `save` line writes, as typed (`save weights F`, `save plot loss F`, …); nil for
  /// any other line, and for one `save` would reject before writing.
  static func fileSaved(by line: String) -> String? {
    guard let words = try? Words.split(line), words.count >= 3, words[0] == "save" else { return nil }
    let count = words[1] == "plot" ? 4 : 3
    return words.count == count ? words[count - 1] : nil
  }

  /// Whether two names reach the same file: `t.txt`, `./t.txt`, `/here/t.txt` and a path through a
  /// symbolic link do. (Hard links are not detected.)
  static func sameFile(_ a: String, _ b: String) -> Bool { canonicalPath(a) == canonicalPath(b) }

  /// `path` absolute, `~` expanded, symbolic links resolved as far as the path exists (the last name
  /// too: writes follow a link there), and `.`, `..` and doubled slashes gone from the rest.
  static func canonicalPath(_ path: String) -> String {
    let path = FileName.expanded(path)
    var head = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    var tail: [Substring] = []  // the names that do not exist yet, last first
    while true {
      if let resolved = realpath(head, nil) {
        defer { free(resolved) }
        var parts = String(cString: resolved).split(separator: "/")
        for part in tail.reversed() where part != "." {
          if part == ".." { _ = parts.popLast() } else { parts.append(part) }
        }
        return "/" + parts.joined(separator: "/")
      }
      guard head != "/", let slash = head.lastIndex(of: "/") else { return head }
      if slash != head.index(before: head.endIndex) { tail.append(head[head.index(after: slash)...]) }
      head = slash == head.startIndex ? "/" : String(head[..<slash])
    }
  }

  /// Writes atomically, or says in one line why not, with a hint.
  static func writeRecord(_ text: String, to file: String) throws {
    try writeAtomically(text, to: FileName.expanded(file), shownAs: file, hint: " — is the directory there, and writable?")
  }
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
    try Command.writeRecord(Notebook(cells: notebookCells).json, to: file)
  }

  /// The cells as a notebook runs them again in the kernel: a command that failed is an error on
  /// purpose (`! command`), and a session that began in quick mode (`gashell --quick`) says so in
  /// a first code cell, so the cells run with the same data and epochs, and give the same numbers.
  public var notebookCells: [Cell] {
    let cells = self.cells.enumerated().map { i, cell in
      guard failedCells.contains(i), case .code(let prompt, let command, let output, let pictures) = cell else { return cell }
      return Cell.code(prompt: prompt, command: "! " + command, output: output, pictures: pictures)
    }
    guard startedQuick, let first = cells.firstIndex(where: { if case .code = $0 { true } else { false } }) else { return cells }
    let scratch = Session(output: { _ in })
    scratch.executeReportingErrors("set quick on")
    return Array(cells[..<first]) + scratch.cells + Array(cells[first...])
  }
}
