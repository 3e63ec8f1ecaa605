// CompletionTests.swift — the libedit callbacks behind Tab: what the completer is asked, how its
// words are filtered by the typed prefix, and file completion with `/` after a directory.

import CEditLine
import Foundation
import Synchronization
import Testing
@testable import LineEditing

@Suite(.serialized) struct CompletionTests {
  /// Runs attemptCompletion for `word` with `line` as the edited line (cursor at its end unless
  /// `cursor`, in bytes), the completer answering `answer`; returns libedit's match list
  /// (first the common prefix, then every match; nil for none) and what the completer was asked.
  func complete(_ word: String, line: String? = nil, cursor: Int? = nil, answer: Completion)
    -> (matches: [String]?, asked: [Asked]) {
    let recorder = Recorder()
    completionState.withLock { $0.completer = { l, s in recorder.record(l, s); return answer } }
    defer { completionState.withLock { $0.completer = nil } }
    let line = line ?? word
    let matches = Readline.withLine(line, cursor: cursor ?? line.utf8.count) {
      word.withCString { Readline.take(attemptCompletion($0, 0, 0)) }
    }
    return (matches, recorder.asked.withLock { $0 })
  }

  /// The common prefix, then the matches in a set: libedit sorts them with `qsort(…, strcmp)` on
  /// the char ** entries, an order of pointer bytes, not of words (it shows them sorted anyway).
  func prefixAndWords(_ matches: [String]?) -> (String, [String])? {
    matches.map { ($0[0], $0.dropFirst().sorted()) }
  }

  @Test func wordsAreFilteredByThePrefixWithoutRepeats() throws {
    let answer: Completion = ["step", "set", "show", "help", "set", "Seed"]
    let s = try #require(prefixAndWords(complete("s", answer: answer).matches))
    #expect(s.0 == "s" && s.1 == ["set", "show", "step"])  // one "set", no "help", no "Seed"
    let all = try #require(prefixAndWords(complete("", answer: answer).matches))
    #expect(all.0 == "" && all.1 == ["Seed", "help", "set", "show", "step"])
    let sh = try #require(prefixAndWords(complete("s", answer: ["show", "shuffle"]).matches))
    #expect(sh.0 == "sh", "the common prefix is what Tab inserts")
    #expect(complete("se", answer: answer).matches == ["set", "set"])  // one match: it is also the prefix
    #expect(complete("x", answer: answer).matches == nil)
    #expect(complete("s", answer: []).matches == nil)
  }

  @Test func noFallBackAndASpaceAfterAWord() {
    Readline.appendCharacter = 0
    Readline.attemptedCompletionOver = 0
    _ = complete("x", answer: ["set"])
    #expect(Readline.attemptedCompletionOver == 1)  // nil means nothing, not "try file names"
    #expect(Readline.appendCharacter == Int32(UInt8(ascii: " ")))
  }

  @Test func withoutACompleterNothingCompletes() {
    completionState.withLock { $0.completer = nil }
    let matches = Readline.withLine("se", cursor: 2) { "se".withCString { Readline.take(attemptCompletion($0, 0, 0)) } }
    #expect(matches == nil)
  }

  @Test func theCompleterSeesTheLineUpToTheCursorAndWhereTheWordStarts() {
    #expect(complete("se", line: "show se", answer: []).asked == [Asked(line: "show se", wordStart: 5)])
    // Cursor inside the line: what follows it is not part of the question.
    #expect(complete("se", line: "show se grad", cursor: 7, answer: []).asked == [Asked(line: "show se", wordStart: 5)])
    // The cursor is in bytes, the word start in Characters: é is two bytes, one Character.
    #expect(complete("é", line: "load é", answer: []).asked == [Asked(line: "load é", wordStart: 5)])
    #expect(complete("", line: "set ", answer: []).asked == [Asked(line: "set ", wordStart: 4)])
  }

  @Test func filesCompleteAndADirectoryGetsASlash() throws {
    let dir = try TemporaryDirectory()
    try dir.makeDirectory("subdir")
    try dir.write("", to: "sample.ga")
    try dir.write("", to: "script.ga")
    let base = dir.path + "/"

    let directory = complete(base + "su", answer: .files).matches
    #expect(directory == [base + "subdir", base + "subdir"])
    #expect(Readline.appendCharacter == Int32(UInt8(ascii: "/")), "ready for the next Tab inside it")

    #expect(complete(base + "sa", answer: .files).matches == [base + "sample.ga", base + "sample.ga"])
    #expect(Readline.appendCharacter == Int32(UInt8(ascii: " ")))

    let several = try #require(complete(base + "s", answer: .files).matches)
    #expect(several.first == base + "s")
    #expect(Set(several.dropFirst()) == [base + "subdir", base + "sample.ga", base + "script.ga"])
    #expect(Readline.appendCharacter == Int32(UInt8(ascii: " ")))

    #expect(complete(base + "zz", answer: .files).matches == nil)
  }

  @Test func nextWordHandsOutTheWordsThenNilAndRestartsAtStateZero() {
    completionState.withLock { $0.words = ["save", "set"]; $0.next = 0 }
    func next(_ state: Int32) -> String? {
      guard let p = nextWord(nil, state) else { return nil }
      defer { free(p) }
      return String(cString: p)
    }
    #expect([next(0), next(1), next(2)] == ["save", "set", nil])
    #expect(next(0) == "save")  // a new completion starts over
  }
}

struct Asked: Equatable, Sendable {
  let line: String
  let wordStart: Int
}

/// What a completer was called with, from libedit's thread.
final class Recorder: Sendable {
  let asked = Mutex<[Asked]>([])
  func record(_ line: String, _ wordStart: Int) { asked.withLock { $0.append(Asked(line: line, wordStart: wordStart)) } }
}

/// libedit's globals, reached by symbol: Swift 6 will not touch mutable C globals, and the shim
/// only has setters for some and getters for others. Never initialised here (no terminal).
enum Readline {
  static func address<T>(_ name: String, _: T.Type) -> UnsafeMutablePointer<T> {
    guard let raw = dlsym(nil, name) else { fatalError("libedit has no \(name)") }
    return raw.assumingMemoryBound(to: T.self)
  }

  static var appendCharacter: Int32 {
    get { address("rl_completion_append_character", Int32.self).pointee }
    set { address("rl_completion_append_character", Int32.self).pointee = newValue }
  }

  static var attemptedCompletionOver: Int32 {
    get { address("rl_attempted_completion_over", Int32.self).pointee }
    set { address("rl_attempted_completion_over", Int32.self).pointee = newValue }
  }

  /// Runs `body` with `line` as rl_line_buffer and the cursor (rl_point) at byte `cursor`.
  static func withLine<R>(_ line: String, cursor: Int, _ body: () -> R) -> R {
    let buffer = address("rl_line_buffer", UnsafeMutablePointer<CChar>?.self)
    let point = address("rl_point", Int32.self)
    let (savedBuffer, savedPoint) = (buffer.pointee, point.pointee)
    buffer.pointee = strdup(line)
    point.pointee = Int32(cursor)
    defer {
      free(buffer.pointee)
      (buffer.pointee, point.pointee) = (savedBuffer, savedPoint)
    }
    return body()
  }

  /// The strings of a NULL-terminated, malloc'd match list, which is freed.
  static func take(_ list: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> [String]? {
    guard let list else { return nil }
    var strings: [String] = []
    var i = 0
    while let s = list[i] { strings.append(String(cString: s)); free(s); i += 1 }
    free(list)
    return strings
  }
}
