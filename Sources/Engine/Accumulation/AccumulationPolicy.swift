// AccumulationPolicy.swift — how well-known implementations accumulate, reduced
// to the three choices where they differ: who divides the loss and by what,
// whether micro-batches or samples are counted, and what becomes of an epoch's
// last, partial window.

public enum AccumulationPolicy: String, CaseIterable, Sendable {
  /// The tutorial's loop: loss / N; step when (i + 1) % N == 0 or at the last batch.
  case guide
  /// `Trainer(accumulate_grad_batches=N)`: the same rules as the tutorial's loop.
  case lightning
  /// `Accelerator(gradient_accumulation_steps=N)`: loss / N, and a step at the end of the data loader.
  case accelerate
  /// Keras 3 `optimizer(gradient_accumulation_steps=N)`: the mean of N gradients; its counter runs across epochs.
  case keras
  /// Run:AI's optimizer wrapper: no division at all; counts its own step() calls across epochs.
  case runai
  /// fastai's `GradientAccumulation(n_acc)`: loss × bs / n_acc, counts samples, across epochs.
  case fastai
  /// Ours: every window is the exact mean of its samples, the short last one included.
  case exact

  public var normalization: LossNormalization {
    switch self {
    case .guide, .lightning, .accelerate, .keras: .steps
    case .runai: .none
    case .fastai: .target
    case .exact: .samples
    }
  }

  public var leftover: LeftoverRule {
    switch self {
    case .guide, .lightning, .accelerate, .exact: .stepAtEpochEnd
    case .keras, .runai, .fastai: .carryOver
    }
  }

  public var countsSamples: Bool { self == .fastai }

  /// These rules with this policy's choices; the schedule stays.
  public func apply(to rules: inout AccumulationRules) {
    rules.normalization = normalization
    rules.leftover = leftover
    rules.countsSamples = countsSamples
  }

  /// The policy whose choices `rules` follow, if any (guide before its look-alikes).
  public init?(matching rules: AccumulationRules) {
    guard let p = Self.allCases.first(where: { $0.normalization == rules.normalization
      && $0.leftover == rules.leftover && $0.countsSamples == rules.countsSamples }) else { return nil }
    self = p
  }
}
