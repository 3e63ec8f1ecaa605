// AtomicFileTests.swift — what an atomic write replaces: a regular file, the file a symbolic link
// points to (the link stays), and nothing else; and no temporary file left behind on failure.
import Foundation
import Glibc
import Testing
@testable import Engine

/// The kind of thing at `path` itself (a link is not followed), as lstat(2) reports it; nil if nothing.
private func kind(_ path: String) -> mode_t? {
  var status = stat()
  return lstat(path, &status) == 0 ? status.st_mode & S_IFMT : nil
}

private func contents(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

/// Expects the write to be refused with `reason`, after which the directory is as it was.
private func expectRefusal(_ path: String, in directory: String, _ reason: String,
                           sourceLocation: SourceLocation = #_sourceLocation) {
  let before = listing(of: directory)
  let error = #expect(throws: FileError.self, sourceLocation: sourceLocation) { try AtomicFile.write("new", to: path) }
  #expect(error?.description == "\(path): \(reason)", sourceLocation: sourceLocation)
  #expect(error?.code == nil, sourceLocation: sourceLocation)
  #expect(listing(of: directory) == before, "no temporary file left", sourceLocation: sourceLocation)
}

@Suite struct AtomicFileTests {
  @Test func aSymbolicLinkStaysALinkAndItsTargetIsReplaced() throws {
    try inScratchDirectory { directory in
      try "old".write(toFile: directory + "/target", atomically: false, encoding: .utf8)
      try FileManager.default.createSymbolicLink(atPath: directory + "/lnk", withDestinationPath: "target")
      try AtomicFile.write("new", to: directory + "/lnk")
      #expect(kind(directory + "/lnk") == S_IFLNK)
      #expect(try FileManager.default.destinationOfSymbolicLink(atPath: directory + "/lnk") == "target")
      #expect(try contents(directory + "/target") == "new")
      #expect(listing(of: directory) == ["lnk", "target"])
    }
  }

  @Test func aChainOfLinksAcrossDirectoriesIsFollowedToTheEnd() throws {
    try inScratchDirectory { directory in
      try FileManager.default.createDirectory(atPath: directory + "/sub", withIntermediateDirectories: false)
      try "old".write(toFile: directory + "/sub/target", atomically: false, encoding: .utf8)
      try FileManager.default.createSymbolicLink(atPath: directory + "/sub/relative", withDestinationPath: "target")
      try FileManager.default.createSymbolicLink(atPath: directory + "/first", withDestinationPath: "sub/relative")
      try AtomicFile.write("new", to: directory + "/first")
      #expect(kind(directory + "/first") == S_IFLNK && kind(directory + "/sub/relative") == S_IFLNK)
      #expect(try contents(directory + "/sub/target") == "new")
      #expect(listing(of: directory + "/sub") == ["relative", "target"])  // the temporary file was beside the target
    }
  }

  @Test func aDanglingLinkGetsItsTargetCreated() throws {
    try inScratchDirectory { directory in
      try FileManager.default.createSymbolicLink(atPath: directory + "/lnk", withDestinationPath: directory + "/target")
      try AtomicFile.write("new", to: directory + "/lnk")
      #expect(kind(directory + "/lnk") == S_IFLNK)
      #expect(try contents(directory + "/target") == "new")
    }
  }

  @Test func aFifoIsRefusedAndLeftAsItIs() throws {
    try inScratchDirectory { directory in
      let fifo = directory + "/fifo"
      #expect(mkfifo(fifo, 0o644) == 0)
      expectRefusal(fifo, in: directory, "not a regular file but a named pipe (fifo) — left as it is, nothing written")
      #expect(kind(fifo) == S_IFIFO)
    }
  }

  @Test func aLinkToAFifoIsRefusedAndBothAreLeft() throws {
    try inScratchDirectory { directory in
      #expect(mkfifo(directory + "/fifo", 0o644) == 0)
      try FileManager.default.createSymbolicLink(atPath: directory + "/lnk", withDestinationPath: "fifo")
      expectRefusal(directory + "/lnk", in: directory, "links to \(directory)/fifo, which is not a regular file "
                    + "but a named pipe (fifo) — left as it is, nothing written")
      #expect(kind(directory + "/lnk") == S_IFLNK && kind(directory + "/fifo") == S_IFIFO)
    }
  }

  @Test func aDirectoryIsRefused() throws {
    try inScratchDirectory { directory in
      try FileManager.default.createDirectory(atPath: directory + "/empty", withIntermediateDirectories: false)
      expectRefusal(directory + "/empty", in: directory,
                    "not a regular file but a directory — left as it is, nothing written")
      #expect(kind(directory + "/empty") == S_IFDIR)
    }
  }

  @Test func aLinkLoopIsAnErrorAndWritesNothing() throws {
    try inScratchDirectory { directory in
      try FileManager.default.createSymbolicLink(atPath: directory + "/a", withDestinationPath: "b")
      try FileManager.default.createSymbolicLink(atPath: directory + "/b", withDestinationPath: "a")
      let error = #expect(throws: FileError.self) { try AtomicFile.write("new", to: directory + "/a") }
      #expect(error?.reason == "cannot follow its symbolic links: Too many levels of symbolic links")
      #expect(listing(of: directory) == ["a", "b"])
    }
  }

  @Test func aFailedRenameRemovesTheTemporaryFile() throws {
    try inScratchDirectory { directory in
      // Something takes the name while the file is being written: rename(2) then refuses.
      let path = directory + "/w.txt"
      let error = #expect(throws: FileError.self) {
        try AtomicFile.write(to: path) { _ in
          try FileManager.default.createDirectory(atPath: path + "/inside", withIntermediateDirectories: true)
        }
      }
      #expect(error?.reason == "cannot rename the temporary file over it: Is a directory")
      #expect(listing(of: directory) == ["w.txt"])
    }
  }
}
