// AtomicFile.swift — whole-file writes that a crash cannot leave half done, and whole-file reads.
import Glibc  // gashell runs on Linux

/// A failed system call on a file: the file, what was being done, and the system's reason.
public struct FileError: Error, CustomStringConvertible {
  public let path: String
  public let reason: String   // "cannot create a temporary file in /x: No such file or directory"
  /// The system's errno; nil when gashell refused on its own, so hints about the directory do not apply.
  public let code: Int32?
  public var description: String { "\(path): \(reason)" }

  init(_ path: String, _ doing: String, code: Int32 = errno) {
    self.path = path
    self.code = code
    reason = "\(doing): \(String(cString: strerror(code)))"
  }

  init(_ path: String, refusing reason: String) {
    self.path = path
    self.code = nil
    self.reason = reason
  }
}

/// Public for the shell's text files (plots, notebooks, transcripts): one way to write a file.
public enum AtomicFile {
  /// An open file being written; `write` writes all the bytes or throws.
  public struct Writer {
    fileprivate let descriptor: Int32
    fileprivate let path: String

    public func write(_ bytes: UnsafeRawBufferPointer) throws(FileError) {
      var done = 0
      while done < bytes.count {  // write(2) may write less than asked, or be interrupted
        let n = Glibc.write(descriptor, bytes.baseAddress! + done, bytes.count - done)
        if n < 0 && errno == EINTR { continue }
        guard n > 0 else { throw FileError(path, "cannot write") }
        done += n
      }
    }
  }

  /// Writes `path` through `body` into a new file beside it, flushed to disk and then renamed over
  /// `path`: readers see the old file or the new one, never part of one. On any error the temporary
  /// file is removed, `path` is left as it was, and the error is rethrown. A symbolic link is
  /// followed and the file it points to replaced, so the link stays; anything else that is not a
  /// regular file (a fifo, a device, a socket, a directory) is refused before anything is written.
  public static func write(to path: String, _ body: (Writer) throws -> Void) throws {
    let target = try replacedFile(path)
    let slash = target.lastIndex(of: "/")
    let directory = slash.map { String(target[..<$0]).isEmpty ? "/" : String(target[..<$0]) } ?? "."
    let name = slash.map { String(target[target.index(after: $0)...]) } ?? target
    removeLeftovers(of: name, in: directory)
    let temporary = "\(directory)/\(temporaryPrefix(name))\(getpid())-\(UInt32.random(in: .min ... .max)).tmp"

    let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)  // the umask applies
    guard descriptor >= 0 else { throw FileError(path, "cannot create a temporary file in \(directory)") }
    do {
      defer { close(descriptor) }
      try body(Writer(descriptor: descriptor, path: path))
      guard fsync(descriptor) == 0 else { throw FileError(path, "cannot flush \(temporary)") }
    } catch {
      unlink(temporary)
      throw error
    }
    guard rename(temporary, target) == 0 else {
      let code = errno
      unlink(temporary)
      throw FileError(path, "cannot rename the temporary file over it", code: code)
    }
    // Make the rename itself durable. Some file systems refuse to sync a directory; the file is in place anyway.
    let directoryDescriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    if directoryDescriptor >= 0 {
      fsync(directoryDescriptor)
      close(directoryDescriptor)
    }
  }

  /// Temporary files are `.NAME.PID-RANDOM.tmp` beside NAME: hidden, and never taken for NAME itself.
  static func temporaryPrefix(_ name: String) -> String { ".\(name)." }

  /// Removes what earlier writes of `name` left when their process was killed mid-write (SIGKILL,
  /// a power cut): temporary files of `name` whose process no longer exists. A live process's
  /// file, ours or another gashell's, is left alone.
  static func removeLeftovers(of name: String, in directory: String) {
    guard let folder = opendir(directory) else { return }
    defer { closedir(folder) }
    let prefix = temporaryPrefix(name)
    while let entry = readdir(folder) {
      let file = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
      guard file.hasPrefix(prefix), file.hasSuffix(".tmp") else { continue }
      let middle = file.dropFirst(prefix.count).dropLast(4)          // "PID-RANDOM"
      let parts = middle.split(separator: "-")
      guard parts.count == 2, let pid = Int32(parts[0]), UInt32(parts[1]) != nil, pid > 0, pid != getpid() else { continue }
      if kill(pid, 0) == -1 && errno == ESRCH { unlink(directory + "/" + file) }
    }
  }

  /// The file a write to `path` replaces: `path`, or the end of the chain of symbolic links starting
  /// there. rename(2) replaces whatever has the name, so a fifo or a device node would become a
  /// regular file (as root, /dev/full too): those are refused. A path that cannot be examined is
  /// returned as it is, and creating the temporary file beside it reports why.
  private static func replacedFile(_ path: String) throws(FileError) -> String {
    var current = path
    for _ in 0..<40 {  // Linux's own limit on links followed (ELOOP)
      var status = stat()
      guard lstat(current, &status) == 0 else { return current }
      switch status.st_mode & S_IFMT {
      case S_IFREG:
        return current
      case S_IFLNK:
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink(current, &buffer, buffer.count - 1)
        guard count >= 0 else { throw FileError(path, "cannot read the symbolic link \(current)") }
        let link = String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        // A relative link counts from the directory holding it.
        current = link.hasPrefix("/") ? link
          : current.lastIndex(of: "/").map { String(current[...$0]) + link } ?? link
      default:
        let kind = kindOfFile(status.st_mode)
        let what = current == path ? "not a regular file" : "links to \(current), which is not a regular file"
        throw FileError(path, refusing: "\(what) but \(kind) — left as it is, nothing written")
      }
    }
    throw FileError(path, "cannot follow its symbolic links", code: ELOOP)
  }

  /// Writes `text` as UTF-8, atomically as above.
  public static func write(_ text: String, to path: String) throws {
    try write(to: path) { writer in try Array(text.utf8).withUnsafeBytes { try writer.write($0) } }
  }

  /// The whole file's bytes.
  static func read(_ path: String) throws(FileError) -> [UInt8] {
    try read(path, upTo: Int.max).bytes
  }

  /// The file's first `limit` bytes (all of them if it is shorter) and its size: a reader can
  /// look at a header before it reads, or refuses, gigabytes.
  /// Only a regular file is read: opened without blocking (a fifo would wait for a writer for
  /// ever), then refused unless fstat says it is one.
  static func read(_ path: String, upTo limit: Int) throws(FileError) -> (bytes: [UInt8], size: Int) {
    let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
    guard descriptor >= 0 else { throw FileError(path, "cannot open") }
    defer { close(descriptor) }
    var status = stat()
    guard fstat(descriptor, &status) == 0 else { throw FileError(path, "cannot stat") }
    guard status.st_mode & S_IFMT == S_IFREG else {
      throw FileError(path, refusing: "not a regular file but \(kindOfFile(status.st_mode)) — not read")
    }
    var bytes = [UInt8](repeating: 0, count: min(Int(status.st_size), limit))
    var done = 0
    while done < bytes.count {
      let n = bytes.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress! + done, $0.count - done) }
      if n < 0 && errno == EINTR { continue }
      guard n >= 0 else { throw FileError(path, "cannot read") }
      if n == 0 { bytes.removeSubrange(done...); break }  // the file shrank while we read it
      done += n
    }
    return (bytes, Int(status.st_size))
  }
}

/// "a named pipe (fifo)", "a directory", …: what a path that is not a regular file is.
func kindOfFile(_ mode: mode_t) -> String {
  let kinds = [S_IFIFO: "a named pipe (fifo)", S_IFCHR: "a character device", S_IFBLK: "a block device",
               S_IFSOCK: "a socket", S_IFDIR: "a directory", S_IFREG: "a regular file", S_IFLNK: "a symbolic link"]
  return kinds[mode & S_IFMT] ?? "a special file"
}
