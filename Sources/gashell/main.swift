// main.swift — gashell's entry point: options, then a lesson, a script, `-c`,
// transcript checks, a pipe, or the interactive prompt (libedit on a terminal).

import ArgumentParser
import Foundation
import LineEditing
import Shell

@main
struct Gashell: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "gashell",
    abstract: "Learn gradient accumulation by driving a real training run, one command at a time.",
    discussion: """
      gashell                                   interactive prompt (type `help`)
      gashell lessons/02-accumulation.ga        run a lesson as a notebook
      gashell --quick lessons/02-accumulation.ga   the same, with less data and fewer epochs
      gashell --notebook 02.ipynb lessons/02-accumulation.ga   and keep it as a Jupyter notebook
      gashell -c 'load fashion; model mlp 512; train 1'
      gashell --check Tests/Transcripts/*.txt   replay transcripts (GASHELL_RECORD=1 re-records)
      gashell kernel install --user             then open the lessons in JupyterLab (`gashell kernel --help`)
      """,
    version: "gashell 0.1.0")

  /// `gashell kernel …` is a command of its own: as a subcommand, the script argument would take it.
  static func main() {
    let arguments = Array(CommandLine.arguments.dropFirst())
    if arguments.first == "kernel" { KernelCommand.main(Array(arguments.dropFirst())) } else { main(arguments) }
  }

  @Argument(help: "A script or lesson (.ga) to run.")
  var script: String?

  @Option(name: .customShort("c"), help: "Commands to run, separated by ';'.")
  var commands: String?

  @Flag(name: .customShort("i"), help: "Continue interactively after the script or -c.")
  var interactive = false

  @Flag(help: "Replay the given transcript files and report differences.")
  var check = false

  @Flag(help: "Less data and fewer epochs, for demos and tests.")
  var quick = false

  @Option(help: ArgumentHelp("Write the session as a Jupyter notebook when it ends (also after an error).",
                              valueName: "file.ipynb"))
  var notebook: String?

  @Argument(help: .hidden)
  var more: [String] = []

  func validate() throws {
    // Before a lesson runs for minutes, not after.
    guard let notebook else { return }
    do { try Notebook.checkFileName(notebook) } catch { throw failure(error.message) }
    let directory = ((notebook as NSString).expandingTildeInPath as NSString).deletingLastPathComponent
    guard FileManager.default.isWritableFile(atPath: directory.isEmpty ? "." : directory) else {
      throw failure("cannot write \(notebook): '\(directory)' is not a directory you can write to")
    }
  }

  mutating func run() throws {
    if check { try checkTranscripts(); return }
    guard more.isEmpty else { throw failure("one script at a time (got \(more.count + 1)) — `gashell --check` takes several transcripts") }

    // Characters, not bytes, at the prompt: libedit reads and writes UTF-8 only under a UTF-8
    // LC_CTYPE. Only LC_CTYPE: LC_NUMERIC would turn 2.302585 into 2,302585 in some locales.
    setlocale(LC_CTYPE, "")
    if String(cString: nl_langinfo(nl_item(CODESET))) != "UTF-8" { setlocale(LC_CTYPE, "C.UTF-8") }

    let terminal = LineEditor.isTerminal
    // At a terminal, long lines break at words (the terminal itself would cut one in two);
    // scripts' and pipes' output stays as printed, for transcripts and other programs.
    let width = Width()
    var output: (String) -> Void = writeToStandardOutput
    if terminal { output = { text in writeToStandardOutput(WordWrap.text(text, width: width.columns)) } }
    let session = Session(output: output)
    session.settings.quick = quick
    Interrupt.install()
    session.isInterrupted = { Interrupt.requested }
    session.showsProgress = terminal
    if terminal { session.terminalWidth = terminalColumns(); width.columns = session.terminalWidth }
    var editor: LineEditor?
    func lineEditor() -> LineEditor {
      if let editor { return editor }
      // libedit calls the completer on this thread, inside readLine: no concurrent access.
      nonisolated(unsafe) let completing = session
      let e = LineEditor(completer: { line, start in
        switch Command.candidates(line: line, wordStart: start, session: completing) {
        case .words(let words): return .words(words)
        case .files: return .files
        }
      })
      editor = e
      return e
    }
    if terminal {
      session.waitForEnter = { _ = lineEditor().readLine(prompt: "(Enter to go on) ") }
      session.clearScreen = { writeToStandardOutput("\u{1B}[H\u{1B}[2J") }   // home, erase the screen
    }

    var ok = true
    if let script {
      let text = try readScript(script)
      ok = Script(name: script, text: text).run(in: session, present: true)
    }
    if ok, let commands {
      let lines = Words.commands(commands)
      ok = Script(name: "-c", text: lines.joined(separator: "\n")).run(in: session, present: false)
    }
    let ranSomething = script != nil || commands != nil
    if !ranSomething && !terminal {
      // Commands from a pipe: a script without presentation.
      var lines: [String] = []
      while let line = Swift.readLine() { lines.append(line) }
      ok = Script(name: "<stdin>", text: lines.joined(separator: "\n")).run(in: session, present: false)
    }
    if (!ranSomething && terminal) || (interactive && !session.wantsToQuit) {
      let editor = lineEditor()
      if !ranSomething {
        session.say("gashell — gradient accumulation, one command at a time. `help` lists commands, Ctrl-D leaves.")
        session.say("A first step: `load fashion`, `model mlp 512`, then `backward` and `show grad`. "
          + "Or a lesson: `gashell --quick lessons/01-baseline.ga` (the README lists them all)")
      }
      if let problem = editor.historyProblem { session.say("warning: \(problem) — history is not kept (GASHELL_HISTORY names another file)") }
      while !session.wantsToQuit {
        if let signal = Interrupt.termination { try terminate(signal, editor, session) }
        Interrupt.clear()
        session.terminalWidth = terminalColumns()  // the window may have been resized
        width.columns = session.terminalWidth
        switch editor.readLine(prompt: session.prompt) {
        case .line(let line): session.executeReportingErrors(line)
        case .interrupted: continue
        case .endOfInput: session.quit()
        }
      }
      editor.saveHistory()
      try writeNotebook(of: session)
      return
    }
    if let signal = Interrupt.termination { try terminate(signal, editor, session) }
    try writeNotebook(of: session)
    if !ok { throw ExitCode(1) }
  }

  /// SIGTERM or SIGHUP came: the command it came in has stopped as on Ctrl-C; history and the
  /// notebook are written, and the exit status says which signal (143, 129), as a shell's would.
  private func terminate(_ signal: Int32, _ editor: LineEditor?, _ session: Session) throws -> Never {
    editor?.saveHistory()
    try? writeNotebook(of: session)
    throw ExitCode(128 + signal)
  }

  /// `--notebook`: everything that ran, including the error that stopped a script.
  private func writeNotebook(of session: Session) throws {
    guard let notebook else { return }
    do {
      try session.writeNotebook(to: notebook)
      session.output("notebook of \(session.notebookCells.count) cells written to \(notebook)\n")
    } catch {
      FileHandle.standardError.write(Data("gashell: \(error)\n".utf8))
      throw ExitCode(1)
    }
  }

  private func checkTranscripts() throws {
    let files = (script.map { [$0] } ?? []) + more
    guard !files.isEmpty else { throw failure("--check needs transcript files, e.g. `gashell --check Tests/Transcripts/*.txt`") }
    let record = TranscriptReplay.recordRequested
    var failed = 0
    for file in files {
      do {
        _ = try readText(file)   // one clear line for a folder, a fifo or binary, before the replay
        let result = try TranscriptCheck.check(path: file, record: record)
        if result.passed {
          print("ok    \(file)")
        } else {
          failed += 1
          print(record ? "rerecorded \(file)" : "FAIL  \(file)")
          if !record { print(result.diff) }
        }
      } catch {
        failed += 1
        print("FAIL  \(file): \(error.localizedDescription)")
      }
    }
    print("\(files.count - failed) passed, \(failed) failed")
    if failed > 0 && !record { throw ExitCode(1) }
  }
}

/// One line on standard error, then exit status 1: what a mistake on the command line gets (the
/// usage text is one `gashell --help` away).
private func failure(_ message: String) -> ExitCode {
  FileHandle.standardError.write(Data("gashell: \(message)\n".utf8))
  return ExitCode(1)
}

/// A script's text, or one line saying why not.
private func readScript(_ path: String) throws -> String {
  do { return try readText(path) } catch { throw failure("cannot read \(path): \(error.message)") }
}

/// A text file's contents, or why not: missing, a folder, not a file (a fifo would block), not UTF-8.
private func readText(_ path: String) throws(ShellError) -> String {
  var isDirectory: ObjCBool = false
  guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw ShellError("no such file") }
  guard !isDirectory.boolValue else { throw ShellError("it is a directory") }
  guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
        attributes[.type] as? FileAttributeType == .typeRegular else { throw ShellError("not a regular file") }
  guard let data = FileManager.default.contents(atPath: path) else { throw ShellError("permission denied") }
  guard let text = String(data: data, encoding: .utf8) else { throw ShellError("not UTF-8 text") }
  return text
}

/// Everything gashell prints goes through here. When standard output is gone (a closed pipe with
/// SIGPIPE ignored, a full disk) there is no one to tell: stop quietly with status 1.
private func writeToStandardOutput(_ text: String) {
  var bytes = Array(text.utf8)[...]
  while !bytes.isEmpty {
    let n = bytes.withUnsafeBytes { write(STDOUT_FILENO, $0.baseAddress, $0.count) }
    if n < 0 && errno == EINTR { continue }
    guard n > 0 else { exit(1) }
    bytes = bytes.dropFirst(n)
  }
}

/// The width output is wrapped at, kept as the window is resized.
private final class Width: @unchecked Sendable { var columns = 80 }

/// The terminal's width, for plots: TIOCGWINSZ on stdout, else $COLUMNS, else 80.
private func terminalColumns() -> Int {
  var size = winsize()
  if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
  return ProcessInfo.processInfo.environment["COLUMNS"].flatMap { Int($0) } ?? 80
}
