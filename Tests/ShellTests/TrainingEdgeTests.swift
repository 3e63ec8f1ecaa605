// TrainingEdgeTests.swift — where `train`, `backward` and `set` meet at a window's or an epoch's
// edge: a window left full, a reorder mid-window, an epoch's last batch, a window carried into the
// next epoch, a sample-counted window, and the wrapper's call count after the model changes.
// The session's 200 synthetic images make 13 batches of 16 per epoch, the last of 8.

import Engine
import Foundation
import Testing
@testable import Shell

@Suite struct TrainingEdgeTests {
  @Test func trainStepsAWindowLeftFullFirstAndCountsIt() throws {
    let t = TestSession()
    try t.run(["model mlp 8", "set batch 16", "set accumulate 4", "backward", "backward", "backward", "backward"])
    let out = try t.run("train 1 step")
    #expect(out.contains("step 1: the window was full, so it is stepped first (4 micro-batches, 64 samples)"), "\(out)")
    #expect(out.contains("took 1 step; now at epoch 1, batch 5"), "\(out)")
    let a = t.trainer!.accumulator
    #expect(a.steps == 1 && !a.isWindowOpen && t.trainer!.nextBatch == 4)

    // `train 1` from a full window: that step and the epoch's other three (4, 4, 1) make its row.
    try t.run(["zero", "reset", "backward", "backward", "backward", "backward", "train 1"])
    #expect(t.trainer!.accumulator.steps == 4)
    #expect(t.session.runs.last?.epochs.map(\.steps) == [4])
  }

  @Test func reorderingIsRefusedWhileAWindowIsOpen() throws {
    let t = TestSession()
    try t.run(["model mlp 8", "set accumulate 4", "backward", "backward"])
    for line in ["set shuffle on"] {
      let before = Snapshot(t)
      #expect(throws: ShellError.self) { try t.run(line) }
      #expect(Snapshot(t) == before)
    }
    try t.run("set seed 5")       // shuffle off: the order does not depend on the seed
    try t.run("set shuffle off")  // no change
    try t.run(["zero", "set shuffle on", "backward"])
    let before = Snapshot(t)
    let error = #expect(throws: ShellError.self) { try t.run("set seed 7") }
    #expect(error?.description.contains("before changing the seed while shuffling") == true)
    #expect(Snapshot(t) == before)
    try t.run("set seed 5")       // the same seed: the same order
    #expect(throws: ShellError.self) { try t.run("set shuffle off") }
  }

  @Test func anEpochsLastBatchIsNumberedInItsOwnEpoch() throws {
    let t = TestSession()
    try t.run(["model mlp 8", "set batch 50"])   // 4 batches an epoch
    for _ in 0..<3 { try t.run(["backward", "step"]) }
    let continued = try t.run("train 1")
    #expect(continued.hasPrefix("Epoch 1\n") && continued.contains("(continuing from batch 4 of 4)"), "\(continued)")
    #expect(t.session.runs.last?.epochs.map(\.epoch) == [1])

    try t.run("set batch 200")                      // one batch an epoch
    let whole = try t.run("train 2")
    let headers = whole.split(separator: "\n").filter { $0.hasPrefix("Epoch") }
    #expect(headers == ["Epoch 2", "Epoch 3"], "\(whole)")

    // The scale text of the epoch's last batch is the one its window was planned with.
    try t.run(["reset", "set batch 50", "set accumulate {0: 4, 1: 2}", "backward", "backward", "backward"])
    let last = try t.run("backward")
    #expect(last.contains("backward of loss / 4;") && last.contains("(the epoch's last batch)"), "\(last)")
  }

  @Test func anEpochsTrainingTimeIncludesItsFirstMicroBatch() throws {
    let t = TestSession()
    // One micro-batch an epoch, on a model wide enough that it takes most of the command's time.
    try t.run(["model mlp 1024 1024", "set batch 200", "train 1"])   // warm up
    let start = Date()
    try t.run("train 1")
    let wall = Date().timeIntervalSince(start)
    let trained = try #require(t.session.runs.last?.epochs.last).seconds
    #expect(trained > 0.3 * wall, "train \(trained) s of \(wall) s")
  }

  @Test func aCarriedOverWindowKeepsItsLossScaleIntoTheNextEpoch() throws {
    let t = TestSession()
    try t.run(["model mlp 8", "set batch 16", "set policy keras", "set accumulate {0: 8, 1: 2}", "train 1 step"])
    // Batches 9–13 of epoch 1 and 1–3 of epoch 2: one window, planned with N = 8.
    var lines: [String] = []
    for _ in 0..<8 { lines.append(try t.run("backward")) }
    #expect(t.trainer!.epoch == 1)
    for (k, out) in lines.enumerated() {
      #expect(out.contains("backward of loss / 8; micro-batch \(k + 1) of 8"), "\(out)")
    }
    #expect(lines[7].contains("window full"))
  }

  @Test func aSampleCountedWindowIsShownInSamples() throws {
    let t = TestSession()
    // 12 batches of 16 and one of 8; a target of 48 samples. After 4 steps the window opens at the
    // short batch and needs three of the next epoch: 8 + 16 + 16 + 16 = 56 ≥ 48.
    try t.run(["model mlp 8", "set batch 16", "set policy fastai", "set accumulate 3", "train 4 steps"])
    var lines: [String] = [], prompts: [String] = []
    for _ in 0..<4 {
      lines.append(try t.run("backward"))
      prompts.append(t.session.prompt)
    }
    #expect(prompts == ["ga 1/4> ", "ga 2/4> ", "ga 3/4> ", "ga 4/4> "])
    #expect(lines[0].contains("micro-batch 1 of 4 (8 of 48 samples) accumulated"), "\(lines[0])")
    #expect(lines[3].contains("micro-batch 4 of 4 (56 of 48 samples) accumulated"), "\(lines[3])")
    #expect(lines[3].contains("window full") && !lines.joined().contains("note:"), "\(lines)")
    for p in prompts { #expect(Transcript.splitPrompt(p + "step")?.command == "step", "\(p)") }
    // A backward past the target is the one that makes the step larger than fastai's.
    let over = try t.run("backward")
    #expect(over.contains("note: the window already held 48 samples"), "\(over)")
  }

  @Test func theWrappersCallCountStartsAgainWithANewModelWeightsOrWindow() throws {
    let t = TestSession()
    let folder = try ScratchFolder()
    defer { folder.remove() }
    try t.run(["model mlp 8", "set optimizer sgd wrap 3", "save weights \(folder.file("w.safetensors"))"])
    for change in ["reset", "zero", "load weights \(folder.file("w.safetensors"))"] {
      try t.run(["backward", "step", change, "backward"])
      let out = try t.run("step")
      #expect(out.contains("wrapper: step() call 1 of 3 — no update yet"), "after `\(change)`: \(out)")
      try t.run("zero")
    }
  }

  /// `profile 64 16x4`: the same samples at each configuration, side by side, with the memory
  /// `show memory` accounts at each micro-batch (times vary; the structure and memory do not).
  @Test func profileComparesConfigurationsSideBySide() throws {
    let t = TestSession()
    try t.run(["model mlp 64"])
    let printed = try t.run("profile 64 16x4 samples 128")
    let lines = printed.split(separator: "\n").map(String.init)
    #expect(lines[0].hasPrefix("profile: 128 samples at each configuration"))
    #expect(lines[1].contains("batch 64") && lines[1].contains("16 × 4"))
    #expect(lines[2].hasPrefix("micro-batches, steps") && lines[2].hasSuffix(" 2, 2" + String(repeating: " ", count: 10) + "8, 2"))
    let trainer = try #require(t.trainer)
    let memory = try #require(lines.first { $0.hasPrefix("memory (show memory)") })
    #expect(memory.contains(formatBytes(MemoryReport(trainer: trainer, batch: 64).total))
            && memory.contains(formatBytes(MemoryReport(trainer: trainer, batch: 16).total)))
    #expect(throws: ShellError.self) { try t.run("profile 64 16x") }
    #expect(throws: ShellError.self) { try t.run("profile 64 samples") }
    #expect(throws: ShellError.self) { try t.run("profile 1 2 3 4 5") }
  }
}
