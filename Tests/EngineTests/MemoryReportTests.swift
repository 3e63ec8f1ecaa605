// MemoryReportTests.swift — the report against hand computation for the tutorial's network and
// against what the engine really allocates after a backward pass.
import Testing
@testable import Engine

/// A stored property of `object` by name, private ones included.
private func stored<T>(_ object: AnyObject, _ name: String, as: T.Type) -> T? {
  Mirror(reflecting: object).children.first { $0.label == name }?.value as? T
}

@Suite struct MemoryReportTests {
  @Test func tutorialNetworkByHand() {
    let model = MLP(sizes: [784, 512, 512, 10], seed: 0)
    let sgd = MemoryReport(model: model, optimizerStateBytes: 0, batch: 64)
    #expect(model.parameterCount == 669_706)
    #expect(sgd.parameters == 2_678_824 && sgd.gradients == 2_678_824 && sgd.optimizerState == 0)
    // outputs 512 + 512 + 10, input gradients 512 + 512, logits gradient 10, images 784; labels Int32
    #expect(sgd.activations == 64 * (512 + 512 + 10 + 512 + 512 + 10 + 784) * 4 + 64 * 4)
    #expect(sgd.activations == 730_368)
    #expect(sgd.total == 2 * 2_678_824 + 730_368)
    #expect(sgd.description
      == "parameters 2.68 MB, gradients 2.68 MB, optimizer state 0 B, activations 730 KB (batch 64): 6.09 MB")

    let momentum = SGD(model.parameters, pool: { model.pool }, momentum: 0.9)
    let adam = Adam(model.parameters, pool: { model.pool })
    #expect(MemoryReport(model: model, optimizerStateBytes: momentum.stateBytes, batch: 64).optimizerState == 2_678_824)
    #expect(MemoryReport(model: model, optimizerStateBytes: adam.stateBytes, batch: 64).optimizerState == 5_357_648)
    // Accumulating 4 micro-batches of 16 holds a quarter of batch 64's activations.
    #expect(MemoryReport.activationBytes(sizes: model.sizes, batch: 16) * 4 == sgd.activations)
  }

  /// After a backward pass of `batch` rows: the model's workspaces, the trainer's logits gradient and
  /// its batch buffer are exactly the activation bytes, and the optimizer's buffers its stateBytes.
  @Test(arguments: [([20, 7, 5, 3], 6), ([784, 512, 512, 10], 64)])
  func matchesWhatTheEngineAllocates(sizes: [Int], batch: Int) throws {
    let t = makeTrainer(sizes: sizes)
    let model = t.model
    t.optimizer = Adam(model.parameters, pool: { model.pool })
    // 2.5 batches: the short last one must not change anything.
    let data = ArraySource(count: batch * 5 / 2, features: sizes[0], classes: sizes.last!, batchSize: batch, seed: 3)
    _ = t.train(data, epochs: 1)

    let dLogits = try #require(stored(t, "dLogits", as: Tensor.self))
    let buffer = try #require(stored(t, "batch", as: Batch.self))
    let allocated = model.workspaceFloats * 4 + dLogits.count * 4
      + buffer.images.count * 4 + buffer.capacity * MemoryLayout<Int32>.size
    let report = MemoryReport(trainer: t, batch: batch)
    #expect(report.activations == allocated)
    #expect(report.parameters == model.parameters.values.count * 4)
    #expect(report.gradients == model.parameters.grads.count * 4)
    #expect(report.optimizerState == t.optimizer.state.reduce(0) { $0 + $1.tensor.count * 4 })
  }

  @Test func bytesInDecimalUnitsToThreeDigits() {
    let cases: [(Int, String)] = [
      (0, "0 B"), (999, "999 B"), (1000, "1.00 KB"), (1234, "1.23 KB"), (12_345, "12.3 KB"),
      (730_368, "730 KB"), (999_499, "999 KB"), (999_500, "1.00 MB"), (2_678_824, "2.68 MB"),
      (6_000_000, "6.00 MB"), (99_950_000, "100 MB"), (188_160_000, "188 MB"),
      (5_357_648_000, "5.36 GB"), (2_000_000_000_000, "2.00 TB"), (-1500, "-1.50 KB"),
    ]
    for (n, text) in cases { #expect(formatBytes(n) == text, "\(n)") }
  }
}
