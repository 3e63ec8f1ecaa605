// Script.swift — running a file of commands: a lesson, a script, `-c`, or a pipe.
// Lessons read like a notebook: `#` lines are narration printed as prose, each
// command is echoed after the prompt before its output. The first error stops
// the script (SQLite's `.bail`) with FILE:LINE.

public struct Script {
  public let name: String
  public let lines: [String]

  public init(name: String, text: String) {
    self.name = name
    lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
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
      if present { session.output(session.prompt + line + "\n") }  // the echo belongs to no cell
      do { try session.execute(line) } catch {
        session.say("\(name):\(i + 1): \(error is ShellError ? "\(error)" : "error: \(error)")")
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
