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
    let model = Sequential(sizes: [784, 512, 512, 10], seed: 0)
    let sgd = MemoryReport(model: model, optimizerStateBytes: 0, batch: 64)
    #expect(model.parameterCount == 669_706)
    #expect(sgd.parameters == 2_678_824 && sgd.gradients == 2_678_824 && sgd.optimizerState == 0)
    // outputs 512 + 512 + 10, input gradients 512 + 512, logits gradient 10, images 784; labels Int32
    #expect(sgd.activations == 64 * (512 + 512 + 10 + 512 + 512 + 10 + 784) * 4 + 64 * 4)
    #expect(sgd.activations == 730_368)
    #expect(sgd.total == 2 * 2_678_824 + 730_368)

    let momentum = SGD(model.parameters, pool: { model.pool }, momentum: 0.9)
    let adam = Adam(model.parameters, pool: { model.pool })
    #expect(MemoryReport(model: model, optimizerStateBytes: momentum.stateBytes, batch: 64).optimizerState == 2_678_824)
    #expect(MemoryReport(model: model, optimizerStateBytes: adam.stateBytes, batch: 64).optimizerState == 5_357_648)
    // Accumulating 4 micro-batches of 16 holds a quarter of batch 64's activations.
    #expect(MemoryReport(model: model, optimizerStateBytes: 0, batch: 16).activations * 4 == sgd.activations)
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
    _ = try t.train(data, epochs: 1)

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
}
