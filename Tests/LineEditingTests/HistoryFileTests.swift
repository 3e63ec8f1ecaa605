// HistoryFileTests.swift — the history on disk: plain lines, appended one by one, trimmed to the newest.

import Foundation
import Testing
@testable import LineEditing

@Suite struct HistoryFileTests {
  @Test func aMissingFileLoadsAsEmptyAndTrimDoesNotCreateIt() throws {
    let dir = try TemporaryDirectory()
    let history = HistoryFile(path: dir.file("history"), limit: 5)
    #expect(history.load() == [])
    history.trim()
    #expect(!FileManager.default.fileExists(atPath: history.path))
  }

  @Test func appendedCommandsComeBackInOrderAsTyped() throws {
    let dir = try TemporaryDirectory()
    let history = HistoryFile(path: dir.file("history"), limit: 100)
    let commands = ["load fashion", "set batch 16", "show grad", "save weights ~/w é.safetensors"]
    for c in commands { history.append(c) }
    #expect(history.load() == commands)
    // Plain text, one command a line: no `\040` escapes for spaces (libedit's write_history format).
    #expect(try dir.text("history") == commands.joined(separator: "\n") + "\n")
  }

  @Test func appendKeepsRepeatsTheEditorDropsThem() throws {
    // De-duplication of consecutive commands is LineEditor's job; the file stores what it is given.
    let dir = try TemporaryDirectory()
    let history = HistoryFile(path: dir.file("history"), limit: 10)
    for c in ["backward", "backward", "step"] { history.append(c) }
    #expect(history.load() == ["backward", "backward", "step"])
  }

  @Test func theFileIsPrivateToItsOwner() throws {
    let dir = try TemporaryDirectory()
    let history = HistoryFile(path: dir.file("history"), limit: 10)
    history.append("set lr 1e-3")
    let mode = try FileManager.default.attributesOfItem(atPath: history.path)[.posixPermissions] as? Int
    #expect(mode.map { $0 & 0o077 } == 0, "mode \(String(mode ?? -1, radix: 8))")
  }

  @Test func twoSessionsAppendingToOneFileKeepBothSessionsCommands() throws {
    let dir = try TemporaryDirectory()
    let a = HistoryFile(path: dir.file("history"), limit: 10)
    let b = HistoryFile(path: dir.file("history"), limit: 10)
    a.append("a1"); b.append("b1"); a.append("a2"); b.append("b2")
    #expect(a.load() == ["a1", "b1", "a2", "b2"])
  }

  @Test func loadSkipsBlankLinesAndReturnsTheNewestLimit() throws {
    let dir = try TemporaryDirectory()
    let path = try dir.write("one\n\ntwo\n\n\nthree\nfour\n", to: "history")
    #expect(HistoryFile(path: path, limit: 3).load() == ["two", "three", "four"])
    #expect(HistoryFile(path: path, limit: 10).load() == ["one", "two", "three", "four"])
    // A last line without its newline (an editor's save) is still a command.
    let unterminated = try dir.write("one\ntwo", to: "unterminated")
    #expect(HistoryFile(path: unterminated, limit: 10).load() == ["one", "two"])
  }

  @Test func appendingToAFileWithoutItsLastNewlineKeepsBothCommands() throws {
    let dir = try TemporaryDirectory()
    let path = try dir.write("one\ntwo", to: "history")  // saved by an editor that adds no final newline
    let history = HistoryFile(path: path, limit: 10)
    history.append("three")
    #expect(history.load() == ["one", "two", "three"])
  }

  @Test func trimKeepsTheNewestLimitCommands() throws {
    let dir = try TemporaryDirectory()
    let history = HistoryFile(path: dir.file("history"), limit: 3)
    for i in 1...7 { history.append("train \(i)") }
    #expect(history.load() == ["train 5", "train 6", "train 7"])  // load alone cuts, the file is whole
    #expect(try dir.text("history").split(separator: "\n").count == 7)
    history.trim()
    #expect(try dir.text("history") == "train 5\ntrain 6\ntrain 7\n")
    history.append("step")  // the trimmed file still ends in a newline: the next command gets its own line
    #expect(history.load() == ["train 6", "train 7", "step"])
  }

  @Test func trimLeavesAFileWithinTheLimitUntouched() throws {
    let dir = try TemporaryDirectory()
    let text = "one\n\ntwo\nthree\n"  // three commands (the blank line does not count) for a limit of 3
    let path = try dir.write(text, to: "history")
    HistoryFile(path: path, limit: 3).trim()
    #expect(try dir.text("history") == text)
  }

  @Test func anUnwritablePathIsIgnored() throws {
    let dir = try TemporaryDirectory()
    let history = HistoryFile(path: dir.file("no/such/dir/history"), limit: 3)
    history.append("backward")  // must neither crash nor throw: history is a convenience
    history.trim()
    #expect(history.load() == [])
  }
}
