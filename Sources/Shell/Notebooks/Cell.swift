// Cell.swift — what a session remembers of itself, so it can be saved as a notebook
// or a transcript: narration (Markdown) and commands with their output.

/// One cell of the session as it happened.
public enum Cell: Sendable, Equatable {
  /// Narration from a lesson's `#` lines.
  case markdown(String)
  /// A command, the prompt it was typed at, everything it printed (errors included), and the
  /// pictures it drew, whose text versions are in the output.
  case code(prompt: String, command: String, output: String, pictures: [Picture] = [])
}

/// A plot or an image a command drew: its SVG, and its text version's place in the command's
/// output, so that a notebook shows the picture there (the text stays its plain version).
public struct Picture: Sendable, Equatable {
  /// Where the text version starts in the output, in UTF-8 bytes.
  public let offset: Int
  public let text: String
  public let svg: String
}
