// Cell.swift — what a session remembers of itself, so it can be saved as a notebook
// or a transcript: narration (Markdown) and commands with their output.

/// One cell of the session as it happened.
public enum Cell: Sendable, Equatable {
  /// Narration from a lesson's `#` lines.
  case markdown(String)
  /// A command, the prompt it was typed at, and everything it printed (errors included).
  case code(prompt: String, command: String, output: String)
}
