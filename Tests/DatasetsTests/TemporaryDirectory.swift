// TemporaryDirectory.swift — a scratch directory per test, for writing IDX and gzip files.

import Foundation

/// A fresh directory under the system's temporary one, removed when the value goes away.
final class TemporaryDirectory {
  let path: String

  init() throws {
    path = FileManager.default.temporaryDirectory
      .appendingPathComponent("gashell-datasets-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  }

  deinit { try? FileManager.default.removeItem(atPath: path) }

  /// The path of `name` inside the directory.
  func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

  /// Writes `bytes` to `name` and returns its path.
  @discardableResult
  func write(_ bytes: [UInt8], to name: String) throws -> String {
    let target = file(name)
    try Data(bytes).write(to: URL(fileURLWithPath: target))
    return target
  }

  /// Compresses `name` with /bin/gzip into `name.gz`, keeping `name` unless told not to.
  /// `-n` leaves the name and time out of the header, so the bytes are reproducible.
  @discardableResult
  func gzip(_ name: String, keep: Bool = true) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/gzip")
    process.arguments = ["-n", "-f", "-k", file(name)]
    try process.run()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { throw CocoaError(.fileWriteUnknown) }
    if !keep { try FileManager.default.removeItem(atPath: file(name)) }
    return file(name) + ".gz"
  }

  /// The bytes of the file at `path` (a full path, as `write` and `gzip` return).
  func read(_ path: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: path))) }
}
