// HistoryFile.swift — the command history on disk: plain text, one command a line,
// appended after every command and trimmed to the newest `limit` lines.

import Foundation

/// Persistent history. Plain text rather than libedit's `write_history` format (which
/// escapes every space as `\040`), so the file reads, greps and diffs as typed.
///
/// Every command is appended the moment it is entered, so a crash or a killed terminal
/// loses nothing, and two sessions running at once both keep their commands; `trim()`
/// (at load and at exit) cuts the file back to the newest `limit` lines.
struct HistoryFile {
  let path: String
  let limit: Int

  /// The newest `limit` commands in the file, oldest first; empty if there is no file yet.
  func load() -> [String] {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
    let lines = text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
    return Array(lines.suffix(limit))
  }

  /// Appends one command. Errors are ignored: history is a convenience, never a reason to stop.
  func append(_ command: String) {
    let fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0o600)
    guard fd >= 0 else { return }
    defer { close(fd) }
    let bytes = Array((command + "\n").utf8)
    _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
  }

  /// Rewrites the file with its newest `limit` lines if it has grown past them.
  func trim() {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return }
    let lines = text.split(separator: "\n", omittingEmptySubsequences: true)
    guard lines.count > limit else { return }
    let kept = lines.suffix(limit).joined(separator: "\n") + "\n"
    try? kept.write(toFile: path, atomically: true, encoding: .utf8)
  }
}
