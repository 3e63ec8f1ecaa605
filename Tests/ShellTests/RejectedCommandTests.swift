// RejectedCommandTests.swift — every error path leaves the session as it was: settings,
// prompt, counters, weights and gradients, runs. (What each error says is in the transcripts.)

import Engine
import Foundation
import Testing
@testable import Shell

@Suite struct RejectedCommandTests {
  /// Runs each line, which must be rejected with a ShellError, and compares snapshots.
  func expectRejected(_ lines: [String], in t: TestSession, sourceLocation: SourceLocation = #_sourceLocation) {
    for line in lines {
      let before = Snapshot(t)
      var thrown: (any Error)?
      do { try t.run(line) } catch { thrown = error }
      #expect(thrown is ShellError, "`\(line)` was not rejected with a ShellError: \(thrown.map { "\($0)" } ?? "no error")",
              sourceLocation: sourceLocation)
      let after = Snapshot(t)
      #expect(after == before, "`\(line)` changed the session:\n  before \(before)\n  after  \(after)",
              sourceLocation: sourceLocation)
    }
  }

  @Test func freshSessionRejectsWhatNeedsDataOrModel() {
    let t = TestSession(data: false)
    expectRejected([
      "forward", "backward", "step", "zero", "train 1", "train 3 steps", "test", "compare", "profile",
      "show grad", "show weights", "show loss", "show model", "show data", "show memory", "show image 0",
      "reset", "save weights /tmp/never.safetensors", "save grads /tmp/never.safetensors", "runs",
    ], in: t)
    let model = TestSession(data: false)
    _ = try? model.run("model mlp 8")
    expectRejected(["forward", "backward", "train 1", "test", "compare", "profile"], in: model)
  }

  /// A session in the middle of things: a finished run, then a window of 2 of 4 open.
  func busySession() throws -> TestSession {
    let t = TestSession()
    try t.run(["model mlp 16", "set lr 0.1", "train 1", "set batch 16", "set accumulate 4", "backward", "backward"])
    #expect(t.session.prompt == "ga 2/4> ")
    return t
  }

  @Test func badWordsAndNumbersChangeNothing() throws {
    let t = try busySession()
    expectRejected([
      "frobnicate", "shwo grad", "Step", "help nosuch", "? nosuch",
      "load", "load fashoin", "load fashion train", "load fashion train 0", "load fashion train x",
      "load fashion test 20000", "load fashion trian 600", "load fashion everything",
      "load fashion from /nonexistent-gashell-folder",
      "model", "model cnn 8", "model mlpp 8", "model mlp", "model mlp 0", "model mlp 9000", "model mlp x",
      "model mlp 1 1 1 1 1 1 1 1 1", "model mlp 8 batchnorm batchnorm", "model mlp 8 dropout 0.1 dropout 0.2",
      "help set x", "quit 1", "exit now", "pause 2",
      "show", "show everything", "show grad 9.bias", "show weights fc1", "show grad 0.weight 0.bias",
      "show settings now", "show loss 2", "show data 2", "show model 2",
      "forward 2", "backward 2", "step 2", "zero 2", "test 2", "runs 2", "reset 2", "compare 2",
      "train", "train 0", "train 1001", "train x", "train 1 stpes", "train 0 steps", "train 1 2 3",
      "profile x", "profile 0", "profile 1 2 3 4 5", "profile 64x", "profile 64 samples", "profile 16x0",
      "save", "save weights", "save model /tmp/x.safetensors", "save wieghts /tmp/x.safetensors",
      "save weights /nonexistent-gashell-folder/w.safetensors",
    ], in: t)
  }

  @Test func badSettingsChangeNothing() throws {
    let t = try busySession()
    expectRejected([
      "set", "set batchsize 16", "set colour blue", "set batch", "set batch 0", "set batch 60001",
      "set batch 1.5", "set accumulate 0", "set accumulate 20000", "set accumulate {}",
      "set accumulate {0: 8, 0: 2}", "set accumulate {-1: 2}", "set lr 0", "set lr -1", "set lr 11",
      "set lr fast", "set lr nan", "set lr inf", "set optimizer lbfgs", "set optimizer sgd twice",
      "set optimizer sgd wrap 0", "set momentum 1", "set momentum -0.5", "set weight_decay 1",
      "set seed -1", "set seed x", "set shuffle maybe", "set threads 0", "set threads 9",
      "set normalize mean", "set quick sometimes", "set policy pytorch", "set clip 0", "set clip big",
      "set clip 1 macro", "set autozero maybe", "set memory a lot", "set memory 2000GB", "set memory 0.4B",
      "set accumulate {0:8,,}",
      #"set optimizer """#, "set clip ' '", #"set batch "" "#,
    ], in: t)
  }

  /// Changing how a window is made while one is open would mix two rules in one step.
  @Test func windowRulesWaitForStepOrZero() throws {
    let t = try busySession()
    expectRejected([
      "set batch 32", "set accumulate 2", "set accumulate {0: 4, 1: 2}", "set normalize window",
      "set policy keras", "set optimizer sgd wrap 4", "load fashion train 100 test 10",
    ], in: t)
    // Settings that do not make windows may change with one open.
    try t.run(["set lr 0.01", "set momentum 0.9", "set seed 3", "set threads 1", "set clip 1.0"])
    #expect(t.session.prompt == "ga 2/4> ")
    try t.run("zero")
    try t.run("set batch 32")
    #expect(t.session.settings.batch == 32)
  }

  @Test func badFilesForLoadWeightsKeepTheModel() throws {
    let folder = try ScratchFolder()
    defer { folder.remove() }
    let t = try busySession()
    try t.run("save grads \(folder.file("grads.safetensors"))")
    try Checkpoint.saveWeights(Sequential(sizes: [784, 8, 5], seed: 0), to: folder.file("five-classes.safetensors"))
    try Checkpoint.saveWeights(Sequential(sizes: [100, 8, 10], seed: 0), to: folder.file("small-images.safetensors"))
    try "not a safetensors file".write(toFile: folder.file("text.safetensors"), atomically: true, encoding: .utf8)
    try Data().write(to: URL(fileURLWithPath: folder.file("empty.safetensors")))
    expectRejected([
      "load weights", "load weights a b",
      "load weights \(folder.file("missing.safetensors"))",
      "load weights \(folder.path)",
      "load weights \(folder.file("grads.safetensors"))",
      "load weights \(folder.file("five-classes.safetensors"))",
      "load weights \(folder.file("small-images.safetensors"))",
      "load weights \(folder.file("text.safetensors"))",
      "load weights \(folder.file("empty.safetensors"))",
    ], in: t)
    let message = try #require(throws: ShellError.self) {
      try t.run("load weights \(folder.file("five-classes.safetensors"))")
    }
    #expect(message.description.hasSuffix("five-classes.safetensors holds a 784-8-5 network; gashell's models take 784 inputs and give 10 classes"))
  }

  @Test func outOfMemoryChangesNothing() throws {
    let t = try busySession()
    try t.run("zero")
    try t.run("set memory 1KB")
    expectRejected(["forward", "backward", "train 1", "train 2 steps", "test", "profile"], in: t)
    try t.run("set memory off")
    try t.run("backward")
  }

  /// The budget is checked against the batches there are: a batch setting larger than the data
  /// asks only for what the data holds. The hint's search is quick even for a huge effective batch.
  @Test func theBudgetCountsTheRealBatch() throws {
    let t = TestSession()
    let n = t.session.train!.count
    try t.run(["model mlp 8", "set batch 60000", "set accumulate 10000"])
    let needed = MemoryReport(trainer: t.session.trainer!, batch: n).total
    try t.run("set memory \(needed)B")
    try t.run(["test", "train 1 steps"])
    try t.run("set memory \(needed - 1)B")
    let error = try #require(throws: ShellError.self) { try t.run("train 1 steps") }
    #expect(error.message.contains("a batch of \(n) "))
    try t.run("set memory 1KB")
    let tiny = try #require(throws: ShellError.self) { try t.run("backward") }
    #expect(tiny.message.hasSuffix("the model alone does not fit: `set memory off` or a smaller model"))
  }

  /// Without `set memory`, the machine's own memory is the budget: asking for more is an error
  /// line, not the process killed.
  @Test func withoutABudgetTheMachineIsTheLimit() throws {
    let t = TestSession()
    try t.run("model mlp 512")
    let error = try #require(throws: ShellError.self) { try Memory.check(t.session, batch: 100_000_000) }
    #expect(error.message.hasPrefix("out of memory: tried to allocate"))
    #expect(error.message.contains("this machine has \(formatBytes(Memory.machine))"))
    try Memory.check(t.session, batch: 64)
  }

  /// Batch norm with one sample in a training micro-batch, refused as PyTorch refuses it.
  @Test func batchNormWithOneSampleChangesNothing() throws {
    let t = TestSession()
    try t.run(["model mlp 8 batchnorm", "set batch 1"])
    expectRejected(["backward", "train 1", "train 2 steps", "profile"], in: t)
    try t.run("forward")                      // eval mode: running statistics, so one sample is fine
    try t.run(["set batch 2", "set accumulate 2", "backward", "zero", "set batch 1"])
    expectRejected(["compare"], in: t)
    // The epoch's last micro-batch of one sample would fail at the end of the epoch: refused at the start.
    let n = t.session.train!.count
    try t.run("set batch \(n - 1)")
    expectRejected(["train 1"], in: t)
    try t.run("backward")                     // the first micro-batch has n − 1 samples
  }

  /// `load state` puts back everything the snapshot sees of training (but the runs, which go on
  /// in a new one), and refuses a state that belongs to another model or other window rules.
  @Test func aTrainingStateComesBackWholeOrNotAtAll() throws {
    let folder = try ScratchFolder()
    defer { folder.remove() }
    let t = try busySession()
    let path = folder.file("busy.state")
    try t.run("save state \(path)")
    let saved = Snapshot(t)
    try t.run(["backward", "step", "backward"])
    try t.run("load state \(path)")
    var restored = Snapshot(t), expected = saved
    (restored.runs, expected.runs) = ([], [])
    (restored.architecture, expected.architecture) = ("", "")   // show model names the state file now
    (restored.gradientEvents, expected.gradientEvents) = (0, 0)
    #expect(restored.lastLoss == nil)                            // not in the file: `show loss` says so
    expected.lastLoss = nil
    #expect(restored.lastTest == nil)                            // a test of other weights: forgotten
    expected.lastTest = nil
    #expect(restored == expected)
    try t.run(["zero", "set accumulate 2"])
    expectRejected(["load state \(path)"], in: t)
    try t.run(["set accumulate 4", "set optimizer adam"])
    expectRejected(["load state \(path)"], in: t)
    try t.run(["set optimizer sgd", "model mlp 16 batchnorm"])
    expectRejected(["load state \(path)", "load state", "load state a b", "save state", "load state \(folder.path)"], in: t)
  }

  /// Run:AI's wrapper counts its own N: accumulate cannot say otherwise while it is on.
  @Test func theWrappersCountIsItsOwn() throws {
    let t = TestSession()
    try t.run(["model mlp 8", "set optimizer sgd wrap 4"])
    expectRejected(["set accumulate 2", "set accumulate {0: 8, 4: 2}"], in: t)
    try t.run("backward")
    #expect(try t.run("step") == "wrapper: step() call 1 of 4 — no update yet, gradients kept\n")
    #expect(try t.run("step").hasPrefix("wrapper: step() call 1 of 4 was already made for this micro-batch"))
    try t.run(["backward", "backward", "backward"])
    #expect(try t.run("step").hasPrefix("step 1: applied the gradient of 4 micro-batches"))
  }

  /// The snapshot is not blind: each of these accepted commands changes it.
  @Test func theSnapshotSeesEveryKindOfChange() throws {
    let t = try busySession()
    for line in ["backward", "step", "set lr 0.5", "backward", "zero", "set batch 32", "set optimizer adam",
                 "reset", "test", "train 1", "load fashion train 10 test 10 from /nonexistent"] {
      let before = Snapshot(t)
      if line.hasPrefix("load") {   // no files here: change the data as `load` would
        t.session.setData(train: t.session.train!.prefix(100), test: t.session.test!, directory: "synthetic")
      } else {
        try t.run(line)
      }
      #expect(Snapshot(t) != before, "`\(line)` left the snapshot as it was")
    }
  }

  /// At the prompt an error is printed as one line and the session goes on.
  @Test func interactiveErrorsPrintOneLine() throws {
    let t = try busySession()
    let before = Snapshot(t)
    let rejected = t.runReportingErrors("set batch 0")
    #expect(!rejected.ok)
    #expect(rejected.printed == "error: batch must be in 1–60000, got 0\n")
    #expect(Snapshot(t) == before)
    #expect(t.runReportingErrors("show loss").ok)
  }
}
