// OptimizerSettings.swift — the one value that says which optimizer and with what
// hyper-parameters: `set optimizer`, `set lr`, `set momentum`, `set weight_decay`.

public enum OptimizerKind: String, CaseIterable, Sendable {
  case sgd, adam, adamw
}

public struct OptimizerSettings: Equatable, Sendable {
  public var kind = OptimizerKind.sgd
  public var learningRate: Float = 1e-3
  /// SGD's momentum; Adam's betas stay PyTorch's defaults.
  public var momentum: Float = 0
  /// L2 for SGD and Adam, decoupled for AdamW.
  public var weightDecay: Float = 0

  /// The tutorial's optimizer: SGD, lr 1e-3, no momentum, no weight decay.
  public init() {}

  /// A fresh optimizer of this kind over `parameters`, with empty state.
  public func makeOptimizer(_ parameters: ParameterSet, pool: @escaping () -> WorkerPool) -> Optimizer {
    switch kind {
    case .sgd:
      SGD(parameters, pool: pool, learningRate: learningRate, momentum: momentum, weightDecay: weightDecay)
    case .adam:
      Adam(parameters, pool: pool, learningRate: learningRate, weightDecay: weightDecay)
    case .adamw:
      Adam(parameters, pool: pool, learningRate: learningRate, weightDecay: weightDecay, decoupled: true)
    }
  }
}
