// HistoryFile.swift — the command history on disk: plain text, one command a line,
// appended after every command and trimmed to the newest `limit` lines.

import Foundation

/// Persistent history. Plain text rather than libedit's `write_history` format (which
/// escapes every space as `\040`), so the file reads, greps and diffs as typed.
///
/// Every command is appended the moment it is entered, so a crash or a killed terminal
/// loses nothing, and two sessions running at once both keep their commands; `trim()`
/// (at load and at exit) cuts the file back to the newest `limit` lines.
///
/// Only a regular file (or a name not there yet) is used: opening a fifo would block the prompt
/// until someone writes to it, and a device is nobody's history. `problem` says why a path is not.
struct HistoryFile {
  let path: String
  let limit: Int

  /// The longest line the shell accepts, and its newline: the newest `limit` commands always lie
  /// within the last `limit × tailBytesPerLine` bytes, so a huge file costs no more to load than a full one.
  static let tailBytesPerLine = 4097

  /// Why the path cannot be the history file (not a regular file), or nil.
  var problem: String? {
    var status = stat()
    guard stat(path, &status) == 0 else { return nil }   // not there yet: `append` creates it
    let kinds = [S_IFIFO: "a named pipe (fifo)", S_IFCHR: "a character device", S_IFBLK: "a block device",
                 S_IFSOCK: "a socket", S_IFDIR: "a directory"]
    let type = status.st_mode & S_IFMT
    return type == S_IFREG ? nil : "\(path) is \(kinds[type] ?? "not a regular file"), not a history file"
  }

  /// The newest `limit` commands in the file, oldest first; empty if there is no file yet.
  func load() -> [String] {
    Array(tail().lines.suffix(limit))
  }

  /// Appends one command. Errors are ignored: history is a convenience, never a reason to stop.
  func append(_ command: String) {
    guard problem == nil else { return }
    // O_NONBLOCK: should a fifo appear after the check, the open fails instead of waiting for a reader.
    let fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_NONBLOCK | O_CLOEXEC, 0o600)
    guard fd >= 0 else { return }
    defer { close(fd) }
    // A file whose last line has no newline (saved by an editor) must not glue this command to it.
    var last: UInt8 = UInt8(ascii: "\n")
    let size = lseek(fd, 0, SEEK_END)
    if size > 0 { _ = pread(fd, &last, 1, size - 1) }
    let bytes = Array(((last == UInt8(ascii: "\n") ? "" : "\n") + command + "\n").utf8)
    _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
  }

  /// Rewrites the file with its newest `limit` lines if it has grown past them.
  func trim() {
    let (lines, whole) = tail()
    guard !whole || lines.count > limit else { return }
    let kept = lines.suffix(limit).joined(separator: "\n") + "\n"
    try? kept.write(toFile: path, atomically: true, encoding: .utf8)
  }

  /// The commands in the file's last `limit × tailBytesPerLine` bytes (a line cut by that start is
  /// dropped), and whether that was the whole file.
  private func tail() -> (lines: [String], whole: Bool) {
    guard problem == nil else { return ([], true) }
    let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
    guard fd >= 0 else { return ([], true) }
    defer { close(fd) }
    let size = Int(lseek(fd, 0, SEEK_END))
    let start = max(0, size - limit * HistoryFile.tailBytesPerLine)
    var bytes = [UInt8](repeating: 0, count: size - start)
    var done = 0
    while done < bytes.count {
      let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, $0.count - done, off_t(start + done)) }
      guard n > 0 else { break }
      done += n
    }
    var text = String(decoding: bytes[..<done], as: UTF8.self)[...]
    if start > 0, let newline = text.firstIndex(of: "\n") { text = text[text.index(after: newline)...] }
    return (text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init), start == 0)
  }
}
