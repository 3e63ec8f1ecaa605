// Trainer.swift — the tutorial's training loop, one micro-batch at a time, so a
// shell can drive it by hand (`backward`, `step`) or run it (`train`).
//
// The trainer keeps a cursor into the epoch (which batch comes next) and the
// accumulator's open window; both survive an interrupted `train`, so stopping
// at a micro-batch boundary always leaves model, optimizer and counters consistent.

public final class Trainer: @unchecked Sendable {
  public let model: Sequential
  public var optimizer: Optimizer
  public var accumulator: Accumulator
  /// Zero the gradients after each step, as the tutorial does. Off shows what forgetting does.
  public var zeroAfterStep = true
  /// clip_grad_norm_ before each step, or on each micro-batch's contribution.
  public var clipping: GradientClipping?
  private var beforeBackward = Tensor()   // [P], the gradient before a micro-batch, for per-micro-batch clipping
  /// torch.optim.lr_scheduler, stepped after each optimizer step; the optimizer takes its rate.
  public var scheduler: LearningRateScheduler? { didSet { applyScheduledRate() } }
  /// The pitfall: scheduler.step() after every micro-batch, so its steps come N times too fast.
  public var schedulerStepsPerMicroBatch = false
  /// The learning rate the last optimizer step used (the scheduler has moved on since).
  public private(set) var lastStepRate: Float?

  /// 0-based epoch the cursor is in, and the next batch's index in it.
  public private(set) var epoch = 0
  public private(set) var nextBatch = 0
  private var startedEpoch: Int?
  private var startedSource: ObjectIdentifier?
  /// The loss of the last micro-batch, unscaled.
  public private(set) var lastLoss: Float?
  private var batch: Batch

  public init(model: Sequential, optimizer: Optimizer, accumulator: Accumulator = Accumulator()) {
    self.model = model
    self.optimizer = optimizer
    self.accumulator = accumulator
    batch = Batch(capacity: 0, features: model.inputs)
  }

  /// What one `backward` did.
  public struct MicroBatch: Sendable {
    public let loss: Float          // the batch's mean loss, before scaling
    public let scale: Float         // the factor applied to it for backward (1/N in the tutorial)
    public let samples: Int
    public let correct: Int
    public let epoch: Int           // 0-based, the epoch this batch belongs to (not the cursor's after it)
    public let index: Int           // batch index in the epoch
    public let batchesPerEpoch: Int
  }

  /// Loss of the next micro-batch without gradients; the cursor stays.
  public func forward(_ source: BatchSource) -> (loss: Float, samples: Int, correct: Int) {
    wrapCursor(source)
    let b = load(source, index: nextBatch)
    let logits = model.forward(b.x, training: false)  // a look: no statistics updated, no dropout
    let r = CrossEntropy.evaluate(logits: logits, labels: b.y)
    return (r.loss, b.count, r.correct)
  }

  /// The next micro-batch: forward, loss · scale, backward — gradients add up.
  /// Does not step: call `stepIfWindowFull()` or `step()`. A loss that is NaN or infinite throws
  /// before its backward: the window is dropped and the cursor stays on that batch.
  public func backward(_ source: BatchSource) throws(NonFiniteError) -> MicroBatch {
    wrapCursor(source)
    let (batchEpoch, index) = (epoch, nextBatch)   // `advance` below may move on to the next epoch
    let b = load(source, index: index)
    let scale = accumulator.scale(forBatch: index, epoch: epoch, of: source)
    let logits = model.forward(b.x)
    let dLogits = logitsGradient(rows: b.count)
    let r = CrossEntropy.evaluate(logits: logits, labels: b.y, gradient: dLogits, scale: scale)
    guard r.loss.isFinite else {
      let dropped = accumulator.microBatches
      zeroGrad()
      throw NonFiniteError(place: .loss(epoch: batchEpoch, batch: index, batches: source.batchesPerEpoch),
                           value: r.loss, dropped: dropped)
    }
    let grads = model.parameters.grads
    if let c = clipping, c.perMicroBatch {
      if beforeBackward.count != grads.count { beforeBackward = Tensor(count: grads.count) }
      beforeBackward.copy(from: grads)
      model.backward(dLogits)
      c.clipContribution(grads, before: beforeBackward)
    } else {
      model.backward(dLogits)
    }
    accumulator.accumulated(samples: b.count)
    lastLoss = r.loss
    advance(source)
    if schedulerStepsPerMicroBatch { stepScheduler() }
    return MicroBatch(loss: r.loss, scale: scale, samples: b.count, correct: r.correct,
                      epoch: batchEpoch, index: index, batchesPerEpoch: source.batchesPerEpoch)
  }

  /// optimizer.step(), then optimizer.zero_grad() unless that is switched off. A gradient holding
  /// NaN or ±Inf, or a value the optimizer cannot take without overflowing (Adam squares it), is
  /// refused before the optimizer sees it: the window is dropped, the weights stay.
  public func step() throws(NonFiniteError) {
    let parameters = model.parameters
    if checksGradient, let i = firstUnsafeGradient {
      let p = parameters.parameters.last { $0.grad.offset <= i + parameters.grads.offset }!
      let value = parameters.grads[i], dropped = accumulator.microBatches
      zeroGrad()
      throw NonFiniteError(place: .gradient(parameter: p.name, index: i + parameters.grads.offset - p.grad.offset,
                                            step: accumulator.steps + 1, optimizer: optimizer.name),
                           value: value, dropped: dropped)
    }
    if let c = clipping, !c.perMicroBatch { c.clip(parameters.grads) }
    lastStepRate = optimizer.learningRate
    optimizer.step()
    if zeroAfterStep { model.parameters.zeroGrad() }
    accumulator.stepped()
    if !schedulerStepsPerMicroBatch { stepScheduler() }
  }

  private func stepScheduler() {
    guard scheduler != nil else { return }
    scheduler!.step()   // didSet hands the new rate to the optimizer
  }

  /// The optimizer takes the scheduler's rate (after a new optimizer or new settings, too).
  public func applyScheduledRate() {
    if let scheduler { optimizer.learningRate = Float(scheduler.rate) }
  }

  /// Off only in gabench, which times training with and without the check side by side.
  public var checksGradient = true

  /// The first NaN, ±Inf or too large a value in the accumulated gradient. Each of the model's
  /// threads searches the slice the optimizer's update gives it next, so the update finds its
  /// gradient in the core's own cache: the check moves the read rather than adding one.
  public var firstUnsafeGradient: Int? {
    let grads = model.parameters.grads, found = nonFiniteFound, limit = optimizer.largestSafeGradient
    model.pool.run { part, parts in
      let range = WorkerPool.slice(grads.count, part: part, of: parts)
      found[part] = grads.firstIndex(magnitudeAtLeast: limit, in: range).map(Float.init) ?? -1
    }
    return (0..<model.pool.threadCount).lazy.map { Int(found[$0]) }.first { $0 >= 0 }
  }
  private let nonFiniteFound = Tensor(count: Sequential.maxThreads)   // per part: an index, or -1

  /// The tutorial's rule: step when the window is full (every N micro-batches, or at the epoch's end).
  @discardableResult
  public func stepIfWindowFull() throws(NonFiniteError) -> Bool {
    guard accumulator.isWindowFull else { return false }
    try step()
    return true
  }

  /// optimizer.zero_grad() alone: the open window's gradients are dropped.
  public func zeroGrad() {
    model.parameters.zeroGrad()
    accumulator.closeWindow()
  }

  /// Back to the first batch of the current epoch (the batch size changed, say).
  public func restartEpoch() {
    nextBatch = 0
    startedEpoch = nil
  }

  /// Back to epoch 0, batch 0, no steps: for a fresh model.
  public func resetCursor() {
    epoch = 0
    restartEpoch()
    accumulator.reset()
    lastLoss = nil
  }

  /// Puts the cursor and the accumulator's counters where a saved training state had them.
  public func restore(_ p: TrainingPosition) {
    epoch = p.epoch
    nextBatch = p.nextBatch
    startedEpoch = nil
    accumulator.restore(steps: p.steps, microBatches: p.microBatches, samples: p.samples,
                        plannedMicroBatches: p.plannedMicroBatches, plannedSamples: p.plannedSamples,
                        plannedFactor: p.plannedFactor)
    lastLoss = nil
  }

  /// The tutorial's loop: until `epochs` epochs have ended or `steps` optimizer steps were taken
  /// (whichever is given), or `shouldStop()` says so between micro-batches. Returns whether it
  /// ran to the end. A window left full by `backward` calls is stepped first and counts as one of
  /// `steps`. Everything that happens is told to `handle`, in order.
  public func train(_ source: BatchSource, epochs: Int? = nil, steps: Int? = nil,
                    shouldStop: () -> Bool = { false },
                    _ handle: (TrainingEvent) -> Void) throws(NonFiniteError) -> Bool {
    var epochsDone = 0, stepsDone = 0
    // One more backward into a full window would make a step larger than the rules say.
    if accumulator.isWindowFull {
      let (k, samples) = (accumulator.microBatches, accumulator.samples)
      try step()
      stepsDone += 1
      handle(.fullWindowStepped(microBatches: k, samples: samples))
    }
    while true {
      if let epochs, epochsDone >= epochs { return true }
      if let steps, stepsDone >= steps { return true }
      if shouldStop() { return false }
      let m = try backward(source)      // next batch: forward, loss · scale, backward
      handle(.backward(m))
      if try stepIfWindowFull() {           // (i + 1) % N == 0 or the epoch's last batch: step, zero_grad
        stepsDone += 1
        handle(.stepped(after: m))
      }
      if nextBatch == 0 {               // the cursor wrapped: an epoch ended
        epochsDone += 1
        handle(.epochEnded(after: m))
      }
    }
  }

  /// `train` with nobody listening.
  public func train(_ source: BatchSource, epochs: Int? = nil, steps: Int? = nil,
                    shouldStop: () -> Bool = { false }) throws(NonFiniteError) -> Bool {
    try train(source, epochs: epochs, steps: steps, shouldStop: shouldStop) { _ in }
  }

  /// About how many epochs `train(steps:)` takes from an epoch's start: a step takes N micro-batches,
  /// or N × batch samples when samples are counted, and the tutorial's rule steps at each epoch's
  /// end as well. On a tiny data set with a large batch a step can take thousands of epochs.
  public func epochsFor(steps: Int, in source: BatchSource) -> Int {
    let n = accumulator.rules.schedule.factor(forEpoch: epoch), nb = max(1, source.batchesPerEpoch)
    let rules = accumulator.rules
    if !rules.countsSamples && rules.leftover == .stepAtEpochEnd {
      let stepsPerEpoch = (nb + n - 1) / n
      return (steps + stepsPerEpoch - 1) / stepsPerEpoch
    }
    let microBatches = rules.countsSamples
      ? Accumulator.batchesToReach(n * source.batchSize, from: 0, of: source) : n
    let (total, overflow) = microBatches.multipliedReportingOverflow(by: steps)
    return overflow ? Int.max : (total + nb - 1) / nb
  }

  /// The tutorial's test loop: accuracy over the set and the mean of per-batch mean losses.
  public func evaluate(_ source: BatchSource) -> Evaluation {
    let b = Batch(capacity: source.largestBatch, features: source.features)
    var lossSum = 0.0, correct = 0, seen = 0
    source.startEpoch(0)
    for i in 0..<source.batchesPerEpoch {
      source.fill(b, index: i)
      let r = CrossEntropy.evaluate(logits: model.forward(b.x, training: false), labels: b.y)
      lossSum += Double(r.loss)
      correct += r.correct
      seen += b.count
    }
    let batches = source.batchesPerEpoch
    return Evaluation(accuracy: seen > 0 ? Double(correct) / Double(seen) : 0,
                      averageLoss: batches > 0 ? lossSum / Double(batches) : 0,
                      correct: correct, samples: seen)
  }

  public struct Evaluation: Sendable {
    public let accuracy: Double
    public let averageLoss: Double
    public let correct: Int
    public let samples: Int
  }

  // MARK: - Cursor and workspaces

  private func load(_ source: BatchSource, index: Int) -> Batch {
    // A new source (another batch size, say) must be told which epoch it is in.
    if startedEpoch != epoch || startedSource != ObjectIdentifier(source) {
      source.startEpoch(epoch)
      startedEpoch = epoch
      startedSource = ObjectIdentifier(source)
    }
    if batch.capacity < source.largestBatch || batch.features != source.features {
      batch = Batch(capacity: source.largestBatch, features: source.features)
    }
    source.fill(batch, index: index)
    return batch
  }

  /// Where the next micro-batch of `source` comes from: the cursor, or the next epoch's first batch
  /// when a restored cursor lies past the end of this source's epoch (`backward` moves it there).
  public func nextPosition(in source: BatchSource) -> (epoch: Int, batch: Int) {
    nextBatch >= source.batchesPerEpoch ? (epoch + 1, 0) : (epoch, nextBatch)
  }

  /// A cursor restored past the end of this source's epoch (saved with a smaller batch size):
  /// that epoch is over, so the next one begins.
  private func wrapCursor(_ source: BatchSource) {
    if nextBatch >= source.batchesPerEpoch {
      nextBatch = 0
      epoch += 1
    }
  }

  private func advance(_ source: BatchSource) {
    nextBatch += 1
    if nextBatch >= source.batchesPerEpoch {
      nextBatch = 0
      epoch += 1
    }
  }

  private var dLogits = Tensor()
  private func logitsGradient(rows: Int) -> Tensor {
    if dLogits.rows < rows || dLogits.columns != model.classes {
      dLogits = Tensor(rows: max(rows, batch.capacity), columns: model.classes)
    }
    return dLogits.prefix(rows: rows)
  }
}
