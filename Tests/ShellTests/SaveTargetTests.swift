// SaveTargetTests.swift — which file a `save` writes: one file under every spelling of its name
// (so a transcript leaves out earlier saves to itself, and `--check` never overwrites the file it
// checks), and what happens when the name is a symbolic link or a fifo.

import Foundation
import Glibc
import Testing
@testable import Shell

/// A session printing into a buffer; what it printed comes back from `printed`.
private func session() -> (Session, () -> String) {
  final class Buffer: @unchecked Sendable { var text = "" }
  let buffer = Buffer()
  return (Session(output: { buffer.text += $0 }), { buffer.text })
}

@Suite struct SaveTargetTests {
  @Test func spellingsOfOneFileAreTheSameFile() throws {
    let scratch = try Scratch()
    try FileManager.default.createSymbolicLink(atPath: scratch.file("dir"), withDestinationPath: scratch.path)
    try "x".write(toFile: scratch.file("t.txt"), atomically: false, encoding: .utf8)
    try FileManager.default.createSymbolicLink(atPath: scratch.file("lnk.txt"), withDestinationPath: "t.txt")
    for spelling in [scratch.relative("t.txt"), "./" + scratch.relative("t.txt"), scratch.file("./t.txt"),
                     scratch.path + "//t.txt", scratch.file("missing/../t.txt"), scratch.file("dir/t.txt"),
                     scratch.file("lnk.txt")] {
      #expect(Command.sameFile(spelling, scratch.file("t.txt")), "\(spelling)")
    }
    // A file that does not exist yet: its directory part is still resolved.
    #expect(Command.sameFile(scratch.file("dir/new.txt"), "./" + scratch.relative("new.txt")))
    #expect(!Command.sameFile(scratch.file("t.txt"), scratch.file("t.txt.bak")))
    #expect(Command.canonicalPath(scratch.file("dir/./new.txt")) == Command.canonicalPath(scratch.path) + "/new.txt")
  }

  @Test func earlierSavesToTheSameFileUnderAnotherNameAreLeftOut() throws {
    // `save transcript ./nat.txt`, later `save transcript nat.txt`: the first must not be replayed.
    let scratch = try Scratch()
    try FileManager.default.createSymbolicLink(atPath: scratch.file("dir"), withDestinationPath: scratch.path)
    let (session, _) = session()
    #expect(session.executeReportingErrors("set batch 16"))
    #expect(session.executeReportingErrors("model mlp 8"))
    #expect(session.executeReportingErrors("save transcript ./\(scratch.relative("nat.txt"))"))
    #expect(session.executeReportingErrors("save transcript \(scratch.file("dir/nat.txt"))"))
    #expect(session.executeReportingErrors("save weights '\(scratch.file("./nat.txt"))'"))
    #expect(session.executeReportingErrors("save transcript \(scratch.file("other.txt"))"))
    #expect(session.executeReportingErrors("save transcript \(scratch.relative("nat.txt"))"))
    let text = try scratch.read("nat.txt")
    #expect(Transcript.parse(text).entries.map(\.command)
            == ["set batch 16", "model mlp 8", "save transcript \(scratch.file("other.txt"))"])
    let result = try TranscriptCheck.check(path: scratch.file("nat.txt"), record: false)
    #expect(result.passed, "\(result.diff)")
    #expect(try scratch.read("nat.txt") == text)
  }

  @Test func checkNeverOverwritesTheTranscriptItChecks() throws {
    // Written by hand, or checked from another directory than it was saved in: a `save` in it
    // names the very file being checked. Replaying it would rewrite the file mid-check.
    let scratch = try Scratch()
    let path = scratch.file("nat.txt")
    let saves = ["save transcript ./\(scratch.relative("nat.txt"))", "save weights \(path)"]
    let text = """
      ga> model mlp 8
      ...
      ga> \(saves[0])
      transcript written to ./\(scratch.relative("nat.txt")) — `gashell --check ./\(scratch.relative("nat.txt"))` replays it
      ga> \(saves[1])
      weights of 6 tensors (6,442 floats) written to \(path)

      """
    try text.write(toFile: path, atomically: false, encoding: .utf8)

    let result = try TranscriptCheck.check(path: path, record: false)
    #expect(try scratch.read("nat.txt") == text)
    #expect(scratch.names == ["nat.txt"])
    #expect(!result.passed)
    #expect(result.failures.map(\.command) == saves)
    #expect(result.failures.map(\.actual) == [
      ["error: not replayed: it would overwrite ./\(scratch.relative("nat.txt")), the transcript being checked"],
      ["error: not replayed: it would overwrite \(path), the transcript being checked"],
    ])
  }

  @Test func savingThroughASymbolicLinkKeepsTheLink() throws {
    let scratch = try Scratch()
    try "old".write(toFile: scratch.file("target.txt"), atomically: false, encoding: .utf8)
    try FileManager.default.createSymbolicLink(atPath: scratch.file("lnk.txt"), withDestinationPath: "target.txt")
    let (session, _) = session()
    #expect(session.executeReportingErrors("set batch 16"))
    #expect(session.executeReportingErrors("save transcript \(scratch.file("lnk.txt"))"))
    #expect(try FileManager.default.destinationOfSymbolicLink(atPath: scratch.file("lnk.txt")) == "target.txt")
    #expect(try scratch.read("target.txt").hasPrefix("ga> set batch 16\n"))
    #expect(scratch.names == ["lnk.txt", "target.txt"])
  }

  /// `GASHELL_RECORD=1 gashell --check lnk.txt` rewrites the file the link points to, as `save` does.
  @Test func rerecordingThroughASymbolicLinkKeepsTheLink() throws {
    let scratch = try Scratch()
    try "ga> set batch 3\n".write(toFile: scratch.file("target.txt"), atomically: false, encoding: .utf8)
    try FileManager.default.createSymbolicLink(atPath: scratch.file("lnk.txt"), withDestinationPath: "target.txt")
    let result = try TranscriptCheck.check(path: scratch.file("lnk.txt"), record: true)
    #expect(!result.passed)
    #expect(try FileManager.default.destinationOfSymbolicLink(atPath: scratch.file("lnk.txt")) == "target.txt")
    #expect(try scratch.read("target.txt") == "ga> set batch 3\nbatch = 3\n")
  }

  @Test func savingOverAFifoIsOneErrorLineWithoutTheDirectoryHint() throws {
    let scratch = try Scratch()
    #expect(mkfifo(scratch.file("fifo.txt"), 0o644) == 0)
    let (session, printed) = session()
    #expect(session.executeReportingErrors("model mlp 8"))
    let before = printed().count
    #expect(!session.executeReportingErrors("save transcript \(scratch.file("fifo.txt"))"))
    #expect(!session.executeReportingErrors("save weights \(scratch.file("fifo.txt"))"))
    let refusal = "not a regular file but a named pipe (fifo) — left as it is, nothing written"
    #expect(printed().dropFirst(before).split(separator: "\n") == [
      "error: cannot write \(scratch.file("fifo.txt")): \(refusal)",
      "error: \(scratch.file("fifo.txt")): \(refusal)",
    ])
    var status = stat()
    #expect(lstat(scratch.file("fifo.txt"), &status) == 0 && status.st_mode & S_IFMT == S_IFIFO)
    #expect(scratch.names == ["fifo.txt"])
  }
}
