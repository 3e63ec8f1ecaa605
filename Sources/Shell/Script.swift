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
    for (i, raw) in lines.enumerated() {
      if session.wantsToQuit { return true }
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
          session.say("\(name):\(i + 1): error: `\(command)` was expected to fail, and did not")
          return false
        }
      } catch {
        let message = error is ShellError ? "\(error)" : "error: \(error)"
        if expectsError { session.say(message); continue }
        session.say("\(name):\(i + 1): \(message)")
        return false
      }
      // Ctrl-C stopped `train` (or came during another command): the learner wants the script to stop.
      if session.isInterrupted() {
        session.say("\(name):\(i + 1): interrupted — the script stops here")
        return false
      }
    }
    return true
  }

  /// "# Gradients add up." → "Gradients add up."; a lone "#" is an empty line.
  private func narration(_ line: String) -> String {
    var s = Substring(line.dropFirst())
    if s.first == " " { s = s.dropFirst() }
    return String(s)
  }
}

import Foundation
