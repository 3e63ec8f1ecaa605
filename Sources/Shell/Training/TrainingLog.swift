// TrainingLog.swift — what `train` prints and records, made from the trainer's events: the
// epoch header, the live progress line, the test after every epoch, the run's rows, and the
// ‖g‖ history. The loop itself is the trainer's; this is its bookkeeping.

import Engine

struct TrainingLog {
  let session: Session
  let trainer: Trainer
  let test: BatchSource
  let run: Run
  private let batchSize: Int
  private var progress: Progress
  /// Taken before the epoch's first micro-batch and again after each test: an epoch's time is
  /// its backward passes and steps (a full window stepped first included), never its test.
  private var epochStart = now()
  /// No micro-batch of the current epoch seen yet: its header is still to print.
  private var atEpochStart = true
  private var epoch = Run.Unfinished(epoch: 0)   // this epoch's steps, time and samples so far
  private var fullWindowSteps = 0                // the full window stepped before the first micro-batch
  private let stepsBefore: Int

  init(_ session: Session, _ trainer: Trainer, train: BatchSource, test: BatchSource) {
    self.session = session
    self.trainer = trainer
    self.test = test
    run = session.currentRun()
    batchSize = train.batchSize
    progress = Progress(session: session, batchesPerEpoch: train.batchesPerEpoch, batchSize: train.batchSize)
    stepsBefore = trainer.accumulator.steps
  }

  mutating func handle(_ event: TrainingEvent) {
    switch event {
    case .fullWindowStepped(let k, let samples):
      fullWindowSteps = 1
      session.noteGradient(.step)
      session.say("step \(trainer.accumulator.steps): the window was full, so it is stepped first "
        + "(\(k) micro-batch\(k == 1 ? "" : "es"), \(grouped(samples)) samples), as the tutorial's loop would have")
    case .backward(let m):
      session.noteGradient(.backward)   // the gradient as accumulated, before a step may zero it
      if atEpochStart { beginEpoch(m) }
      epoch.samples += m.samples
      run.note(loss: m.loss)
      progress.update(m)
    case .stepped:
      epoch.steps += 1
      session.noteGradient(.step)
      run.noteStep(rate: trainer.lastStepRate ?? trainer.optimizer.learningRate)
    case .epochEnded:
      endEpoch()
    }
  }

  private mutating func beginEpoch(_ m: Trainer.MicroBatch) {
    atEpochStart = false
    let schedule = trainer.accumulator.rules.schedule
    let n = schedule.factor(forEpoch: m.epoch)
    session.say("Epoch \(m.epoch + 1)" + (n > 1 ? "  (accumulate \(n): \(schedule.isConstant ? "" : "schedule \(schedule), ")one step per \(grouped(n * batchSize)) samples)" : ""))
    session.say("-------------------------------")
    if let line = Command.scheduledRate(trainer) { session.say(line) }
    if m.index > 0 { session.say("(continuing from batch \(m.index + 1) of \(grouped(m.batchesPerEpoch)))") }
    epoch = run.unfinished.flatMap { $0.epoch == m.epoch && m.index > 0 ? $0 : nil } ?? Run.Unfinished(epoch: m.epoch)
    // Mid-epoch, the full window stepped first was this epoch's; at its first batch, the last one's.
    if m.index > 0 { epoch.steps += fullWindowSteps }
    fullWindowSteps = 0
    run.unfinished = nil
    progress.start(epoch: m.epoch)
  }

  /// The tutorial's test after every epoch, and the epoch's row in the run.
  private mutating func endEpoch() {
    let trained = epoch.seconds + now() - epochStart
    progress.finish()
    let testStart = now()
    let e = trainer.evaluate(test)
    session.lastTest = e
    let lines = Command.testResultLines(e) + [
      "steps \(grouped(epoch.steps)), train \(seconds(trained)) (\(grouped(Int(Double(epoch.samples) / max(trained, 1e-9)))) samples/s), test \(seconds(now() - testStart))"]
      + (Command.scheduledRate(trainer).map { [$0] } ?? []) + [""]
    progress.end(with: lines)
    run.add(Run.Epoch(epoch: epoch.epoch + 1, accuracy: e.accuracy, averageLoss: e.averageLoss, steps: epoch.steps, seconds: trained))
    atEpochStart = true
    epochStart = now()
  }

  /// After the loop: an epoch left unfinished is kept for the `train` that finishes it, and the
  /// last line says where training stopped.
  enum Ending { case ranToEnd, interrupted, diverged }

  mutating func finish(_ ending: Ending, countingSteps: Bool) {
    let t = trainer
    progress.finish(stopped: true)
    if !atEpochStart {  // stopped inside an epoch: the next `train` finishes it and counts this in
      epoch.seconds += now() - epochStart
      run.unfinished = epoch
    } else if fullWindowSteps > 0 && t.nextBatch > 0 {  // `train 1 step` took only the full window's step
      var unfinished = run.unfinished.flatMap { $0.epoch == t.epoch ? $0 : nil } ?? Run.Unfinished(epoch: t.epoch)
      unfinished.steps += fullWindowSteps
      run.unfinished = unfinished
    }
    let a = t.accumulator
    if ending == .diverged { return }
    if ending == .interrupted {
      session.say("interrupted at epoch \(t.epoch + 1), batch \(t.nextBatch + 1) of \(grouped(progress.batchesPerEpoch)): "
        + (a.isWindowOpen ? "\(a.microBatches) of \(a.plannedMicroBatches) micro-batches accumulated, not yet stepped" : "no micro-batch pending")
        + "; \(counted(a.steps, "step")) taken")
    } else if countingSteps {
      let last = t.lastLoss.map { ", last micro-batch loss \(fixed($0, 6))" } ?? ""
      session.say("took \(counted(a.steps - stepsBefore, "step")); now at epoch \(t.epoch + 1), batch \(t.nextBatch + 1)\(last)")
      if let line = Command.scheduledRate(t) { session.say(line) }   // where a warm-up stands now
    }
  }
}
