// GzipTests.swift — plain files pass through; gzip files inflate; damaged ones throw naming the file.

import Engine
import Glibc
import Testing

import Datasets

/// Bytes that compress a little but not trivially: runs of seeded values.
private func sampleBytes(_ count: Int, seed: UInt64) -> [UInt8] {
  var random = RandomNumbers(seed: seed)
  return (0..<count).map { i in UInt8(truncatingIfNeeded: i / 7) &+ UInt8(random.nextIndex(below: 4)) }
}

@Test func plainFilePassesThrough() throws {
  let dir = try TemporaryDirectory()
  let bytes = sampleBytes(10_000, seed: 1)
  let path = try dir.write(bytes, to: "plain")
  #expect(try Gzip.contents(ofFile: path) == bytes)
  #expect(try Gzip.contents(ofFile: dir.write([], to: "empty")) == [])
  #expect(try Gzip.contents(ofFile: dir.write([0x1f], to: "one-byte")) == [0x1f])
}

@Test func gzipFileInflates() throws {
  let dir = try TemporaryDirectory()
  let bytes = sampleBytes(300_000, seed: 2)
  try dir.write(bytes, to: "data")
  let path = try dir.gzip("data")
  #expect(Gzip.isCompressed(try Gzip.readFile(path)))
  #expect(try Gzip.contents(ofFile: path) == bytes)
  try dir.write([], to: "empty")
  #expect(try Gzip.contents(ofFile: dir.gzip("empty")) == [])
}

/// `cat a.gz b.gz` is a valid gzip file of a + b; its trailer gives only b's size,
/// so this also covers output outgrowing the size hint.
@Test func concatenatedMembersInflateToTheirConcatenation() throws {
  let dir = try TemporaryDirectory()
  let a = sampleBytes(200_000, seed: 3), b = sampleBytes(1_000, seed: 4)
  try dir.write(a, to: "a")
  try dir.write(b, to: "b")
  let joined = try dir.write(dir.read(dir.gzip("a")) + dir.read(dir.gzip("b")), to: "ab.gz")
  #expect(try Gzip.contents(ofFile: joined) == a + b)
}

@Test func truncatedGzipThrowsNamingTheFile() throws {
  let dir = try TemporaryDirectory()
  try dir.write(sampleBytes(100_000, seed: 5), to: "data")
  let gz = try dir.read(dir.gzip("data"))
  for cut in [gz.count / 2, gz.count - 4, 12] {
    let path = try dir.write(Array(gz[..<cut]), to: "cut.gz")
    #expect(message { try Gzip.contents(ofFile: path) }
            == "\(path): truncated gzip data (the compressed stream ends early)")
  }
}

@Test func corruptGzipThrowsNamingTheFile() throws {
  let dir = try TemporaryDirectory()
  try dir.write(sampleBytes(100_000, seed: 6), to: "data")
  let gz = try dir.read(dir.gzip("data"))

  var badMethod = gz
  badMethod[2] = 7  // only 8 (deflate) exists
  let path1 = try dir.write(badMethod, to: "method.gz")
  #expect(message { try Gzip.contents(ofFile: path1) } == "\(path1): corrupt gzip data (unknown compression method)")

  var badChecksum = gz
  badChecksum[gz.count - 8] ^= 0xff  // the CRC-32 in the trailer
  let path2 = try dir.write(badChecksum, to: "crc.gz")
  #expect(message { try Gzip.contents(ofFile: path2) } == "\(path2): corrupt gzip data (incorrect data check)")

  let path3 = try dir.write(gz + [1, 2, 3], to: "trailing.gz")
  #expect(message { try Gzip.contents(ofFile: path3) }
          == "\(path3): corrupt gzip data (3 unexpected bytes after the compressed stream)")

  var scrambled = gz
  for i in stride(from: 20, to: gz.count - 8, by: 97) { scrambled[i] ^= 0x5a }
  let path4 = try dir.write(scrambled, to: "scrambled.gz")
  #expect(message { try Gzip.contents(ofFile: path4) }?.hasPrefix("\(path4): corrupt gzip data (") == true)
}

@Test func unreadableFilesThrow() throws {
  let dir = try TemporaryDirectory()
  let missing = dir.file("missing.gz")
  #expect(message { try Gzip.contents(ofFile: missing) } == "\(missing): cannot open: No such file or directory")
  #expect(message { try Gzip.contents(ofFile: dir.path) } == "\(dir.path): is a directory")
}

/// A small file of zeros can inflate to gigabytes: past the limit, inflating stops with an error.
@Test func inflatingStopsAtTheLimit() throws {
  let dir = try TemporaryDirectory()
  let bytes = sampleBytes(300_000, seed: 8)
  try dir.write(bytes, to: "data")
  let gz = try dir.read(dir.gzip("data"))
  #expect(try Gzip.inflate(gz, file: "data.gz", limit: 300_000) == bytes)
  #expect(message { try Gzip.inflate(gz, file: "data.gz", limit: 100_000) }
          == "data.gz: inflates to more than 100000 bytes: not a dataset file")
}

/// Opening a fifo would wait for a writer forever; it is refused before the open.
@Test func aFifoIsRefusedWithoutWaiting() throws {
  let dir = try TemporaryDirectory()
  let path = dir.path + "/fifo"
  #expect(mkfifo(path, 0o644) == 0)
  #expect(message { try Gzip.contents(ofFile: path) } == "\(path): is not a regular file")
}
