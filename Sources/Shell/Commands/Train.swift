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
      guard let first = arguments.first, arguments.count <= 2 else { throw Command.train.usageError() }
      var epochs: Int?, steps: Int?
      if arguments.count == 2 {
        guard arguments[1] == "steps" || arguments[1] == "step" else {
          throw Command.train.usageError("unexpected '\(arguments[1])'" + suggestion(arguments[1], among: ["steps"]))
        }
        steps = try integer(first, "steps", in: 1...10_000_000)
      } else {
        epochs = try integer(first, "epochs", in: 1...1000)
      }
      let loaders = try session.requireData()
      let t = try session.requireTrainer()
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

  static let test: Command = Command(
    name: "test", summary: "Accuracy and average loss on the test set (the tutorial's test loop)",
    details: "The average loss is the mean of per-batch mean losses over batches of `batch` size, as in the tutorial.",
    run: { session, arguments in
      guard arguments.isEmpty else { throw Command.test.usageError("test takes no argument") }
      let loaders = try session.requireData()
      let t = try session.requireTrainer()
      try Memory.check(session, batch: loaders.test.size(ofBatch: 0))
      let e = t.evaluate(loaders.test)
      session.lastTest = e
      printTestResults(session, e)
    })

  static func printTestResults(_ session: Session, _ e: Trainer.Evaluation) {
    session.say("Test Results:")
    session.say(" Accuracy: \(fixed(100 * e.accuracy, 1))%, Avg loss: \(fixed(e.averageLoss, 6))")
  }

  private static func runTraining(_ session: Session, _ t: Trainer, _ train: BatchSource, _ test: BatchSource,
                                  epochs: Int?, steps: Int?) throws {
    let run = session.currentRun()
    // Taken before the epoch's first micro-batch and again after each test: an epoch's time is
    // its backward passes and steps (a full window stepped first included), never its test.
    var epochStart = now(), header = true
    var epoch = Run.Unfinished(epoch: 0)   // this epoch's steps, time and samples so far
    var stepsBeforeEpoch = 0               // the full window stepped before the first micro-batch
    var progress = Progress(session: session, batchesPerEpoch: train.batchesPerEpoch, batchSize: train.batchSize)
    let stepsBefore = t.accumulator.steps
    let finished = t.train(
      train, epochs: epochs, steps: steps,
      shouldStop: { session.isInterrupted() },
      afterFullWindowStep: { k, samples in
        stepsBeforeEpoch = 1
        session.noteGradient(.step)
        session.say("step \(t.accumulator.steps): the window was full, so it is stepped first "
          + "(\(k) micro-batch\(k == 1 ? "" : "es"), \(grouped(samples)) samples), as the tutorial's loop would have")
      },
      afterBackward: { _ in session.noteGradient(.backward) },
      afterMicroBatch: { m, stepped in
        if header {
          header = false
          let n = t.accumulator.schedule.factor(forEpoch: m.epoch)
          session.say("Epoch \(m.epoch + 1)" + (n > 1 ? "  (accumulate \(n): \(t.accumulator.schedule.isConstant ? "" : "schedule \(t.accumulator.schedule), ")one step per \(grouped(n * train.batchSize)) samples)" : ""))
          session.say("-------------------------------")
          if m.index > 0 { session.say("(continuing from batch \(m.index + 1) of \(grouped(m.batchesPerEpoch)))") }
          epoch = run.unfinished.flatMap { $0.epoch == m.epoch && m.index > 0 ? $0 : nil } ?? Run.Unfinished(epoch: m.epoch)
          // Mid-epoch, the full window stepped first was this epoch's; at its first batch, the last one's.
          if m.index > 0 { epoch.steps += stepsBeforeEpoch }
          stepsBeforeEpoch = 0
          run.unfinished = nil
          progress.start(epoch: m.epoch)
        }
        epoch.samples += m.samples
        if stepped { epoch.steps += 1; session.noteGradient(.step) }
        run.note(loss: m.loss, stepped: stepped)
        progress.update(m)
      },
      afterEpoch: { _ in
        let trained = epoch.seconds + now() - epochStart
        progress.finish()
        let testStart = now()
        let e = t.evaluate(test)
        session.lastTest = e
        printTestResults(session, e)
        session.say("steps \(grouped(epoch.steps)), train \(seconds(trained)) (\(grouped(Int(Double(epoch.samples) / max(trained, 1e-9)))) samples/s), test \(seconds(now() - testStart))")
        session.say()
        run.add(Run.Epoch(epoch: epoch.epoch + 1, accuracy: e.accuracy, averageLoss: e.averageLoss, steps: epoch.steps, seconds: trained))
        header = true
        epochStart = now()
      })
    progress.finish()
    if !header {  // stopped inside an epoch: the next `train` finishes it and counts this in
      epoch.seconds += now() - epochStart
      run.unfinished = epoch
    } else if stepsBeforeEpoch > 0 && t.nextBatch > 0 {  // `train 1 step` took only the full window's step
      var unfinished = run.unfinished.flatMap { $0.epoch == t.epoch ? $0 : nil } ?? Run.Unfinished(epoch: t.epoch)
      unfinished.steps += stepsBeforeEpoch
      run.unfinished = unfinished
    }
    let a = t.accumulator
    if !finished {
      session.say("interrupted at epoch \(t.epoch + 1), batch \(t.nextBatch + 1) of \(grouped(train.batchesPerEpoch)): "
        + (a.isWindowOpen ? "\(a.microBatches) of \(a.plannedMicroBatches) micro-batches accumulated, not yet stepped" : "no micro-batch pending")
        + "; \(counted(a.steps, "step")) taken")
    } else if steps != nil {
      let last = t.lastLoss.map { ", last micro-batch loss \(fixed($0, 6))" } ?? ""
      session.say("took \(counted(a.steps - stepsBefore, "step")); now at epoch \(t.epoch + 1), batch \(t.nextBatch + 1)\(last)")
    }
  }
}
