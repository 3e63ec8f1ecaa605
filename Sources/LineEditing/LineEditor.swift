// LineEditor.swift — reads command lines: libedit on a terminal (emacs keys, ~/.editrc,
// history, Tab completion), plain getline() when stdin or stdout is not a terminal.

import CEditLine
import Foundation

/// What one prompt produced.
public enum LineResult: Sendable, Equatable {
  /// A line as typed, without its newline (possibly empty or with a trailing space).
  case line(String)
  /// Ctrl-C at the prompt: the typed text is dropped; show a fresh prompt.
  case interrupted
  /// Ctrl-D on an empty line, or the end of piped input.
  case endOfInput
}

/// The prompt of gashell. libedit keeps global state, so create one `LineEditor` per process.
///
/// On a terminal: libedit's readline API (emacs bindings, `~/.editrc` read by
/// `rl_initialize`, with `gashell:` lines for gashell only), history kept in memory and in
/// `historyFile`, Tab asking `completer`. Otherwise plain lines from stdin: no prompt is
/// printed and nothing goes to the history, so piped scripts read cleanly.
public final class LineEditor {
  /// Where history persists; nil keeps it in memory only.
  public let historyFile: String?
  /// The most commands kept, in memory and on disk.
  public let historyLimit: Int
  /// True when libedit is in use (both stdin and stdout are terminals).
  public let usesTerminal: Bool
  /// Commands entered, oldest first, including those loaded from `historyFile`.
  public private(set) var history: [String] = []

  private let file: HistoryFile?

  public init(historyFile: String? = LineEditor.defaultHistoryFile, historyLimit: Int = 1000,
              completer: @escaping Completer = { _, _ in [] }) {
    self.historyFile = historyFile
    self.historyLimit = historyLimit
    self.usesTerminal = LineEditor.isTerminal
    self.file = usesTerminal ? historyFile.map { HistoryFile(path: $0, limit: historyLimit) } : nil
    Interrupt.install()
    guard usesTerminal else { return }

    gashell_rl_set_readline_name(strdup("gashell"))     // lives as long as the program
    gashell_rl_break_words_at_blanks()
    gashell_rl_set_attempted_completion_function(attemptCompletion)
    completionState.withLock { $0.completer = completer }
    rl_initialize()                                     // reads ~/.editrc (or $EDITRC)
    stifle_history(Int32(historyLimit))
    file?.trim()
    for command in file?.load() ?? [] { remember(command) }
  }

  /// Shows `prompt` and reads one line. Ends the prompt's line itself on Ctrl-C and Ctrl-D,
  /// so what the caller prints next starts on a fresh line. Non-empty lines go to the history.
  public func readLine(prompt: String) -> LineResult {
    Interrupt.clear()
    guard usesTerminal else { return readPlainLine() }
    fflush(nil)                                         // our output before libedit's prompt
    guard let raw = CEditLine.readline(prompt) else {
      // readline() returns NULL for Ctrl-C (our SIGINT handler ran) and for Ctrl-D alike.
      let interrupted = Interrupt.requested
      Interrupt.clear()
      print(interrupted ? "^C" : "")
      return interrupted ? .interrupted : .endOfInput
    }
    defer { free(raw) }
    let line = String(cString: raw)
    // Tab completion leaves a trailing space; history keeps the trimmed command.
    let command = line.trimmingCharacters(in: .whitespaces)
    if !command.isEmpty && command != history.last {
      remember(command)
      file?.append(command)
    }
    return .line(line)
  }

  /// Why the history file is not used (it is a fifo, a device, a directory), or nil.
  public var historyProblem: String? { file?.problem }

  /// Cuts the history file back to `historyLimit` lines. Every command is already on disk
  /// (appended as it was entered); call this at exit.
  public func saveHistory() {
    file?.trim()
  }

  /// True when both stdin and stdout are terminals, the only case where editing makes sense.
  public static var isTerminal: Bool { isatty(0) != 0 && isatty(1) != 0 }

  /// `$GASHELL_HISTORY` if set (empty: no history file), else `~/.gashell_history`.
  public static var defaultHistoryFile: String? {
    let environment = ProcessInfo.processInfo.environment
    if let path = environment["GASHELL_HISTORY"] { return path.isEmpty ? nil : path }
    guard let home = environment["HOME"], !home.isEmpty else { return nil }
    return home + "/.gashell_history"
  }

  private func remember(_ command: String) {
    history.append(command)
    if history.count > historyLimit { history.removeFirst(history.count - historyLimit) }
    add_history(command)
  }

  /// One line from stdin with C `getline`. Not Swift's `readLine()`: on Linux it retries
  /// `getline` while errno is EINTR, but after Ctrl-C (no `SA_RESTART`) glibc's `getline`
  /// fails at once on the stream's error flag, without touching errno — a busy loop.
  private func readPlainLine() -> LineResult {
    let stream = gashell_stdin()
    var buffer: UnsafeMutablePointer<CChar>? = nil
    var capacity = 0
    defer { free(buffer) }
    while true {
      errno = 0
      let count = getline(&buffer, &capacity, stream)
      if count >= 0, let buffer {
        var bytes = UnsafeRawBufferPointer(start: buffer, count: count)[...]
        if bytes.last == UInt8(ascii: "\n") { bytes = bytes.dropLast() }
        if bytes.last == UInt8(ascii: "\r") { bytes = bytes.dropLast() }
        return .line(String(decoding: bytes, as: UTF8.self))
      }
      guard errno == EINTR else { return .endOfInput }
      clearerr(stream)
      if Interrupt.requested {
        Interrupt.clear()
        return .interrupted
      }
    }
  }
}
