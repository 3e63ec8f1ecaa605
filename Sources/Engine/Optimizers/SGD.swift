// SGD.swift — torch.optim.SGD's update, exactly:
//   g ← g + λ·p                        (weight decay)
//   b ← g on the first step, else μ·b + (1 − τ)·g   (momentum, dampening)
//   g ← g + μ·b (nesterov) or g ← b
//   p ← p − lr·g

public final class SGD: Optimizer {
  public let name = "SGD"
  public var learningRate: Float
  public var momentum: Float
  public var dampening: Float
  public var weightDecay: Float
  public var nesterov: Bool
  public private(set) var stepCount = 0

  private let parameters: ParameterSet
  private let pool: () -> WorkerPool
  private var buffer: Tensor?          // [total], created by the first step with momentum

  public init(_ parameters: ParameterSet, pool: @escaping () -> WorkerPool, learningRate: Float = 1e-3,
              momentum: Float = 0, dampening: Float = 0, weightDecay: Float = 0, nesterov: Bool = false) {
    self.parameters = parameters
    self.pool = pool
    self.learningRate = learningRate
    self.momentum = momentum
    self.dampening = dampening
    self.weightDecay = weightDecay
    self.nesterov = nesterov
  }

  public var stateBytes: Int { momentum != 0 ? parameters.count * 4 : 0 }
  public var stateDescription: String { momentum != 0 ? "momentum_buffer, one per parameter" : "" }

  public func step() {
    let n = parameters.count
    let p = parameters.values.pointer, g = parameters.grads.pointer
    let lr = learningRate, wd = weightDecay, mu = momentum, keep = 1 - dampening
    let nesterov = self.nesterov
    guard mu != 0 else {
      forEachSlice(pool(), n) { range in
        for i in range { p[i] -= lr * (g[i] + wd * p[i]) }
      }
      stepCount += 1
      return
    }
    let first = buffer == nil
    if first { buffer = Tensor(count: n) }
    let b = buffer!.pointer
    forEachSlice(pool(), n) { range in
      for i in range {
        let d = g[i] + wd * p[i]
        b[i] = first ? d : mu * b[i] + keep * d
        p[i] -= lr * (nesterov ? d + mu * b[i] : b[i])
      }
    }
    stepCount += 1
  }

  public func adopt(_ settings: OptimizerSettings) {
    learningRate = settings.learningRate
    momentum = settings.momentum
    weightDecay = settings.weightDecay
  }

  public func reset() { buffer = nil; stepCount = 0 }

  public var state: [(name: String, tensor: Tensor)] {
    buffer.map { [("momentum_buffer", $0)] } ?? []
  }

  public func restore(_ tensors: [String: Tensor], stepCount: Int) throws {
    if tensors["momentum_buffer"] != nil {
      let b = Tensor(count: parameters.count)
      try restoreBuffer("momentum_buffer", from: tensors, into: b)
      buffer = b
    } else {
      buffer = nil
    }
    self.stepCount = stepCount
  }

  public var description: String {
    var s = "SGD lr \(learningRate)"
    if momentum != 0 { s += ", momentum \(momentum)" }
    if dampening != 0 { s += ", dampening \(dampening)" }
    if weightDecay != 0 { s += ", weight decay \(weightDecay)" }
    if nesterov { s += ", nesterov" }
    return s
  }
}
