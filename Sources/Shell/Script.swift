// Script.swift — running a file of commands: a lesson, a script, `-c`, or a pipe.
// Lessons read like a notebook: `#` lines are narration printed as prose, each
// command is echoed after the prompt before its output. The first error stops
// the script (SQLite's `.bail`) with FILE:LINE, unless the line starts with `!`:
// a lesson showing an error on purpose (and a lesson that expected one and got
// none stops there). Ctrl-C stops it too, after the command it came in.

public struct Script {
  public let name: String
  public let lines: [String]

  public init(name: String, text: String) {
    self.name = name
    // By newline Characters: "\r\n" is one Character, so splitting on "\n" would leave a
    // lesson saved with Windows line endings as a single line.
    lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(String.init)
  }

  /// Runs every line; returns false after the first error (printed as `FILE:LINE: error: …`).
  /// `present`: narration as prose and commands echoed, as a lesson is shown.
  public func run(in session: Session, present: Bool) -> Bool {
    guard let stop = runUntilStopped(in: session, present: present) else { return true }
    session.say("\(name):\(stop.line): \(stop.message)")
    return false
  }

  /// What ended a script before its last line: an error, an expected error that did not come,
  /// or an interrupt. `run` prints it; the Jupyter kernel turns it into an `error` reply.
  public struct Stop: Sendable, Equatable {
    /// 1-based.
    public let line: Int
    /// "error: …", or "interrupted — the script stops here".
    public let message: String
    public let interrupted: Bool
  }

  /// Runs every line up to the first error, and says what stopped it, without printing that.
  public func runUntilStopped(in session: Session, present: Bool) -> Stop? {
    for (i, raw) in lines.enumerated() {
      if session.wantsToQuit { return nil }
      let line = raw.trimmingCharacters(in: .whitespaces)
      if line.hasPrefix("#") {
        if present { session.narrate(narration(line)) }
        continue
      }
      if line.isEmpty {
        if present && i > 0 && !lines[i - 1].trimmingCharacters(in: .whitespaces).isEmpty { session.output("\n") }
        continue
      }
      // "! command": a lesson shows an error on purpose; the script goes on, and stops if none comes.
      let expectsError = line.hasPrefix("!")
      let command = expectsError ? line.dropFirst().trimmingCharacters(in: .whitespaces) : line
      if present { session.output(session.prompt + command + "\n") }  // the echo belongs to no cell
      do {
        try session.execute(command)
        if expectsError {
          return Stop(line: i + 1, message: "error: `\(command)` was expected to fail, and did not", interrupted: false)
        }
      } catch {
        let message = error is ShellError ? "\(error)" : "error: \(error)"
        if expectsError { session.say(message); continue }
        return Stop(line: i + 1, message: message, interrupted: false)
      }
      // Ctrl-C stopped `train` (or came during another command): the learner wants the script to stop.
      if session.isInterrupted() {
        return Stop(line: i + 1, message: "interrupted — the script stops here", interrupted: true)
      }
    }
    return nil
  }

  /// "# Gradients add up." → "Gradients add up."; a lone "#" is an empty line.
  private func narration(_ line: String) -> String {
    var s = Substring(line.dropFirst())
    if s.first == " " { s = s.dropFirst() }
    return String(s)
  }
}

import Foundation
