// InterruptTests.swift — Ctrl-C during `train` (the session's isInterrupted flag): training
// stops at a micro-batch boundary with counters, prompt, weights and run consistent.

import Testing
@testable import Shell

@Suite struct InterruptTests {
  /// Data, a small model, batches of 16 (13 per epoch, the last of 8), 4 per step.
  func session() throws -> TestSession {
    let t = TestSession()
    try t.run(["model mlp 16", "set lr 0.1", "set batch 16", "set accumulate 4"])
    return t
  }

  /// Interrupted after `k` micro-batches: the flag becomes true at poll k + 1.
  func interrupt(_ t: TestSession, after k: Int) {
    var polls = 0
    t.session.isInterrupted = { polls += 1; return polls > k }
  }

  @Test func stopsInsideAWindowAsIfTypedByHand() throws {
    let t = try session()
    interrupt(t, after: 6)
    let out = try t.run("train 3")
    #expect(out.hasPrefix("Epoch 1  (accumulate 4: one step per 64 samples)\n"))
    #expect(out.hasSuffix("interrupted at epoch 1, batch 7 of 13: 2 of 4 micro-batches accumulated, not yet stepped; 1 step taken\n"))
    #expect(!out.contains("Test Results"))
    #expect(t.session.prompt == "ga 2/4> ")

    // The same six micro-batches typed by hand give the same weights, gradients and counters.
    let byHand = try session()
    try byHand.run(["backward", "backward", "backward", "backward", "step", "backward", "backward"])
    let (a, b) = (Snapshot(t), Snapshot(byHand))
    #expect(a.counters == [0, 6, 2, 32, 4, 1])
    #expect(a.sameTraining(as: b), "interrupted \(a)\nby hand     \(b)")
  }

  @Test func trainingGoesOnFromThereAndTheEpochCountsAllItsSteps() throws {
    let t = try session()
    interrupt(t, after: 6)
    try t.run("train 1")
    #expect(try t.run("runs").contains("epoch 1 under way, 1 step and 96 samples so far"))   // no epoch has ended
    t.session.isInterrupted = { false }
    let out = try t.run("train 1")
    #expect(out.contains("(continuing from batch 7 of 13)"))
    // Windows of 4, 4, 4 and a last one of 1: four steps, one of them before the interrupt.
    #expect(out.contains("steps 4, train "))
    #expect(t.session.runs.count == 1)
    #expect(t.session.runs[0].epochs.map(\.steps) == [4])
    #expect(t.session.prompt == "ga> ")
  }

  /// At a window boundary nothing is pending; `train N steps` stops the same way.
  @Test(arguments: [
    (4, "train 1", "interrupted at epoch 1, batch 5 of 13: no micro-batch pending; 1 step taken", "ga> "),
    (9, "train 100 steps",
     "interrupted at epoch 1, batch 10 of 13: 1 of 4 micro-batches accumulated, not yet stepped; 2 steps taken", "ga 1/4> "),
  ])
  func stopsWhereItWasInterrupted(_ k: Int, _ command: String, _ message: String, _ prompt: String) throws {
    let t = try session()
    interrupt(t, after: k)
    #expect(try t.run(command).hasSuffix(message + "\n"))
    #expect(t.session.prompt == prompt)
  }

  @Test func interruptedBeforeTheFirstMicroBatchChangesNothing() throws {
    let t = try session()
    try t.run("backward")
    let before = Snapshot(t)
    interrupt(t, after: 0)
    let out = try t.run("train 2")
    #expect(out == "interrupted at epoch 1, batch 2 of 13: 1 of 4 micro-batches accumulated, not yet stepped; 0 steps taken\n")
    let after = Snapshot(t)
    #expect(after.sameTraining(as: before), "before \(before)\nafter  \(after)")
  }
}
