// BoundedCostTests.swift — what a long session must not turn into: a `save transcript` that
// Ctrl-C cannot stop, and a NaN that leaves the session in a state no command can explain.
import Datasets
import Foundation
import Testing
@testable import Shell

@Suite struct BoundedCostTests {
  @Test func saveTranscriptStopsAtCtrlCAndWritesNothing() throws {
    let folder = try ScratchFolder()
    defer { folder.remove() }
    let t = TestSession(data: false)
    for _ in 0..<300 { try t.run("show settings") }
    t.session.isInterrupted = { true }
    let path = folder.file("long.txt")
    let error = try #require(throws: ShellError.self) { try t.run("save transcript \(path)") }
    #expect(error.message == "interrupted: \(path) was not written")
    #expect(!FileManager.default.fileExists(atPath: path))
    t.session.isInterrupted = { false }
    try t.run("save transcript \(path)")
    #expect(try String(contentsOfFile: path, encoding: .utf8).components(separatedBy: "ga> show settings").count == 301)
  }

  /// Found by the fuzzer: fastai counts samples, so on 2 images with batch 60,000 one step takes
  /// 30,000 epochs, each with a test that made room for 60,000 rows. A step may take at most the
  /// 1,000 epochs `train E` may run, and a batch holds what its data can fill.
  @Test func trainStepsIsRefusedWhenAStepWouldTakeThousandsOfEpochs() throws {
    let t = TestSession(data: false)
    t.session.setData(train: SyntheticImages.make(count: 2, seed: 1), test: SyntheticImages.make(count: 2, seed: 2),
                      directory: "synthetic")
    try t.run(["model mlp 8", "set policy fastai", "set batch 60000"])
    let before = Snapshot(t)
    let error = try #require(throws: ShellError.self) { try t.run("train 1 steps") }
    #expect(error.message.hasPrefix("one step would take about 30,000 epochs of 2 images at these settings, more than the 1,000 `train` runs"))
    #expect(Snapshot(t) == before)
    #expect(throws: ShellError.self) { try t.run("train 10000000 steps") }
    try t.run("set batch 1000")                      // 500 epochs a step: allowed, and quick on 2 images
    try t.run("train 1 steps")
    #expect(t.trainer?.accumulator.steps == 1 && t.trainer?.epoch == 500)
    try t.run("set policy guide")                     // a step at each epoch's end: one epoch a step
    try t.run("train 3 steps")
    #expect(t.trainer?.accumulator.steps == 4)
  }

  /// The issue's reproduction: lr 10 and weight decay 0.999999 once trained on NaN for ever.
  @Test func aDivergingRunStopsWithOneErrorLineAndFiniteWeights() throws {
    let t = TestSession()
    try t.run(["model mlp 32", "set lr 10", "set weight_decay 0.999999", "set batch 8", "set accumulate 2"])
    let (ok, printed) = t.runReportingErrors("train 60 steps")
    #expect(!ok)
    let errors = printed.split(separator: "\n").filter { $0.hasPrefix("error: ") }
    #expect(errors.count == 1 && errors[0].contains("is nan: its backward was not run") && errors[0].contains("lr 10 is large"))
    let trainer = try #require(t.trainer)
    #expect(trainer.model.parameters.values.firstNonFinite == nil)
    #expect(trainer.model.parameters.grads.maxAbs == 0 && t.session.prompt == "ga> ")
    #expect(!t.runReportingErrors("step").ok)   // nothing accumulated: nothing to step
  }
}

/// Found by the fuzzer: a state saved late in an epoch, loaded over a smaller data set, left the
/// cursor past that data's epoch; `forward`, `backward` and `compare` read the batch there and trapped.
@Suite struct CursorPastEpochTests {
  @Test func aStateLoadedOverSmallerDataGoesOnFromTheNextEpoch() throws {
    let folder = try ScratchFolder()
    defer { folder.remove() }
    let t = TestSession()   // 200 synthetic training images
    try t.run(["model mlp 8", "set batch 10", "set accumulate 2"])
    for _ in 0..<18 { try t.run("backward"); if t.session.prompt == "ga 2/2> " { try t.run("step") } }
    try t.run("save state \(folder.file("late.state"))")          // cursor at batch 19 of 20
    t.session.setData(train: SyntheticImages.make(count: 50, seed: 1), test: SyntheticImages.make(count: 20, seed: 2),
                      directory: "smaller")                          // 5 batches an epoch
    try t.run("load state \(folder.file("late.state"))")
    try t.run(["forward", "compare", "backward"])
    #expect(t.trainer!.epoch == 1 && t.trainer!.nextBatch == 1)
  }
}
