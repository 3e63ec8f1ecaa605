// Accumulator.swift — gradient accumulation as an object: which loss scale each
// micro-batch gets, when the optimizer steps, and the counters a learner watches.
//
// The tutorial's loop, for batch index i of an epoch with nb batches:
//     loss = loss / N;  loss.backward()
//     if (i + 1) % N == 0 or i + 1 == nb: optimizer.step(); optimizer.zero_grad()
// Here a "window" is the run of micro-batches between two steps. A window is
// planned when it opens, so the rules for the last, partial window of an epoch
// (3750 = 937·4 + 2 at batch 16) can be stated and compared exactly.

/// Who divides the loss, and by what.
public enum LossNormalization: String, CaseIterable, Sendable {
  /// No division: the accumulated gradient is the sum of N batch means (Run:AI's wrapper).
  case none
  /// loss / N for every micro-batch, even in a short last window (the tutorial, Lightning, Accelerate, Keras).
  case steps
  /// loss / k, k = micro-batches actually in this window: the exact mean of the window's batch means.
  case window
  /// loss · b / S, b = this batch's samples, S = samples in the window: exactly the large batch's mean.
  case samples
  /// loss · b / (N·B), B the nominal batch size: fastai's GradientAccumulation (`loss / (n_acc / bs)`).
  case target
}

/// What happens to an epoch's last micro-batches when they do not fill a window.
public enum LeftoverRule: String, CaseIterable, Sendable {
  /// Step at the epoch's last batch with what there is (the tutorial, Lightning).
  case stepAtEpochEnd
  /// Keep accumulating into the next epoch's first window (Run:AI, Keras).
  case carryOver
}

public struct Accumulator: Sendable {
  /// The rules windows are planned by; changed only while no window is open.
  public var rules: AccumulationRules

  /// Micro-batches and samples in the open window (0 when none is open).
  public private(set) var microBatches = 0
  public private(set) var samples = 0
  /// Micro-batches and samples the open window will hold when full.
  public private(set) var plannedMicroBatches = 0
  public private(set) var plannedSamples = 0
  /// The N the open window was planned with (0 when none is open). A carried-over window can
  /// cross into an epoch whose schedule says another N; its micro-batches must all share one
  /// scale, or the step's gradient weighs them unequally.
  public private(set) var plannedFactor = 0
  /// Optimizer steps taken.
  public private(set) var steps = 0

  /// The window took more than it was planned to hold (`backward` past a full window): its step
  /// will be larger than the rules say.
  public private(set) var isOverFull = false

  public init(rules: AccumulationRules = AccumulationRules()) {
    self.rules = rules
  }

  public init(schedule: AccumulationSchedule, normalization: LossNormalization = .steps,
              leftover: LeftoverRule = .stepAtEpochEnd) {
    self.init(rules: AccumulationRules(schedule: schedule, normalization: normalization, leftover: leftover))
  }

  public var isWindowOpen: Bool { microBatches > 0 }
  /// The tutorial's condition for `optimizer.step()`.
  public var isWindowFull: Bool {
    microBatches > 0 && (rules.countsSamples ? samples >= plannedSamples : microBatches >= plannedMicroBatches)
  }

  /// How `scale` (which `scale(forBatch:…)` gave for the open window) reads: "/ N" when it is
  /// the tutorial's division by the window's N (whichever rule gave it), else a factor.
  public func lossScale(_ scale: Float) -> LossScale {
    if scale == 1 { return .none }
    if plannedFactor > 0 && scale == 1 / Float(plannedFactor) {
      return .dividedBy(plannedFactor)
    }
    return .factor(scale)
  }

  /// The loss scale for batch `index` of 0-based `epoch`, opening a window if none is open.
  public mutating func scale(forBatch index: Int, epoch: Int, of source: BatchSource) -> Float {
    if microBatches == 0 { plan(from: index, n: rules.schedule.factor(forEpoch: epoch), source: source) }
    let n = plannedFactor
    switch rules.normalization {
    case .none: return 1
    case .steps: return 1 / Float(n)
    case .window: return 1 / Float(plannedMicroBatches)
    case .samples: return Float(source.size(ofBatch: index)) / Float(plannedSamples)
    case .target: return Float(source.size(ofBatch: index)) / Float(n * source.batchSize)
    }
  }

  private mutating func plan(from index: Int, n: Int, source: BatchSource) {
    let nb = source.batchesPerEpoch
    plannedFactor = n
    if rules.countsSamples {  // a target in samples; however many micro-batches it takes
      plannedSamples = n * source.batchSize
      plannedMicroBatches = Self.batchesToReach(plannedSamples, from: index, of: source)
      return
    }
    switch rules.leftover {
    case .stepAtEpochEnd:
      plannedMicroBatches = max(1, min(n, nb - index))
      plannedSamples = (index..<(index + plannedMicroBatches)).reduce(0) { $0 + source.size(ofBatch: $1) }
    case .carryOver:
      plannedMicroBatches = n
      plannedSamples = (0..<n).reduce(0) { $0 + source.size(ofBatch: (index + $1) % nb) }
    }
  }

  /// How many batches from `index` on, across epoch ends, hold at least `target` samples: a short
  /// last batch in the way makes a sample-counted window one micro-batch longer than N.
  static func batchesToReach(_ target: Int, from index: Int, of source: BatchSource) -> Int {
    let nb = source.batchesPerEpoch
    var left = target, count = 0, i = index
    while left > 0 && i < nb { left -= source.size(ofBatch: i); count += 1; i += 1 }
    guard left > 0 else { return count }
    let wholeEpochs = (left - 1) / source.sampleCount   // counted, not walked: a target may span many tiny epochs
    left -= wholeEpochs * source.sampleCount
    count += wholeEpochs * nb
    i = 0
    while left > 0 { left -= source.size(ofBatch: i); count += 1; i += 1 }
    return count
  }

  /// Records a finished backward of `count` samples.
  public mutating func accumulated(samples count: Int) {
    if isWindowFull { isOverFull = true }
    microBatches += 1
    samples += count
  }

  /// The optimizer stepped: the window closes.
  public mutating func stepped() {
    steps += 1
    closeWindow()
  }

  /// The gradients were zeroed without a step: the window's work is dropped.
  public mutating func closeWindow() {
    microBatches = 0
    samples = 0
    plannedMicroBatches = 0
    plannedSamples = 0
    plannedFactor = 0
    isOverFull = false
  }

  /// The counters a saved training state had (see `TrainingPosition`); the rules stay as set.
  public mutating func restore(steps: Int, microBatches: Int, samples: Int,
                               plannedMicroBatches: Int, plannedSamples: Int, plannedFactor: Int) {
    self.steps = steps
    self.microBatches = microBatches
    self.samples = samples
    self.plannedMicroBatches = plannedMicroBatches
    self.plannedSamples = plannedSamples
    self.plannedFactor = plannedFactor
    isOverFull = rules.countsSamples ? false : microBatches > plannedMicroBatches
  }

  /// Back to no steps taken (a fresh model).
  public mutating func reset() {
    closeWindow()
    steps = 0
  }
}
