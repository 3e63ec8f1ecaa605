// NonFiniteTests.swift — a NaN or an infinity is caught where it first appears: in a micro-batch's
// loss (its backward never runs) or in the accumulated gradient (the step is refused), and never
// reaches the weights; a file holding one does not load.
import Foundation
import Testing
@testable import Engine

@Suite struct NonFiniteTests {
  let source = ArraySource(count: 40, features: 3, classes: 2, batchSize: 4, seed: 1)   // 10 batches

  @Test func aNaNLossThrowsBeforeItsBackwardAndDropsTheWindow() throws {
    let t = makeTrainer(sizes: [3, 4, 2], accumulate: 4)
    _ = try t.backward(source)
    _ = try t.backward(source)
    t.model.parameters.parameters[2].value[0, 0] = .infinity   // the last Linear ("2.weight"): a logit ±inf or nan
    let error = try #require(throws: NonFiniteError.self) { try t.backward(source) }
    #expect(error.place == .loss(epoch: 0, batch: 2, batches: 10) && error.value.isNaN && error.dropped == 2)
    #expect(error.description.hasPrefix("the loss of epoch 1, batch 3 of 10 is nan: its backward was not run; the window's 2 micro-batches were dropped"))
    #expect(t.model.parameters.grads.maxAbs == 0 && !t.accumulator.isWindowOpen)
    #expect(t.nextBatch == 2)                           // the cursor stays on the batch that failed
    #expect(t.accumulator.steps == 0)
  }

  @Test func aNonFiniteGradientRefusesTheStepAndKeepsTheWeights() throws {
    let t = makeTrainer(sizes: [3, 4, 2], accumulate: 2)
    _ = try t.backward(source)
    _ = try t.backward(source)
    let weights = fingerprint(t.model.parameters.values)
    t.model.parameters.parameters[2].grad[1, 3] = -.infinity   // "2.weight" [4, 4]
    let error = try #require(throws: NonFiniteError.self) { try t.step() }
    #expect(error.place == .gradient(parameter: "2.weight", index: 7, step: 1, optimizer: "SGD") && error.value == -.infinity)
    #expect(error.description.hasPrefix("the accumulated gradient holds -inf (2.weight[7]): step 1 is refused"))
    #expect(fingerprint(t.model.parameters.values) == weights)
    #expect(t.model.parameters.grads.maxAbs == 0 && !t.accumulator.isWindowOpen && t.accumulator.steps == 0)
  }

  /// Found by the fuzzer: with weights of 1e10 a finite gradient of 1e20 made Adam's exp_avg_sq
  /// inf (PyTorch's too), and the state `save state` wrote then did not load.
  @Test func aGradientAdamWouldSquareToInfinityRefusesTheStep() throws {
    let t = makeTrainer(sizes: [3, 4, 2], accumulate: 1)
    t.optimizer = Adam(t.model.parameters, pool: { t.model.pool })
    _ = try t.backward(source)
    let weights = fingerprint(t.model.parameters.values)
    t.model.parameters.parameters[0].grad[2, 1] = 2e19   // "0.weight" [4, 3]: finite, but its square is not
    let error = try #require(throws: NonFiniteError.self) { try t.step() }
    #expect(error.place == .gradient(parameter: "0.weight", index: 7, step: 1, optimizer: "Adam") && error.value == 2e19)
    #expect(error.description.contains("too large for Adam: its square would overflow exp_avg_sq"))
    #expect(fingerprint(t.model.parameters.values) == weights)
    #expect(t.optimizer.state.allSatisfy { $0.tensor.firstNonFinite == nil } && t.optimizer.stepCount == 0)
    // SGD takes the same gradient: p − lr·g stays finite.
    let sgd = makeTrainer(sizes: [3, 4, 2], accumulate: 1)
    _ = try sgd.backward(source)
    sgd.model.parameters.parameters[0].grad[2, 1] = 2e19
    try sgd.step()
    #expect(sgd.model.parameters.values.firstNonFinite == nil)
  }

  @Test func trainStopsAtTheFirstBadMicroBatch() throws {
    let t = makeTrainer(sizes: [3, 4, 2], accumulate: 2)
    t.model.parameters.parameters[0].value[0, 0] = .nan
    var backwards = 0
    #expect(throws: NonFiniteError.self) { try t.train(source, epochs: 1) { if case .backward = $0 { backwards += 1 } } }
    #expect(backwards == 0 && t.nextBatch == 0 && t.accumulator.steps == 0)
  }

  @Test func theCheckFindsEveryPositionAndEveryKind() {
    for count in [1, 15, 16, 17, 4095, 4096, 4097, 10_000] {
      let x = Tensor(count: count)
      #expect(x.firstNonFinite == nil)
      for position in Set([0, count / 2, count - 1]) {
        for bad: Float in [.nan, .infinity, -.infinity, .signalingNaN] {
          x.zero(); x[position] = bad
          #expect(x.firstNonFinite == position, "count \(count), \(bad) at \(position)")
        }
      }
      x.zero(); x[count - 1] = .greatestFiniteMagnitude; x[0] = -.greatestFiniteMagnitude
      #expect(x.firstNonFinite == nil)
      #expect(x.firstIndex(magnitudeAtLeast: 1e18) == 0)
      x[0] = 0
      #expect(x.firstIndex(magnitudeAtLeast: 1e18) == count - 1 || count == 1)
    }
  }

  @Test func weightsGradientsAndStatesHoldingNaNDoNotLoad() throws {
    try withDirectory { folder in
      let good = makeTrainer(sizes: [3, 4, 2])
      _ = try good.backward(source)
      let target = makeTrainer(sizes: [3, 4, 2], seed: 7)
      let before = fingerprint(target.model.parameters.values)
      // Weights: a NaN in 2.weight.
      let weights = folder + "/w.safetensors"
      good.model.parameters.parameters[2].value[1, 2] = .nan
      try Checkpoint.saveWeights(good.model, to: weights)
      let e1 = try #require(throws: CheckpointError.self) { try Checkpoint.loadWeights(into: target.model, from: weights) }
      #expect(e1.message.hasPrefix("2.weight holds nan at [1, 2]"), "\(e1)")
      #expect(fingerprint(target.model.parameters.values) == before)
      // A training state: the weights are fine, a gradient is infinite.
      good.model.parameters.parameters[2].value[1, 2] = 0.5
      good.model.parameters.parameters[1].grad[3] = .infinity
      let state = folder + "/s.state"
      try Checkpoint.saveTrainingState(good, to: state)
      let e2 = try #require(throws: CheckpointError.self) { try Checkpoint.loadTrainingState(into: target, from: state) }
      #expect(e2.message.hasPrefix("grad.0.bias holds inf at [3]"), "\(e2)")
      #expect(fingerprint(target.model.parameters.values) == before && target.model.parameters.grads.maxAbs == 0)
    }
  }
}
