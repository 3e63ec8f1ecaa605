// BatchNorm2d.swift — nn.BatchNorm2d(C): BatchNorm1d's rule per channel, over the batch and
// every pixel of the map (B·H·W values a channel). As for the MLP, the statistics of a micro-
// batch are its own: accumulated micro-batches are not one large batch here.

public final class BatchNorm2d: Layer, RunningStatistics {
  public let channels: Int, pixels: Int
  public let weight: Parameter        // γ [C]
  public let bias: Parameter          // β [C]
  public let runningMean: Tensor      // [C]
  public let runningVariance: Tensor  // [C]

  private var output = Tensor()       // [capacity, C·pixels]
  private var normalized = Tensor()   // [capacity, C·pixels] x̂, kept for backward
  private let inverseStd: Tensor      // [C] of the last training batch

  init(channels: Int, pixels: Int, weight: Parameter, bias: Parameter) {
    (self.channels, self.pixels, self.weight, self.bias) = (channels, pixels, weight, bias)
    runningMean = Tensor(count: channels)
    runningVariance = Tensor(count: channels)
    inverseStd = Tensor(count: channels)
  }

  public var inputFeatures: Int { channels * pixels }
  public var outputFeatures: Int { channels * pixels }
  public var description: String { "BatchNorm2d(\(channels))" }
  public var parameterShapes: [(name: String, shape: [Int])] { [("weight", [channels]), ("bias", [channels])] }

  public func workspaces(rows: Int, needsInputGradient: Bool) -> [Workspace] {
    [Workspace(name: "output", floats: rows * outputFeatures, use: .kept),
     Workspace(name: "normalized x̂", floats: rows * outputFeatures, use: .kept)]
  }

  public func prepare(capacity: Int, needsInputGradient: Bool) {
    output = Tensor(rows: capacity, columns: outputFeatures)
    normalized = Tensor(rows: capacity, columns: outputFeatures)
  }

  /// γ = 1, β = 0, running mean 0 and variance 1.
  public func initialize(_ rng: inout RandomNumbers) {
    weight.value.fill(1)
    bias.value.fill(0)
    runningMean.fill(0)
    runningVariance.fill(1)
  }

  public func forward(_ x: Tensor, training: Bool, _ parallel: Parallel) -> Tensor {
    let batch = x.rows, y = output.prefix(rows: batch)
    let n = batch * pixels, eps = BatchNorm.epsilon, momentum = BatchNorm.momentum
    parallel.items(channels) { range in
      for c in range {
        let (mean, scale): (Float, Float)
        if training {
          var s = 0.0, s2 = 0.0
          for b in 0..<batch {
            let map = x.pointer + b * outputFeatures + c * pixels
            for i in 0..<pixels { s += Double(map[i]) }
          }
          let m = s / Double(n)
          for b in 0..<batch {
            let map = x.pointer + b * outputFeatures + c * pixels
            for i in 0..<pixels { let d = Double(map[i]) - m; s2 += d * d }
          }
          let variance = s2 / Double(n)
          mean = Float(m)
          scale = Float(1 / (variance + Double(eps)).squareRoot())
          inverseStd[c] = scale
          let unbiased = n > 1 ? Float(s2 / Double(n - 1)) : Float(variance)
          runningMean[c] = (1 - momentum) * runningMean[c] + momentum * mean
          runningVariance[c] = (1 - momentum) * runningVariance[c] + momentum * unbiased
        } else {
          mean = runningMean[c]
          scale = 1 / (runningVariance[c] + eps).squareRoot()
        }
        let g = weight.value[c], beta = bias.value[c]
        for b in 0..<batch {
          let at = b * outputFeatures + c * pixels
          let source = x.pointer + at, xh = normalized.pointer + at, out = y.pointer + at
          for i in 0..<pixels {
            let v = (source[i] - mean) * scale
            xh[i] = v
            out[i] = g * v + beta
          }
        }
      }
    }
    return y
  }

  /// dx = γ/σ · (dy − mean(dy) − x̂·mean(dy·x̂)) per channel, in place; adds into ∂γ and ∂β.
  public func backward(_ dy: Tensor, needsInputGradient: Bool, _ parallel: Parallel) -> Tensor? {
    let batch = dy.rows, n = Float(batch * pixels)
    parallel.items(channels) { range in
      for c in range {
        var sumDy: Float = 0, sumDyX: Float = 0
        for b in 0..<batch {
          let at = b * outputFeatures + c * pixels
          let g = dy.pointer + at, xh = normalized.pointer + at
          for i in 0..<pixels { sumDy += g[i]; sumDyX += g[i] * xh[i] }
        }
        weight.grad[c] += sumDyX
        bias.grad[c] += sumDy
        guard needsInputGradient else { continue }
        let k = weight.value[c] * inverseStd[c]
        for b in 0..<batch {
          let at = b * outputFeatures + c * pixels
          let g = dy.pointer + at, xh = normalized.pointer + at
          for i in 0..<pixels { g[i] = k * (g[i] - sumDy / n - xh[i] * sumDyX / n) }
        }
      }
    }
    return needsInputGradient ? dy : nil
  }
}
