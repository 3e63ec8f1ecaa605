// Equivalence.swift — the tutorial's central claim as a measurement: from the
// same weights, N accumulated micro-batches of B (each loss scaled) give the
// gradient of one batch of B·N, and so the same step.

public enum Equivalence {
  /// How far two tensors are apart: max |a − b| and that over max |b|.
  public struct Difference: Sendable {
    public let name: String
    public let maxAbsolute: Float
    public let relative: Float
    /// max |b|, what the difference is relative to.
    public let scale: Float
  }

  public struct Report: Sendable {
    /// Per parameter: accumulated gradient against the large batch's.
    public let gradients: [Difference]
    /// Per parameter: weights after one step from each gradient.
    public let weights: [Difference]
    public let largeBatchLoss: Float
    public let microBatchLosses: [Float]
    /// Parameters whose large-batch gradient is zero up to float rounding: at most 1e-5 of the
    /// model's largest. A bias just before batch norm is one (the mean it adds is subtracted
    /// again); relative differences there set rounding noise against rounding noise.
    public var gradientless: Set<String> {
      let largest = gradients.map(\.scale).max() ?? 0
      return Set(gradients.filter { $0.scale <= 1e-5 * largest && !$0.maxAbsolute.isNaN }.map(\.name))
    }
    public var worstGradient: Float {
      let none = gradientless
      return worst(gradients.filter { !none.contains($0.name) })
    }
    public var worstWeights: Float { worst(weights) }
    /// The largest relative difference, or NaN if any is: a NaN must not hide behind a max.
    private func worst(_ differences: [Difference]) -> Float {
      differences.contains { $0.relative.isNaN } ? .nan : differences.map(\.relative).max() ?? 0
    }
  }

  /// Compares, without touching `model`: one forward/backward over all rows of
  /// `microBatches` together (loss scale 1), against one per micro-batch with
  /// `scales[i]`, then one step of `optimizer(model)` from each.
  public static func compare(_ model: Sequential, microBatches: [Batch], scales: [Float],
                             optimizer: (Sequential) -> Optimizer) -> Report {
    precondition(microBatches.count == scales.count && !microBatches.isEmpty)
    let rows = microBatches.reduce(0) { $0 + $1.count }
    let large = Batch(capacity: rows, features: model.inputs)
    var r = 0
    for b in microBatches {
      large.images.pointer.advanced(by: r * model.inputs).update(from: b.images.pointer, count: b.count * model.inputs)
      large.labels.advanced(by: r).update(from: b.labels, count: b.count)
      r += b.count
    }
    large.count = rows

    let one = model.clone(), many = model.clone()
    let largeLoss = accumulate(one, large, scale: 1)
    let losses = zip(microBatches, scales).map { accumulate(many, $0, scale: $1) }
    let gradients = differences(many, one, \.grad)
    optimizer(one).step()
    optimizer(many).step()
    return Report(gradients: gradients, weights: differences(many, one, \.value),
                  largeBatchLoss: largeLoss, microBatchLosses: losses)
  }

  /// forward, loss · scale, backward into `model`'s gradients; returns the unscaled loss.
  private static func accumulate(_ model: Sequential, _ b: Batch, scale: Float) -> Float {
    let logits = model.forward(b.x)
    let g = Tensor(rows: b.count, columns: model.classes)
    let r = CrossEntropy.evaluate(logits: logits, labels: b.y, gradient: g, scale: scale)
    model.backward(g)
    return r.loss
  }

  private static func differences(_ a: Sequential, _ b: Sequential, _ part: KeyPath<Parameter, Tensor>) -> [Difference] {
    zip(a.parameters.parameters, b.parameters.parameters).map { pa, pb in
      let x = pa[keyPath: part], y = pb[keyPath: part]
      var diff: Float = 0, scale: Float = 0
      for i in 0..<x.count { diff = max(diff, abs(x[i] - y[i])); scale = max(scale, abs(y[i])) }
      // max() passes a NaN over: diverged weights would read as "exactly the same".
      if !x.array.allSatisfy(\.isFinite) || !y.array.allSatisfy(\.isFinite) { diff = .nan }
      return Difference(name: pa.name, maxAbsolute: diff, relative: scale > 0 ? diff / scale : diff, scale: scale)
    }
  }
}

extension Sequential {
  /// A new model with the same shape and weights, zero gradients, one thread of its own.
  public func clone() -> Sequential {
    let copy = Sequential(architecture, seed: 0, threads: 1)
    copy.parameters.values.copy(from: parameters.values)
    for (a, b) in zip(copy.buffers, buffers) { a.tensor.copy(from: b.tensor) }
    return copy
  }
}
