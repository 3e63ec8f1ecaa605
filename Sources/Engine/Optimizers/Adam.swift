// Adam.swift — torch.optim.Adam and AdamW, PyTorch's single-tensor update:
//   g ← g + λ·p (Adam's L2 decay)   or   p ← p·(1 − lr·λ) (AdamW's decoupled decay)
//   m ← m + (1 − β₁)·(g − m)        v ← β₂·v + (1 − β₂)·g²
//   p ← p − lr/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε)

#if canImport(Glibc)
import Glibc
#endif

public final class Adam: Optimizer {
  public var name: String { decoupled ? "AdamW" : "Adam" }
  public var learningRate: Float
  public var beta1: Float
  public var beta2: Float
  public var epsilon: Float
  public var weightDecay: Float
  /// AdamW: decay the weights directly instead of adding λ·p to the gradient.
  public let decoupled: Bool
  public private(set) var stepCount = 0

  private let parameters: ParameterSet
  private let pool: () -> WorkerPool
  private let m: Tensor   // [total] exp_avg
  private let v: Tensor   // [total] exp_avg_sq

  /// PyTorch's defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight decay 0 (Adam) or 1e-2 (AdamW).
  public init(_ parameters: ParameterSet, pool: @escaping () -> WorkerPool, learningRate: Float = 1e-3,
              beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8,
              weightDecay: Float? = nil, decoupled: Bool = false) {
    self.parameters = parameters
    self.pool = pool
    self.learningRate = learningRate
    self.beta1 = beta1
    self.beta2 = beta2
    self.epsilon = epsilon
    self.weightDecay = weightDecay ?? (decoupled ? 1e-2 : 0)
    self.decoupled = decoupled
    m = Tensor(count: parameters.count)
    v = Tensor(count: parameters.count)
  }

  public var stateBytes: Int { 2 * parameters.count * 4 }
  public var stateDescription: String { "exp_avg and exp_avg_sq, two per parameter" }

  /// exp_avg_sq takes (1 − β₂)·g², and g² overflows a float past 1.8e19: PyTorch would store inf
  /// there and train on. 1e18 leaves room for the L2 term λ·p added to g.
  public var largestSafeGradient: Float { 1e18 }

  public func step() {
    stepCount += 1
    let t = Double(stepCount)
    // PyTorch computes the bias corrections in double, then hands floats to the kernels.
    let stepSize = Float(Double(learningRate) / (1 - pow(Double(beta1), t)))
    let correction2 = Float((1 - pow(Double(beta2), t)).squareRoot())
    let decay = decoupled ? 1 - learningRate * weightDecay : 1
    let l2 = decoupled ? 0 : weightDecay
    let b1 = 1 - beta1, b2 = beta2, c2 = 1 - beta2, eps = epsilon
    let p = parameters.values.pointer, g = parameters.grads.pointer
    let mp = m.pointer, vp = v.pointer
    forEachSlice(pool(), parameters.count) { range in
      for i in range {
        if decay != 1 { p[i] *= decay }
        let d = g[i] + l2 * p[i]
        mp[i] += b1 * (d - mp[i])
        vp[i] = b2 * vp[i] + c2 * d * d
        p[i] -= stepSize * (mp[i] / (vp[i].squareRoot() / correction2 + eps))
      }
    }
  }

  public func adopt(_ settings: OptimizerSettings) {
    learningRate = settings.learningRate
    weightDecay = settings.weightDecay
  }

  public func reset() { m.zero(); v.zero(); stepCount = 0 }

  public var state: [(name: String, tensor: Tensor)] { [("exp_avg", m), ("exp_avg_sq", v)] }

  public func restore(_ tensors: [String: Tensor], stepCount: Int) throws {
    try restoreBuffer("exp_avg", from: tensors, into: m)
    try restoreBuffer("exp_avg_sq", from: tensors, into: v)
    self.stepCount = stepCount
  }

  public var description: String {
    var s = "\(name) lr \(learningRate), betas (\(beta1), \(beta2)), eps \(epsilon)"
    if weightDecay != 0 { s += ", weight decay \(weightDecay)" }
    return s
  }
}
