// Gzip.swift — a whole file's bytes, inflated through zlib when it is gzip-compressed.

import CZlib
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads files that may or may not be gzip-compressed, so `x` and `x.gz` load alike.
public enum Gzip {
  /// The first two bytes of every gzip member (RFC 1952).
  public static let magic: [UInt8] = [0x1f, 0x8b]

  /// The file's contents, inflated if they start with the gzip magic number.
  public static func contents(ofFile path: String) throws -> [UInt8] {
    let raw = try readFile(path)
    return isCompressed(raw) ? try inflate(raw, file: path) : raw
  }

  public static func isCompressed(_ bytes: [UInt8]) -> Bool {
    bytes.count >= 2 && bytes[0] == magic[0] && bytes[1] == magic[1]
  }

  /// The most `contents(ofFile:)` inflates: FashionMNIST's largest file is 47 MB.
  public static let defaultLimit = 1 << 30

  /// The file's bytes as they are on disk.
  public static func readFile(_ path: String) throws -> [UInt8] {
    // A fifo would block the open until a writer comes: refuse anything but a file first.
    var before = stat()
    if stat(path, &before) == 0, before.st_mode & S_IFMT != S_IFREG, before.st_mode & S_IFMT != S_IFDIR {
      throw DatasetError(file: path, "is not a regular file")
    }
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { throw systemError("cannot open", path) }
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0 else { throw systemError("cannot read", path) }
    guard info.st_mode & S_IFMT != S_IFDIR else { throw DatasetError(file: path, "is a directory") }
    let size = Int(info.st_size)
    return try [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
      while count < size {
        let n = read(fd, buffer.baseAddress! + count, size - count)
        if n < 0 && errno == EINTR { continue }
        guard n >= 0 else { throw systemError("cannot read", path) }
        if n == 0 { break }  // the file shrank since fstat: keep what is there
        count += n
      }
    }
  }

  /// Inflates a complete gzip file (one member or several concatenated, as `cat a.gz b.gz`).
  /// Truncated or corrupt data, or more than `limit` bytes of output (a few kilobytes of
  /// zeros can inflate to gigabytes), throws an error naming `file`.
  public static func inflate(_ compressed: [UInt8], file: String, limit: Int = defaultLimit) throws -> [UInt8] {
    try compressed.withUnsafeBufferPointer { input in
      let inflater = try Inflater(input, file: file)
      // One allocation of the right size in the common case: the trailer's ISIZE is the
      // last member's length mod 2³². Deflate never compresses better than 1032:1, and
      // past 1 GiB we would rather grow than trust the four bytes of a damaged file.
      let hint = min(trailerSize(input), input.count * 1032, 1 << 30, limit)
      var output = try [UInt8](unsafeUninitializedCapacity: hint) { buffer, count in
        count = try inflater.inflate(into: buffer)
      }
      if !inflater.finished {  // outgrew the hint: several members, over 4 GiB, or damaged
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while !inflater.finished {
          let n = try chunk.withUnsafeMutableBufferPointer { try inflater.inflate(into: $0) }
          output.append(contentsOf: chunk[..<n])
          guard output.count <= limit else {
            let size = limit >= 1 << 20 ? "\(limit >> 20) MiB" : "\(limit) bytes"
            throw DatasetError(file: file, "inflates to more than \(size): not a dataset file")
          }
        }
      }
      return output
    }
  }

  /// ISIZE, the little-endian uncompressed size in the last four bytes of a gzip file.
  static func trailerSize(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
    guard bytes.count >= 18 else { return 0 }  // 10-byte header + 8-byte trailer at least
    return bytes[(bytes.count - 4)...].reversed().reduce(0) { $0 << 8 | Int($1) }
  }

  /// `path: what: reason`, with errno read before anything can change it.
  static func systemError(_ what: String, _ path: String) -> DatasetError {
    let code = errno
    return DatasetError(file: path, "\(what): \(String(cString: strerror(code)))")
  }
}

/// zlib's inflate over one input buffer, fed to it in pieces zlib's 32-bit counters can hold.
private final class Inflater {
  let input: UnsafeBufferPointer<UInt8>
  let file: String
  // zlib keeps a pointer back to its z_stream and checks it on every call, so the
  // struct must never move: it lives in memory of its own, not in a Swift variable.
  let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
  var consumed = 0        // input bytes handed to zlib so far
  var finished = false    // the last member's trailer has been read and checked
  private var started = false

  init(_ input: UnsafeBufferPointer<UInt8>, file: String) throws {
    self.input = input
    self.file = file
    stream.initialize(to: z_stream())
    // inflateInit2 is a C macro; 15 + 32: the largest window, gzip or zlib header detected.
    let status = inflateInit2_(stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
    guard status == Z_OK else { throw DatasetError(file: file, "zlib cannot start inflating (error \(status))") }
    started = true
  }

  deinit {
    if started { inflateEnd(stream) }
    stream.deinitialize(count: 1)
    stream.deallocate()
  }

  /// Inflates until `output` is full or the data ends; returns the bytes written.
  func inflate(into output: UnsafeMutableBufferPointer<UInt8>) throws -> Int {
    var written = 0
    while !finished && written < output.count {
      if stream.pointee.avail_in == 0 {
        guard consumed < input.count else {
          throw DatasetError(file: file, "truncated gzip data (the compressed stream ends early)")
        }
        let n = min(input.count - consumed, Int(UInt32.max))
        stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress! + consumed)
        stream.pointee.avail_in = UInt32(n)
        consumed += n
      }
      let room = min(output.count - written, Int(UInt32.max))
      stream.pointee.next_out = output.baseAddress! + written
      stream.pointee.avail_out = UInt32(room)
      let status = CZlib.inflate(stream, Z_NO_FLUSH)
      written += room - Int(stream.pointee.avail_out)
      switch status {
      case Z_OK:
        continue
      case Z_STREAM_END:
        try endMember()
      case Z_BUF_ERROR where stream.pointee.avail_in == 0:
        continue  // needs more input: the top of the loop gives it or reports truncation
      default:
        let detail = stream.pointee.msg.map { String(cString: $0) } ?? "zlib error \(status)"
        throw DatasetError(file: file, "corrupt gzip data (\(detail))")
      }
    }
    return written
  }

  /// At the end of a member: another member may follow; anything else is an error.
  private func endMember() throws {
    let rest = input.count - consumed + Int(stream.pointee.avail_in)
    guard rest > 0 else { finished = true; return }
    let next = input.count - rest
    guard rest >= 2, input[next] == Gzip.magic[0], input[next + 1] == Gzip.magic[1] else {
      throw DatasetError(file: file, "corrupt gzip data (\(rest) unexpected bytes after the compressed stream)")
    }
    inflateReset(stream)
  }
}
