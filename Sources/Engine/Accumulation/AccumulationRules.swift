// AccumulationRules.swift — the one value that says how micro-batches make a step: how many
// (N, or a per-epoch schedule), who divides the loss and by what, whether micro-batches or
// samples are counted, and what becomes of an epoch's last, partial window. The shell's
// settings show it, the accumulator follows it, and a library's policy is a name for it.

public struct AccumulationRules: Equatable, Sendable {
  public var schedule: AccumulationSchedule
  public var normalization: LossNormalization
  public var leftover: LeftoverRule
  /// Count samples instead of micro-batches: step once N·B samples are in (fastai's `n_acc`).
  public var countsSamples: Bool

  /// The tutorial's rules by default: loss / N, count micro-batches, step a short last window.
  public init(schedule: AccumulationSchedule = AccumulationSchedule(1), normalization: LossNormalization = .steps,
              leftover: LeftoverRule = .stepAtEpochEnd, countsSamples: Bool = false) {
    self.schedule = schedule
    self.normalization = normalization
    self.leftover = leftover
    self.countsSamples = countsSamples
  }

  /// The same rules for making a window, whatever the schedule: what a policy names.
  public func sameWindowRules(as other: AccumulationRules) -> Bool {
    normalization == other.normalization && leftover == other.leftover && countsSamples == other.countsSamples
  }
}

/// How one micro-batch's loss was scaled for backward, as a learner reads it.
public enum LossScale: Equatable, Sendable {
  /// Not scaled (accumulate 1, or no division at all).
  case none
  /// loss / N: the tutorial's division.
  case dividedBy(Int)
  /// Any other factor (per window, per sample, fastai's target).
  case factor(Float)
}
