// Introspection.swift — the answers to `complete_request`, `inspect_request` and
// `is_complete_request`, from the command table: the same candidates Tab gives at the prompt,
// and `help COMMAND`. Positions are Unicode code points into the cell, as protocol 5.2+ counts.

import Foundation
import Shell

public enum Introspection {
  /// The line of `code` holding `cursor`, split at the cursor and at the start of the word
  /// being typed: (code points before the line, the line up to the word, the word so far).
  static func wordBefore(_ code: String, cursor: Int) -> (lineStart: Int, before: String, word: String) {
    let scalars = Array(code.unicodeScalars)
    let end = min(max(cursor, 0), scalars.count)
    var lineStart = end
    while lineStart > 0 && scalars[lineStart - 1] != "\n" { lineStart -= 1 }
    var wordStart = end
    while wordStart > lineStart && scalars[wordStart - 1] != " " && scalars[wordStart - 1] != "\t" { wordStart -= 1 }
    func text(_ r: Range<Int>) -> String { String(String.UnicodeScalarView(scalars[r])) }
    return (lineStart, text(lineStart..<wordStart), text(wordStart..<end))
  }

  /// Completions for the word before `cursor`, and the code-point range they replace.
  public static func complete(_ code: String, cursor: Int, session: Session?) -> (matches: [String], start: Int, end: Int) {
    let (lineStart, before, word) = wordBefore(code, cursor: cursor)
    let end = lineStart + before.unicodeScalars.count + word.unicodeScalars.count
    let start = end - word.unicodeScalars.count
    var line = before
    // A lesson's "! command" (an error shown on purpose) completes as the command; "#" is prose.
    if line.trimmingCharacters(in: .whitespaces).hasPrefix("#") { return ([], start, end) }
    if let bang = line.firstIndex(of: "!"), line[..<bang].allSatisfy({ $0 == " " || $0 == "\t" }) {
      line.remove(at: bang)
    }
    var prefix = word
    if before.trimmingCharacters(in: .whitespaces).isEmpty && prefix.hasPrefix("!") { prefix.removeFirst() }
    let skipped = word.unicodeScalars.count - prefix.unicodeScalars.count
    switch Command.candidates(line: line + prefix, wordStart: line.count, session: session) {
    case .words(let all):
      var seen = Set<String>()
      return (all.filter { $0.hasPrefix(prefix) && seen.insert($0).inserted }, start + skipped, end)
    case .files:
      return (files(startingWith: prefix), start + skipped, end)
    }
  }

  /// Paths that complete `prefix` as the shell would: directories end in "/".
  static func files(startingWith prefix: String) -> [String] {
    let slash = prefix.lastIndex(of: "/")
    let directoryPart = slash.map { String(prefix[...$0]) } ?? ""
    let namePart = slash.map { String(prefix[prefix.index(after: $0)...]) } ?? prefix
    let directory = directoryPart.isEmpty ? "." : (directoryPart as NSString).expandingTildeInPath
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
    return names.filter { $0.hasPrefix(namePart) && (namePart.hasPrefix(".") || !$0.hasPrefix(".")) }.sorted().map { name in
      var isDirectory: ObjCBool = false
      FileManager.default.fileExists(atPath: (directory as NSString).appendingPathComponent(name), isDirectory: &isDirectory)
      return directoryPart + name + (isDirectory.boolValue ? "/" : "")
    }
  }

  /// `help COMMAND` for the command under the cursor, or for the command of the line it is in.
  public static func inspect(_ code: String, cursor: Int) -> String? {
    let scalars = Array(code.unicodeScalars)
    let at = min(max(cursor, 0), scalars.count)
    func isBlank(_ s: Unicode.Scalar) -> Bool { s == " " || s == "\t" || s == "\n" }
    var start = at, end = at
    while start > 0 && !isBlank(scalars[start - 1]) { start -= 1 }
    while end < scalars.count && !isBlank(scalars[end]) { end += 1 }
    let word = String(String.UnicodeScalarView(scalars[start..<end])).trimmingPrefix("!")
    var lineStart = start
    while lineStart > 0 && scalars[lineStart - 1] != "\n" { lineStart -= 1 }
    let firstWord = String(String.UnicodeScalarView(scalars[lineStart..<scalars.count]))
      .split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).first.map { String($0.trimmingPrefix("!")) }
    for name in [String(word), firstWord ?? ""] where !name.isEmpty && Command.named(name) != nil {
      var text = ""
      let scratch = Session(output: { text += $0 })   // help needs no state; the cell's session stays untouched
      if (try? scratch.execute("help \(name)")) != nil { return text }
    }
    return nil
  }

  /// "complete", or "invalid" for a line no command can take (an unclosed quote, a control
  /// character): a gashell command is one line, so more lines never make a cell complete.
  public static func isComplete(_ code: String) -> String {
    for raw in code.split(whereSeparator: \.isNewline) {
      let line = raw.trimmingCharacters(in: .whitespaces)
      if line.isEmpty || line.hasPrefix("#") { continue }
      if line.unicodeScalars.contains(where: { $0 != "\t" && $0.properties.generalCategory == .control }) { return "invalid" }
      if (try? Words.split(line)) == nil { return "invalid" }
    }
    return "complete"
  }
}
