// PipedStandardInput.swift — fd 0 swapped for a pipe for the length of a test, so LineEditor's
// plain path (getline on stdin) reads what the test writes, in process.

import CEditLine
import Foundation

/// Standard input from a pipe the test writes into, until `restore()`. Also saves and restores
/// the SIGINT handler, which `LineEditor.init` replaces. Tests using it must be serialized, and
/// must read to the end of input: stdin's buffer and EOF flag outlive the pipe.
final class PipedStandardInput {
  private var writeEnd: Int32
  private let savedInput: Int32
  private var savedSIGINT = sigaction()

  /// Stdin from a new pipe holding `text`; the writing end stays open (reads block) unless `closed`.
  init(_ text: String = "", closed: Bool = true) throws {
    var ends: [Int32] = [0, 0]
    guard pipe(&ends) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    // Close-on-exec: a child another test spawns must not hold the writing end (no EOF then).
    for fd in ends { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
    savedInput = fcntl(0, F_DUPFD_CLOEXEC, 3)
    writeEnd = ends[1]
    sigaction(SIGINT, nil, &savedSIGINT)
    dup2(ends[0], 0)
    Foundation.close(ends[0])
    clearerr(gashell_stdin())
    write(text)
    if closed { close() }
  }

  /// Appends `text` to what stdin will read.
  func write(_ text: String) {
    let bytes = Array(text.utf8)
    precondition(bytes.count < 60_000, "more than a pipe's buffer: the write would block")
    _ = bytes.withUnsafeBytes { Foundation.write(writeEnd, $0.baseAddress, $0.count) }
  }

  /// Ends the input: the reader sees end of file once the pipe is drained.
  func close() {
    if writeEnd >= 0 { Foundation.close(writeEnd); writeEnd = -1 }
  }

  /// The real stdin and SIGINT handler back, stdin's EOF and error flags cleared.
  func restore() {
    close()
    dup2(savedInput, 0)
    Foundation.close(savedInput)
    clearerr(gashell_stdin())
    sigaction(SIGINT, &savedSIGINT, nil)
  }
}
