// Arguments.swift — the checks commands make of their words, written once. A usage mistake
// is thrown as a UsageError; `Session.execute` adds the command's own usage line, so no
// command has to name itself to complain.

import Foundation

/// The words after a command's name do not fit its grammar.
struct UsageError: Error {
  /// What is wrong ("give a file name"); nil: the command takes no argument at all.
  let problem: String?
  init(_ problem: String) { self.problem = problem }
  private init() { problem = nil }
  static let takesNoArgument = UsageError()
}

/// For a command that takes nothing after its name.
func noArguments(_ words: [String]) throws {
  guard words.isEmpty else { throw UsageError.takesNoArgument }
}

/// A file name as typed (for messages) and as a path (`~` expanded: at the prompt no shell does it).
struct FileName {
  let typed: String
  let path: String

  /// `""` (typed as two quotes) is no name at all.
  init(_ word: String) throws {
    guard !word.isEmpty else { throw ShellError("an empty file name — give one, e.g. run1.safetensors") }
    typed = word
    path = FileName.expanded(word)
  }

  /// `~` expanded: the one place a typed name becomes a path.
  static func expanded(_ word: String) -> String { (word as NSString).expandingTildeInPath }

  /// The one file name `words` must be.
  static func only(_ words: some Collection<String>) throws -> FileName {
    guard words.count == 1, let word = words.first else {
      throw UsageError(words.isEmpty ? "give a file name" : "one file name — put a name with spaces in quotes")
    }
    return try FileName(word)
  }
}
