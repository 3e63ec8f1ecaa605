// Completion.swift — Tab completion: what a completer answers, and the two capture-free
// C callbacks that hand its answer to libedit.

import CEditLine
import Foundation
import Synchronization

/// A completer's answer for the word under the cursor.
public enum Completion: Sendable, Equatable, ExpressibleByArrayLiteral {
  /// Complete from these words; those not starting with the typed prefix are dropped, so a
  /// completer may return every candidate for the position. Empty: nothing to complete.
  case words([String])
  /// Complete a file path (libedit's filename completion; `~/` works, directories get `/`).
  case files

  public init(arrayLiteral words: String...) { self = .words(words) }
}

/// What the completer sees: the line up to the cursor, and where the word being completed
/// starts in it (a `Character` offset). `("show se", 5)` asks to complete `se`.
public typealias Completer = @Sendable (_ line: String, _ wordStart: Int) -> Completion

/// State the C callbacks read. libedit calls them on the thread inside `readline()`; the
/// mutex makes the global safe to declare, not contended.
struct CompletionState: Sendable {
  var completer: Completer?
  var words: [String] = []
  var next = 0
}

let completionState = Mutex(CompletionState())

/// `rl_attempted_completion_function`: asks the completer, then answers libedit with
/// `rl_completion_matches` over our words or over libedit's filename generator.
func attemptCompletion(_ text: UnsafePointer<CChar>?, _ start: Int32, _ end: Int32)
  -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? {
  gashell_rl_set_attempted_completion_over(1)          // never fall back on our behalf
  gashell_rl_set_completion_append_character(Int32(UInt8(ascii: " ")))
  guard let text, let completer = completionState.withLock({ $0.completer }) else { return nil }
  let word = String(cString: text)
  let buffer = gashell_rl_line_buffer().map { Array(String(cString: $0).utf8) } ?? []
  let point = min(max(0, Int(gashell_rl_point())), buffer.count)
  let line = String(decoding: buffer[..<point], as: UTF8.self)
  let wordStart = max(0, line.count - word.count)

  switch completer(line, wordStart) {
  case .files:
    guard let matches = rl_completion_matches(text, rl_filename_completion_function) else { return nil }
    // A single directory gets "/" instead of " ", ready for the next Tab.
    if matches[1] != nil, matches[2] == nil, let path = matches[0].map({ String(cString: $0) }),
       isDirectory(path) {
      gashell_rl_set_completion_append_character(Int32(UInt8(ascii: "/")))
    }
    return matches
  case .words(let all):
    var seen = Set<String>()
    let words = all.filter { $0.hasPrefix(word) && seen.insert($0).inserted }
    guard !words.isEmpty else { return nil }
    completionState.withLock { $0.words = words; $0.next = 0 }
    return rl_completion_matches(text, nextWord)
  }
}

/// `rl_compentry_func_t`: returns the next word (malloc'd; libedit frees it), NULL when done.
func nextWord(_ text: UnsafePointer<CChar>?, _ state: Int32) -> UnsafeMutablePointer<CChar>? {
  let word: String? = completionState.withLock { s in
    if state == 0 { s.next = 0 }
    guard s.next < s.words.count else { return nil }
    defer { s.next += 1 }
    return s.words[s.next]
  }
  return word.flatMap { strdup($0) }
}

private func isDirectory(_ path: String) -> Bool {
  let expanded = (path as NSString).expandingTildeInPath
  var directory: ObjCBool = false
  return FileManager.default.fileExists(atPath: expanded, isDirectory: &directory) && directory.boolValue
}
