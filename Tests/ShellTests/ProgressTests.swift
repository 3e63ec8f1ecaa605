// ProgressTests.swift — the live progress line is for terminals: elsewhere `train` prints
// plain lines, with no carriage return or escape code.

import Foundation
import Testing
@testable import Shell

@Suite struct ProgressTests {
  func slowSession(showsProgress: Bool) throws -> TestSession {
    let t = TestSession()
    try t.run(["model mlp 8", "set batch 16"])
    t.session.showsProgress = showsProgress
    // 20 ms per micro-batch: 13 of them outlast the progress line's 0.2 s redraw interval.
    t.session.isInterrupted = { usleep(20_000); return false }
    return t
  }

  @Test func offATerminalTrainPrintsNoCarriageReturn() throws {
    let t = try slowSession(showsProgress: false)
    let out = try t.run("train 1")
    #expect(!out.contains("\r"))
    #expect(!out.contains("\u{1B}"))
    #expect(out.contains("Test Results:\n"))
  }

  @Test func onATerminalTheLineIsDrawnAndClearedBeforeTheResults() throws {
    let t = try slowSession(showsProgress: true)
    let out = try t.run("train 1")
    #expect(out.contains("\r\u{1B}[2K epoch 1 "))
    #expect(out.contains("samples/s  loss "))
    #expect(out.contains("\r\u{1B}[2KTest Results:\n"))     // cleared, then the results
  }
}
