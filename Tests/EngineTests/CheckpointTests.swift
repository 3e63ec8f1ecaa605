// CheckpointTests.swift — weights, gradients and training states through safetensors files: round
// trips bit for bit, PyTorch's fixture and names, and every refusal leaving the model as it was.
import Foundation
import Testing
@testable import Engine

private let torchFixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
  .deletingLastPathComponent().appendingPathComponent("Fixtures/torch_mlp.safetensors").path

/// Runs `body` with a new empty directory, removed afterwards.
private func withDirectory(_ body: (String) throws -> Void) throws {
  let path = FileManager.default.temporaryDirectory.appendingPathComponent("checkpoint-\(UUID())").path
  try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
  defer { try? FileManager.default.removeItem(atPath: path) }
  try body(path)
}

private func bits(_ t: Tensor) -> [UInt32] { t.array.map(\.bitPattern) }

/// Every float a trainer's training depends on: weights, gradients, optimizer buffers.
private func snapshot(_ trainer: Trainer) -> [[UInt32]] {
  [bits(trainer.model.parameters.values), bits(trainer.model.parameters.grads)]
    + trainer.optimizer.state.map { bits($0.tensor) } + [[UInt32(trainer.optimizer.stepCount)]]
}

/// Expects `action` to throw a CheckpointError reading `"\(path): \(message)"`.
private func expectError(_ path: String, _ message: String, sourceLocation: SourceLocation = #_sourceLocation,
                         _ action: () throws -> Void) {
  let error = #expect(throws: CheckpointError.self, sourceLocation: sourceLocation) { try action() }
  #expect(error?.description == "\(path): \(message)", sourceLocation: sourceLocation)
}

private let sizes = [6, 5, 4, 3]
private func source() -> ArraySource { ArraySource(count: 20, features: 6, classes: 3, batchSize: 4, seed: 7) }

enum OptimizerKind: String, CaseIterable { case sgdMomentum, adam }

private func trainer(_ kind: OptimizerKind, seed: UInt64) -> Trainer {
  let t = makeTrainer(sizes: sizes, seed: seed, accumulate: 2)
  let model = t.model
  switch kind {
  case .sgdMomentum: t.optimizer = SGD(model.parameters, pool: { model.pool }, learningRate: 0.1, momentum: 0.9)
  case .adam: t.optimizer = Adam(model.parameters, pool: { model.pool }, learningRate: 1e-2)
  }
  return t
}

@Suite struct CheckpointTests {
  @Test func weightsRoundTripUnderPyTorchsNames() throws {
    try withDirectory { directory in
      let path = directory + "/w.safetensors"
      let a = MLP(sizes: sizes, seed: 1), b = MLP(sizes: sizes, seed: 2)
      try Checkpoint.saveWeights(a, to: path, metadata: ["note": "hi"])
      let file = try SafeTensors.read(path)
      #expect(file.order == ["0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"])
      #expect(file.tensors["2.weight"]?.shape == [4, 5] && file.tensors["4.bias"]?.shape == [3])
      #expect(file.metadata == ["note": "hi", "contents": "weights"])
      #expect(bits(b.parameters.values) != bits(a.parameters.values))
      try Checkpoint.loadWeights(into: b, from: path)
      #expect(bits(b.parameters.values) == bits(a.parameters.values))
      #expect(try Checkpoint.layerSizes(in: path) == sizes)
    }
  }

  @Test func gradientsAreSavedUnderTheWeightsNamesAndRefusedAsWeights() throws {
    try withDirectory { directory in
      let path = directory + "/g.safetensors"
      let t = makeTrainer(sizes: sizes)
      _ = t.backward(source())
      try Checkpoint.saveGradients(t.model, to: path)
      let file = try SafeTensors.read(path)
      for p in t.model.parameters.parameters {
        #expect(file.tensors[p.name].map(bits) == bits(p.grad), "\(p.name)")
      }
      #expect(t.model.parameters.gradientNorm > 0)
      let before = snapshot(t)
      expectError(path, "holds gradients (saveGradients), not weights") {
        try Checkpoint.loadWeights(into: t.model, from: path)
      }
      #expect(snapshot(t) == before)
    }
  }

  /// Trains an epoch (steps after batches 2, 4 and 5 of 5), saves, loads into a trainer from another
  /// seed, and trains both two more epochs. Both cursors stand at batch 0 and ArraySource's order does
  /// not depend on the epoch, so the two see the same batches.
  @Test(arguments: OptimizerKind.allCases)
  func trainingStateContinuesBitForBit(kind: OptimizerKind) throws {
    try withDirectory { directory in
      let path = directory + "/state.safetensors", data = source()
      let a = trainer(kind, seed: 1), b = trainer(kind, seed: 2)
      _ = a.train(data, epochs: 1)
      #expect(a.optimizer.stepCount == 3 && a.nextBatch == 0 && !a.accumulator.isWindowOpen)
      try Checkpoint.saveTrainingState(a, to: path)
      let file = try SafeTensors.read(path)
      #expect(file.order.filter { $0.hasPrefix("optimizer.") }
        == (kind == .adam ? ["optimizer.exp_avg", "optimizer.exp_avg_sq"] : ["optimizer.momentum_buffer"]))
      #expect(file.metadata["optimizer"] == a.optimizer.name && file.metadata["optimizer.steps"] == "3")
      #expect(file.metadata["sizes"] == "6,5,4,3" && file.metadata["accumulator.steps"] == "3")

      let position = try Checkpoint.loadTrainingState(into: b, from: path)
      #expect(position == TrainingPosition(a))
      #expect(snapshot(b) == snapshot(a))
      var lossesA: [UInt32] = [], lossesB: [UInt32] = []
      _ = a.train(data, epochs: 2, afterMicroBatch: { m, _ in lossesA.append(m.loss.bitPattern) })
      _ = b.train(data, epochs: 2, afterMicroBatch: { m, _ in lossesB.append(m.loss.bitPattern) })
      #expect(lossesA.count == 10 && lossesB == lossesA)
      #expect(snapshot(b) == snapshot(a))
    }
  }

  @Test func aStateSavedMidWindowKeepsItsGradientsAndReportsTheWindow() throws {
    try withDirectory { directory in
      let path = directory + "/state.safetensors"
      let a = trainer(.sgdMomentum, seed: 1), b = trainer(.sgdMomentum, seed: 2)
      _ = a.train(source(), steps: 1)
      _ = a.backward(source())  // batch 2 of the second window: gradients half accumulated
      try Checkpoint.saveTrainingState(a, to: path)
      let position = try Checkpoint.loadTrainingState(into: b, from: path)
      #expect(snapshot(b) == snapshot(a))
      #expect(position.nextBatch == 3 && position.steps == 1 && position.microBatches == 1)
      #expect(position.samples == 4 && position.plannedMicroBatches == 2 && position.plannedSamples == 8)
      // A training state's weights also load on their own.
      let c = MLP(sizes: sizes, seed: 3)
      try Checkpoint.loadWeights(into: c, from: path)
      #expect(bits(c.parameters.values) == bits(a.model.parameters.values))
    }
  }

  /// The fixture holds PyTorch's weights beside inputs, gradients and results: strict loading refuses it,
  /// and its six parameters, written alone, load exactly.
  @Test func pyTorchFixtureWeightsLoad() throws {
    try withDirectory { directory in
      let fixture = try SafeTensors.read(torchFixture)
      let model = MLP(sizes: [784, 32, 16, 10], seed: 5), before = bits(model.parameters.values)
      let error = #expect(throws: CheckpointError.self) { try Checkpoint.loadWeights(into: model, from: torchFixture) }
      #expect(error?.message.hasPrefix("unexpected ") == true, "\(error.map(String.init(describing:)) ?? "")")
      #expect(error?.message.contains("x, ") == true || error?.message.contains("accum.") == true)
      #expect(bits(model.parameters.values) == before)

      let path = directory + "/torch.safetensors"
      let names = ["0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"]
      try SafeTensors.write(names.map { ($0, fixture.tensors[$0]!) }, metadata: ["format": "pt"], to: path)
      #expect(try Checkpoint.layerSizes(in: path) == [784, 32, 16, 10])
      try Checkpoint.loadWeights(into: model, from: path)
      for p in model.parameters.parameters { #expect(bits(p.value) == bits(fixture.tensors[p.name]!), "\(p.name)") }
    }
  }

  @Test func theTutorialsNeuralNetworkPrefixIsAccepted() throws {
    try withDirectory { directory in
      let path = directory + "/nn.safetensors"
      let a = MLP(sizes: sizes, seed: 1), b = MLP(sizes: sizes, seed: 2)
      try SafeTensors.write(a.parameters.parameters.map { ("linear_relu_stack." + $0.name, $0.value) }, to: path)
      #expect(try Checkpoint.layerSizes(in: path) == sizes)
      try Checkpoint.loadWeights(into: b, from: path)
      #expect(bits(b.parameters.values) == bits(a.parameters.values))
    }
  }
}
