// GradientCheckTests.swift — backward against central finite differences of the loss.

import Testing
@testable import Engine

@Suite struct GradientCheckTests {
  /// Loss of `model` on the whole source (one batch) without touching gradients.
  func loss(_ model: Sequential, _ source: ArraySource) -> Double {
    let b = Batch(capacity: source.batchSize, features: source.features)
    source.fill(b, index: 0)
    return Double(CrossEntropy.evaluate(logits: model.forward(b.x), labels: b.y).loss)
  }

  @Test(arguments: [1, 2])
  func linearReluAndLossMatchFiniteDifferences(threads: Int) throws {
    let source = ArraySource(count: 8, features: 6, classes: 4, batchSize: 8, seed: 7)
    let trainer = makeTrainer(sizes: [6, 70, 5, 4], seed: 3, threads: threads)
    let model = trainer.model
    _ = try trainer.backward(source)
    FiniteDifference().check(model.parameters.parameters, "MLP, \(threads) threads") { loss(model, source) }
  }

  @Test func lossIsStableForHugeLogits() {
    let z = Tensor(shape: [2, 3], values: [1000, 0, -1000, 0, 0, 0])
    var labels: [Int32] = [0, 2]
    let g = Tensor(rows: 2, columns: 3)
    let r = labels.withUnsafeMutableBufferPointer { CrossEntropy.evaluate(logits: z, labels: $0, gradient: g) }
    #expect(abs(r.loss - Float(0.5 * 1.0986123)) < 1e-5)
    #expect(r.correct == 1)  // ties go to the first column, as argmax does: row 1 predicts 0, not 2
    #expect(g[0, 0] == 0 && abs(g[1, 2] - (1.0 / 3 - 1) / 2) < 1e-6)
  }
}
