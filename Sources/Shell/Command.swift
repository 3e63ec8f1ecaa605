// Command.swift — a command declared once: name, grammar, help, completion and
// handler. `help`, Tab completion and did-you-mean all read the same table.

import Engine
import Foundation

/// What Tab may complete the current word to.
public enum Candidates: Sendable, Equatable {
  case words([String])
  /// A file name: the line editor completes paths.
  case files
}

public struct Command: Sendable {
  public let name: String
  public let aliases: [String]
  /// The argument grammar shown in help: "SETTING VALUE".
  public let arguments: String
  /// One line for `help`.
  public let summary: String
  /// More lines for `help NAME`, with examples.
  public let details: String
  /// Candidates for the next word, given the complete words after the command name
  /// and the session, when there is one (a model's parameter names depend on it).
  let complete: @Sendable (_ words: [String], _ session: Session?) -> Candidates
  let run: @Sendable (_ session: Session, _ arguments: [String]) throws -> Void

  init(name: String, aliases: [String] = [], arguments: String = "", summary: String, details: String = "",
       complete: @escaping @Sendable ([String], Session?) -> Candidates = { _, _ in .words([]) },
       run: @escaping @Sendable (Session, [String]) throws -> Void) {
    self.name = name
    self.aliases = aliases
    self.arguments = arguments
    self.summary = summary
    self.details = details
    self.complete = complete
    self.run = run
  }

  public var usage: String { arguments.isEmpty ? name : "\(name) \(arguments)" }

  public static func named(_ word: String) -> Command? {
    all.first { $0.name == word || $0.aliases.contains(word) }
  }

  /// Candidates for the word starting at `wordStart` in `line` (the text before the cursor).
  public static func candidates(line: String, wordStart: Int, session: Session? = nil) -> Candidates {
    let before = String(line.prefix(wordStart))
    let words = Words.splitLeniently(before)
    guard let first = words.first else { return .words(all.flatMap { [$0.name] + $0.aliases }) }
    guard let command = named(first) else { return .words([]) }
    return command.complete(Array(words.dropFirst()), session)
  }

  /// "usage: set SETTING VALUE" as an error, for a command given the wrong arguments.
  func usageError(_ problem: String = "") -> ShellError {
    ShellError((problem.isEmpty ? "" : problem + " — ") + "usage: \(usage) (`help \(name)` for examples)")
  }
}

/// Reads `word` as an integer in `range`, or says what is allowed.
func integer(_ word: String, _ what: String, in range: ClosedRange<Int>) throws -> Int {
  guard let n = Int(word.replacingOccurrences(of: "_", with: "")) else {
    throw ShellError("\(what) must be a whole number, got '\(word)'")
  }
  guard range.contains(n) else {
    throw ShellError("\(what) must be in \(range.lowerBound)–\(range.upperBound), got \(n)")
  }
  return n
}

/// Reads a decimal number (1e-3, 0.001) in `range`.
func number(_ word: String, _ what: String, in range: ClosedRange<Float>, excludingLower: Bool = false,
            excludingUpper: Bool = false) throws -> Float {
  guard let x = Float(word), x.isFinite else { throw ShellError("\(what) must be a number like 0.001 or 1e-3, got '\(word)'") }
  let low = excludingLower ? x > range.lowerBound : x >= range.lowerBound
  let high = excludingUpper ? x < range.upperBound : x <= range.upperBound
  guard low && high else {
    let lo = excludingLower ? "\(formatHyper(range.lowerBound)) < " : "\(formatHyper(range.lowerBound)) ≤ "
    let hi = excludingUpper ? " < \(formatHyper(range.upperBound))" : " ≤ \(formatHyper(range.upperBound))"
    throw ShellError("\(what) must be \(lo)X\(hi), got \(word)")
  }
  return x == 0 ? 0 : x   // `-0` is 0, and is shown so
}

func onOff(_ word: String, _ what: String) throws -> Bool {
  switch word.lowercased() {
  case "on", "yes", "true", "1": return true
  case "off", "no", "false", "0": return false
  default: throw ShellError("\(what) is on or off, got '\(word)'")
  }
}
