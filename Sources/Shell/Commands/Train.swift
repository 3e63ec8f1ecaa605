// Train.swift — `train E`, `train N steps` and `test`: the tutorial's loops, with
// its test report after every epoch. Ctrl-C stops at the next micro-batch.

import Engine

extension Command {
  static let train: Command = Command(
    name: "train", arguments: "EPOCHS | STEPS steps",
    summary: "Train with the current settings; test after every epoch",
    details: """
      train 20         20 epochs: step every N micro-batches or at the epoch's last batch
      train 50 steps   until 50 optimizer steps are taken
      Training goes on from where the cursor is (an unfinished epoch finishes first).
      Ctrl-C stops at the next micro-batch, with model, optimizer and counters consistent.
      """,
    complete: { words, _ in words.count == 1 ? .words(["steps"]) : .words([]) },
    run: { session, arguments in
      guard let first = arguments.first, arguments.count <= 2 else { throw UsageError("") }
      var epochs: Int?, steps: Int?
      if arguments.count == 2 {
        guard arguments[1] == "steps" || arguments[1] == "step" else {
          throw UsageError("unexpected '\(arguments[1])'" + suggestion(arguments[1], among: ["steps"]))
        }
        steps = try integer(first, "steps", in: 1...10_000_000)
      } else {
        epochs = try integer(first, "epochs", in: 1...maxEpochs)
      }
      let loaders = try session.requireData()
      let t = try session.requireTrainer()
      if steps != nil {
        // `train 1000000 steps` trains until Ctrl-C, a test after each epoch; but one step must
        // not take more epochs than `train E` may run (a large batch counted in samples on tiny data).
        let needed = t.epochsFor(steps: 1, in: loaders.train)
        guard needed <= maxEpochs else {
          let each = loaders.train.sampleCount
          throw ShellError("one step would take \(needed == .max ? "far more than \(grouped(maxEpochs))" : "about \(grouped(needed))") "
            + "epochs of \(grouped(each)) image\(each == 1 ? "" : "s") at these settings, more than the \(grouped(maxEpochs)) `train` runs — "
            + "a smaller batch or accumulate, or more data")
        }
      }
      let last = loaders.train.size(ofBatch: loaders.train.batchesPerEpoch - 1)
      try session.requireBatchNormSamples(t, min(loaders.train.batchSize, last),
                                          loaders.train.batchSize < 2 ? "each micro-batch" : "the epoch's last micro-batch")
      try Memory.check(session, batch: loaders.train.size(ofBatch: 0))   // the first batch is a full one
      if session.settings.quick, let e = epochs, e > quickEpochs {
        session.say("(quick mode: \(quickEpochs) of \(e) epochs)")
        epochs = quickEpochs
      }
      try runTraining(session, t, loaders.train, loaders.test, epochs: epochs, steps: steps)
    })

  static let quickEpochs = 2
  static let maxEpochs = 1000

  static let test: Command = Command(
    name: "test", summary: "Accuracy and average loss on the test set (the tutorial's test loop)",
    details: "The average loss is the mean of per-batch mean losses over batches of `batch` size, as in the tutorial.",
    run: { session, arguments in
      try noArguments(arguments)
      let loaders = try session.requireData()
      let t = try session.requireTrainer()
      try Memory.check(session, batch: loaders.test.size(ofBatch: 0))
      let e = t.evaluate(loaders.test)
      session.lastTest = e
      printTestResults(session, e)
    })

  static func printTestResults(_ session: Session, _ e: Trainer.Evaluation) {
    for line in testResultLines(e) { session.say(line) }
  }

  static func testResultLines(_ e: Trainer.Evaluation) -> [String] {
    ["Test Results:", " Accuracy: \(fixed(100 * e.accuracy, 1))%, Avg loss: \(fixed(e.averageLoss, 6))"]
  }

  /// The tutorial's loop (`Trainer.train`): for each batch, forward, loss / N, backward; step and
  /// zero_grad when the window is full; test after every epoch (`TrainingLog` prints it all).
  private static func runTraining(_ session: Session, _ t: Trainer, _ train: BatchSource, _ test: BatchSource,
                                  epochs: Int?, steps: Int?) throws {
    var log = TrainingLog(session, t, train: train, test: test)
    do {
      let ranToEnd = try t.train(train, epochs: epochs, steps: steps, shouldStop: { session.isInterrupted() }) { log.handle($0) }
      log.finish(ranToEnd ? .ranToEnd : .interrupted, countingSteps: steps != nil)
    } catch {
      log.finish(.diverged, countingSteps: steps != nil)   // the error says where; the epoch so far is kept
      throw error
    }
  }
}
