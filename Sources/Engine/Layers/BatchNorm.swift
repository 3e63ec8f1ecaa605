// BatchNorm.swift — nn.BatchNorm1d over a Linear layer's outputs, per feature:
//   training: y = γ·(x − mean_B)/√(var_B + ε) + β, with the batch's own statistics,
//             running_mean/var ← (1 − 0.1)·running + 0.1·batch (var unbiased, as PyTorch)
//   eval:     the running statistics instead.
// The batch statistics couple the samples of a micro-batch: this is where
// gradient accumulation stops being exactly one large batch.

/// What a batch norm keeps besides its parameters: state, not learnt (no gradient), which
/// PyTorch's state_dict holds as `running_mean` and `running_var`.
public protocol RunningStatistics: AnyObject {
  var runningMean: Tensor { get }
  var runningVariance: Tensor { get }
}

public final class BatchNorm: RunningStatistics, @unchecked Sendable {
  public let features: Int
  public let weight: Parameter        // γ [features]
  public let bias: Parameter          // β [features]
  public let runningMean: Tensor      // [features]
  public let runningVariance: Tensor  // [features]
  public static let epsilon: Float = 1e-5
  public static let momentum: Float = 0.1

  private(set) var normalized = Tensor()   // [capacity, features] x̂, kept for backward
  private let inverseStd: Tensor            // [features] 1/√(var + ε) of the last training batch

  init(features: Int, weight: Parameter, bias: Parameter) {
    self.features = features
    self.weight = weight
    self.bias = bias
    runningMean = Tensor(count: features)
    runningVariance = Tensor(count: features)
    inverseStd = Tensor(count: features)
    reset()
  }

  /// γ = 1, β = 0, running mean 0 and variance 1: PyTorch's initial state.
  func reset() {
    weight.value.fill(1)
    bias.value.fill(0)
    runningMean.fill(0)
    runningVariance.fill(1)
  }

  func prepare(capacity: Int) { normalized = Tensor(rows: capacity, columns: features) }
  var workspaceFloats: Int { normalized.count }

  /// Normalises columns `columns` of y [rows, features] in place.
  func forward(_ y: UnsafeMutablePointer<Float>, rows: Int, columns: Range<Int>, training: Bool) {
    let g = weight.value.pointer, b = bias.value.pointer, xh = normalized.pointer
    for j in columns {
      let (mean, scale): (Float, Float)
      if training {
        var s = 0.0, s2 = 0.0
        for r in 0..<rows { s += Double(y[r * features + j]) }
        let m = s / Double(rows)
        for r in 0..<rows { let d = Double(y[r * features + j]) - m; s2 += d * d }
        let variance = s2 / Double(rows)
        mean = Float(m)
        scale = Float(1 / (variance + Double(Self.epsilon)).squareRoot())
        inverseStd[j] = scale
        let unbiased = rows > 1 ? Float(s2 / Double(rows - 1)) : Float(variance)
        runningMean[j] = (1 - Self.momentum) * runningMean[j] + Self.momentum * mean
        runningVariance[j] = (1 - Self.momentum) * runningVariance[j] + Self.momentum * unbiased
      } else {
        mean = runningMean[j]
        scale = 1 / (runningVariance[j] + Self.epsilon).squareRoot()
      }
      for r in 0..<rows {
        let i = r * features + j
        let x = (y[i] - mean) * scale
        xh[i] = x
        y[i] = g[j] * x + b[j]
      }
    }
  }

  /// dz [rows, features] (∂loss/∂BN output) → ∂loss/∂BN input, in place, for `columns`;
  /// adds into ∂γ and ∂β.
  func backward(_ dz: UnsafeMutablePointer<Float>, rows: Int, columns: Range<Int>) {
    let g = weight.value.pointer, dg = weight.grad.pointer, db = bias.grad.pointer, xh = normalized.pointer
    let n = Float(rows)
    for j in columns {
      var sumDz: Float = 0, sumDzX: Float = 0
      for r in 0..<rows {
        let i = r * features + j
        sumDz += dz[i]
        sumDzX += dz[i] * xh[i]
      }
      dg[j] += sumDzX
      db[j] += sumDz
      // dx = γ/σ · (dz − mean(dz) − x̂·mean(dz·x̂))
      let k = g[j] * inverseStd[j]
      for r in 0..<rows {
        let i = r * features + j
        dz[i] = k * (dz[i] - sumDz / n - xh[i] * sumDzX / n)
      }
    }
  }
}
