// PlainLineTests.swift — LineEditor without a terminal: lines from stdin as they are, no history,
// and Ctrl-C while waiting for a line.

import Foundation
import Synchronization
import Testing
@testable import LineEditing

@Suite(.serialized) struct PlainLineTests {
  @Test func linesComeBackWithoutTheirEndingsThenEndOfInput() throws {
    let long = String(repeating: "x", count: 10_000)  // longer than getline's first buffer
    let input = try PipedStandardInput("set batch 16\n\n  show grad  \r\ncafé ↦ 1e-3\n\(long)\nlast")
    defer { input.restore() }
    let editor = LineEditor(historyFile: nil)
    #expect(!editor.usesTerminal)
    var lines: [LineResult] = []
    for _ in 0..<8 { lines.append(editor.readLine(prompt: "ga> ")) }
    #expect(lines == [.line("set batch 16"), .line(""), .line("  show grad  "), .line("café ↦ 1e-3"),
                      .line(long), .line("last"), .endOfInput, .endOfInput])
  }

  @Test func nothingGoesToTheHistoryWithoutATerminal() throws {
    let dir = try TemporaryDirectory()
    let path = try dir.write("a\nb\nc\nd\ne\n", to: "history")  // over the limit of 3
    let input = try PipedStandardInput("backward\nstep\n")
    defer { input.restore() }
    let editor = LineEditor(historyFile: path, historyLimit: 3)
    #expect(editor.historyFile == path)
    #expect(editor.readLine(prompt: "") == .line("backward"))
    #expect(editor.readLine(prompt: "") == .line("step"))
    #expect(editor.readLine(prompt: "") == .endOfInput)
    editor.saveHistory()
    // Not loaded, not appended to, not trimmed: a piped script leaves the user's history alone.
    #expect(editor.history.isEmpty)
    #expect(try dir.text("history") == "a\nb\nc\nd\ne\n")
  }

  @Test func aCtrlCPressedBeforeThePromptIsForgotten() throws {
    let input = try PipedStandardInput("step\n")
    defer { input.restore() }
    let editor = LineEditor(historyFile: nil)
    Interrupt.request()  // Ctrl-C during the previous command
    #expect(Interrupt.requested)
    #expect(editor.readLine(prompt: "") == .line("step"))
    #expect(!Interrupt.requested)
    #expect(editor.readLine(prompt: "") == .endOfInput)
  }

  /// Ctrl-C while getline waits: `.interrupted`, and stdin still reads afterwards. glibc's getline
  /// fails at once on a stream whose error flag is set, so without `clearerr` every later read
  /// would end the input (or spin).
  @Test func ctrlCWhileWaitingInterruptsAndTheNextLineStillReads() throws {
    let input = try PipedStandardInput(closed: false)  // nothing to read yet: getline blocks
    defer { input.restore() }
    let reader = Reader(LineEditor(historyFile: nil))
    let thread = Thread { reader.run() }
    thread.start()
    // Signal the reading thread until readLine returns: a SIGINT that lands between readLine's
    // Interrupt.clear() and the blocking read only sets the flag, the next one interrupts the read.
    let deadline = Date().addingTimeInterval(10)
    while reader.result.withLock({ $0 }) == nil && Date() < deadline {
      reader.thread.withLock { if let t = $0 { _ = pthread_kill(t, SIGINT) } }  // locked: t is alive
      usleep(20_000)
    }
    let result = reader.result.withLock { $0 }
    if result == nil { input.close() }  // a hung read: end it so the thread can finish
    reader.finished.wait()
    #expect(result == .interrupted)

    input.write("after\n")
    input.close()
    #expect(reader.editor.readLine(prompt: "") == .line("after"))
    #expect(reader.editor.readLine(prompt: "") == .endOfInput)
  }
}

/// One readLine on its own thread, which stays alive (so it can be signalled safely) until it returns.
final class Reader: @unchecked Sendable {
  let editor: LineEditor
  let thread = Mutex<pthread_t?>(nil)
  let result = Mutex<LineResult?>(nil)
  let finished = DispatchSemaphore(value: 0)

  init(_ editor: LineEditor) { self.editor = editor }

  func run() {
    thread.withLock { $0 = pthread_self() }
    // The test runner's threads (and so this one, which inherits their mask) block SIGINT;
    // gashell's main thread does not.
    var unblock = sigset_t()
    sigemptyset(&unblock)
    sigaddset(&unblock, SIGINT)
    pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
    let r = editor.readLine(prompt: "")
    // Stop being a target before telling the signaller, so no SIGINT reaches a finished thread.
    thread.withLock { $0 = nil }
    result.withLock { $0 = r }
    finished.signal()
  }
}
