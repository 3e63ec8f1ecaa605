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
      """,
    version: "gashell 0.1.0")

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
    do { try Notebook.checkFileName(notebook) } catch { throw ValidationError(error.message) }
    let directory = ((notebook as NSString).expandingTildeInPath as NSString).deletingLastPathComponent
    guard FileManager.default.isWritableFile(atPath: directory.isEmpty ? "." : directory) else {
      throw ValidationError("cannot write \(notebook): '\(directory)' is not a directory you can write to")
    }
  }

  mutating func run() throws {
    if check { try checkTranscripts(); return }
    guard more.isEmpty else { throw ValidationError("one script at a time (got \(more.count + 1))") }

    let session = Session(output: { FileHandle.standardOutput.write(Data($0.utf8)) })
    session.settings.quick = quick
    let terminal = LineEditor.isTerminal
    Interrupt.install()
    session.isInterrupted = { Interrupt.requested }
    session.showsProgress = terminal
    if terminal { session.terminalWidth = terminalColumns() }
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
    if terminal { session.waitForEnter = { _ = lineEditor().readLine(prompt: "(Enter to go on) ") } }

    var ok = true
    if let script {
      let text: String
      do { text = try String(contentsOfFile: script, encoding: .utf8) } catch {
        throw ValidationError("cannot read \(script): \(error.localizedDescription)")
      }
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
      if !ranSomething { session.say("gashell — gradient accumulation, one command at a time. `help` lists commands, Ctrl-D leaves.") }
      while !session.wantsToQuit {
        Interrupt.clear()
        session.terminalWidth = terminalColumns()  // the window may have been resized
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
    try writeNotebook(of: session)
    if !ok { throw ExitCode(1) }
  }

  /// `--notebook`: everything that ran, including the error that stopped a script.
  private func writeNotebook(of session: Session) throws {
    guard let notebook else { return }
    do {
      try session.writeNotebook(to: notebook)
      session.output("notebook of \(session.cells.count) cells written to \(notebook)\n")
    } catch {
      FileHandle.standardError.write(Data("gashell: \(error)\n".utf8))
      throw ExitCode(1)
    }
  }

  private func checkTranscripts() throws {
    let files = (script.map { [$0] } ?? []) + more
    guard !files.isEmpty else { throw ValidationError("--check needs transcript files") }
    let record = TranscriptReplay.recordRequested
    var failed = 0
    for file in files {
      do {
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

/// The terminal's width, for plots: TIOCGWINSZ on stdout, else $COLUMNS, else 80.
private func terminalColumns() -> Int {
  var size = winsize()
  if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
  return ProcessInfo.processInfo.environment["COLUMNS"].flatMap { Int($0) } ?? 80
}
