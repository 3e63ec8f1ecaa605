// BatchNormDropoutTests.swift — the layers that end exact equivalence: batch norm
// couples the samples of a micro-batch, dropout draws new masks every forward.

import Testing
@testable import Engine

@Suite struct BatchNormDropoutTests {
  @Test func sequentialNamesAsPyTorch() {
    let bn = Sequential(sizes: [6, 5, 4, 3], seed: 1, batchNorm: true)
    #expect(bn.parameters.names == ["0.weight", "0.bias", "1.weight", "1.bias", "3.weight", "3.bias",
                                    "4.weight", "4.bias", "6.weight", "6.bias"])
    #expect(bn.buffers.map(\.name) == ["1.running_mean", "1.running_var", "4.running_mean", "4.running_var"])
    let drop = Sequential(sizes: [6, 5, 4, 3], seed: 1, dropout: 0.2)
    #expect(drop.parameters.names == ["0.weight", "0.bias", "3.weight", "3.bias", "6.weight", "6.bias"])
  }

  @Test(arguments: [1, 2])
  func batchNormMatchesFiniteDifferences(threads: Int) {
    let source = ArraySource(count: 8, features: 6, classes: 4, batchSize: 8, seed: 7)
    let model = Sequential(sizes: [6, 70, 5, 4], seed: 3, threads: threads, batchNorm: true)
    let b = Batch(capacity: 8, features: 6)
    source.fill(b, index: 0)
    func loss() -> Double {
      Double(CrossEntropy.evaluate(logits: model.forward(b.x), labels: b.y).loss)
    }
    let g = Tensor(rows: 8, columns: 4)
    _ = CrossEntropy.evaluate(logits: model.forward(b.x), labels: b.y, gradient: g)
    model.backward(g)
    FiniteDifference(samplesPerParameter: 12).check(model.parameters.parameters, "batch norm, \(threads) threads") {
      loss()
    }
  }

  /// Dropout's backward (mask from the zeros it left, kept values scaled by 1/(1 − p)) against
  /// finite differences. MLP.forward draws new masks every call, so the loss here runs the
  /// layers itself with one fixed mask stream.
  @Test func dropoutMatchesFiniteDifferencesWithItsMasksHeld() {
    let source = ArraySource(count: 8, features: 6, classes: 4, batchSize: 8, seed: 7)
    let model = Sequential(sizes: [6, 70, 5, 4], seed: 3, dropout: 0.5)
    let b = Batch(capacity: 8, features: 6)
    source.fill(b, index: 0)
    _ = model.forward(b.x)  // sizes the workspaces
    func logits() -> Tensor {
      var h = b.x
      for layer in model.layers {
        (layer as! Linear).dropoutStream = (seed: 3, forward: 1)
        h = layer.forward(h, training: true, Parallel(pool: WorkerPool(threads: 1)))
      }
      return h
    }
    let withoutDropout = model.forward(b.x, training: false).clone()
    #expect(relativeDifference(logits(), withoutDropout) > 1e-2, "the masks drop something")
    let g = Tensor(rows: 8, columns: 4)
    _ = CrossEntropy.evaluate(logits: logits(), labels: b.y, gradient: g)  // backward needs this forward's inputs
    model.backward(g)
    // h = 1e-3: at the usual 2e-3 one ReLU input of feature 64 lies within h of 0, and the
    // kept value's doubled slope makes that kink cost 0.1 on 0.bias[64].
    FiniteDifference(step: 1e-3).check(model.parameters.parameters, "dropout 0.5") {
      Double(CrossEntropy.evaluate(logits: logits(), labels: b.y).loss)
    }
  }

  @Test func batchNormRunningStatisticsFollowPyTorch() {
    // One feature, batch [1, 3]: mean 2, unbiased var 2 → running 0.2 and 0.9·1 + 0.1·2 = 1.1
    let model = Sequential(sizes: [1, 1, 1], seed: 0, batchNorm: true)
    let linear = model.layers[0] as! Linear
    linear.weight.value[0] = 1
    linear.bias.value[0] = 0
    _ = model.forward(Tensor(shape: [2, 1], values: [1, 3]))
    let bn = linear.batchNorm!
    #expect(abs(bn.runningMean[0] - 0.2) < 1e-6 && abs(bn.runningVariance[0] - 1.1) < 1e-6)
  }

  @Test func dropoutZeroesAboutPAndScalesTheRest() {
    let model = Sequential(sizes: [4, 512, 2], seed: 0, dropout: 0.25)
    let layer = model.layers[0] as! Linear
    let x = Tensor(rows: 64, columns: 4)
    x.fill(1)
    _ = model.forward(x, training: false)
    let clean = layer.output.prefix(rows: 64).clone()
    _ = model.forward(x)
    let dropped = layer.output.prefix(rows: 64)
    var zeros = 0, positives = 0, scaledRight = true
    for i in 0..<clean.count where clean[i] > 0 {
      positives += 1
      if dropped[i] == 0 { zeros += 1 } else if abs(dropped[i] - clean[i] / 0.75) > 1e-5 { scaledRight = false }
    }
    let fraction = Double(zeros) / Double(positives)
    #expect(abs(fraction - 0.25) < 0.03, "dropped \(fraction)")
    #expect(scaledRight)
  }

  @Test func accumulationIsNoLongerExactWithBatchNorm() {
    let source = ArraySource(count: 64, features: 20, classes: 10, batchSize: 16, seed: 5)
    let batches = (0..<4).map { i -> Batch in
      let b = Batch(capacity: 16, features: 20); source.fill(b, index: i); return b
    }
    let sgd: (Sequential) -> Optimizer = { m in SGD(m.parameters, pool: { m.pool }, learningRate: 0.1) }
    let plain = Equivalence.compare(Sequential(sizes: [20, 96, 64, 10], seed: 3), microBatches: batches,
                                    scales: [0.25, 0.25, 0.25, 0.25], optimizer: sgd)
    let normed = Equivalence.compare(Sequential(sizes: [20, 96, 64, 10], seed: 3, batchNorm: true), microBatches: batches,
                                     scales: [0.25, 0.25, 0.25, 0.25], optimizer: sgd)
    #expect(plain.worstGradient < 1e-5)
    #expect(normed.worstGradient > 1e-2, "\(normed.worstGradient)")
    // The Linear biases before batch norm get no gradient: their rounding noise is set aside.
    #expect(plain.gradientless.isEmpty)
    #expect(normed.gradientless == ["0.bias", "3.bias"], "\(normed.gradientless)")
    let noise = normed.gradients.filter { normed.gradientless.contains($0.name) }
    #expect(noise.allSatisfy { $0.scale < 1e-6 }, "\(noise.map(\.scale))")
  }
}
