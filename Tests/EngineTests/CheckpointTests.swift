// CheckpointTests.swift — weights, gradients and training states through safetensors files: round
// trips bit for bit, PyTorch's fixture and names. The refusals are in CheckpointErrorTests.swift.
import Foundation
import Testing
@testable import Engine

@Suite struct CheckpointTests {
  @Test func weightsRoundTripUnderPyTorchsNames() throws {
    try withDirectory { directory in
      let path = directory + "/w.safetensors"
      let a = Sequential(sizes: sizes, seed: 1), b = Sequential(sizes: sizes, seed: 2)
      try Checkpoint.saveWeights(a, to: path, metadata: ["note": "hi"])
      let file = try SafeTensors.read(path)
      #expect(file.order == ["0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"])
      #expect(file.tensors["2.weight"]?.shape == [4, 5] && file.tensors["4.bias"]?.shape == [3])
      #expect(file.metadata == ["note": "hi", "contents": "weights"])
      #expect(fingerprint(b.parameters.values) != fingerprint(a.parameters.values))
      try Checkpoint.loadWeights(into: b, from: path)
      #expect(fingerprint(b.parameters.values) == fingerprint(a.parameters.values))
      #expect(try Checkpoint.layerSizes(in: path) == sizes)
    }
  }

  @Test func gradientsAreSavedUnderTheWeightsNamesAndRefusedAsWeights() throws {
    try withDirectory { directory in
      let path = directory + "/g.safetensors"
      let t = makeTrainer(sizes: sizes)
      _ = try t.backward(source())
      try Checkpoint.saveGradients(t.model, to: path)
      let file = try SafeTensors.read(path)
      for p in t.model.parameters.parameters {
        #expect(file.tensors[p.name].map(fingerprint) == fingerprint(p.grad), "\(p.name)")
      }
      #expect(t.model.parameters.gradientNorm > 0)
      let before = snapshot(t)
      expectCheckpointError(path, "holds gradients (saveGradients), not weights") {
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
      _ = try a.train(data, epochs: 1)
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
      _ = try a.train(data, epochs: 2) { if case .backward(let m) = $0 { lossesA.append(m.loss.bitPattern) } }
      _ = try b.train(data, epochs: 2) { if case .backward(let m) = $0 { lossesB.append(m.loss.bitPattern) } }
      #expect(lossesA.count == 10 && lossesB == lossesA)
      #expect(snapshot(b) == snapshot(a))
    }
  }

  @Test func aStateSavedMidWindowKeepsItsGradientsAndReportsTheWindow() throws {
    try withDirectory { directory in
      let path = directory + "/state.safetensors"
      let a = trainer(.sgdMomentum, seed: 1), b = trainer(.sgdMomentum, seed: 2)
      _ = try a.train(source(), steps: 1)
      _ = try a.backward(source())  // batch 2 of the second window: gradients half accumulated
      try Checkpoint.saveTrainingState(a, to: path)
      let position = try Checkpoint.loadTrainingState(into: b, from: path)
      #expect(snapshot(b) == snapshot(a))
      #expect(position.nextBatch == 3 && position.steps == 1 && position.microBatches == 1)
      #expect(position.samples == 4 && position.plannedMicroBatches == 2 && position.plannedSamples == 8)
      // A training state's weights also load on their own.
      let c = Sequential(sizes: sizes, seed: 3)
      try Checkpoint.loadWeights(into: c, from: path)
      #expect(fingerprint(c.parameters.values) == fingerprint(a.model.parameters.values))
      // The cursor and the open window come back too: both finish the window and train on alike.
      #expect(TrainingPosition(b) == position && b.accumulator.isWindowOpen)
      var lossesA: [UInt32] = [], lossesB: [UInt32] = []
      _ = try a.train(source(), steps: 3) { if case .backward(let m) = $0 { lossesA.append(m.loss.bitPattern) } }
      _ = try b.train(source(), steps: 3) { if case .backward(let m) = $0 { lossesB.append(m.loss.bitPattern) } }
      #expect(lossesA.count == 4 && lossesB == lossesA)   // batches 3 | 4 (the epoch's end) | 0, 1
      #expect(snapshot(b) == snapshot(a) && TrainingPosition(b) == TrainingPosition(a))
    }
  }

  /// Batch norm's running statistics are part of the state: evaluation after loading is the same.
  @Test func aBatchNormStateKeepsItsRunningStatistics() throws {
    try withDirectory { directory in
      let path = directory + "/bn.safetensors"
      func bnTrainer(seed: UInt64) -> Trainer {
        let model = Sequential(sizes: sizes, seed: seed, batchNorm: true)
        return Trainer(model: model, optimizer: SGD(model.parameters, pool: { model.pool }, learningRate: 0.1),
                       accumulator: Accumulator(schedule: AccumulationSchedule(2)))
      }
      let a = bnTrainer(seed: 1), b = bnTrainer(seed: 2)
      _ = try a.train(source(), epochs: 1)
      try Checkpoint.saveTrainingState(a, to: path)
      try Checkpoint.loadTrainingState(into: b, from: path)
      #expect(b.model.buffers.map { fingerprint($0.tensor) } == a.model.buffers.map { fingerprint($0.tensor) })
      #expect(b.evaluate(source()).averageLoss == a.evaluate(source()).averageLoss)
      #expect(snapshot(b) == snapshot(a))
    }
  }

  /// A cursor saved at batch 3 of 5, loaded where an epoch has 2 batches: that epoch is over,
  /// so the next micro-batch is the next epoch's first.
  @Test func aCursorPastTheEndOfASmallerEpochMovesToTheNextEpoch() throws {
    try withDirectory { directory in
      let path = directory + "/state.safetensors"
      let a = trainer(.sgdMomentum, seed: 1), b = trainer(.sgdMomentum, seed: 2)
      _ = try a.train(source(), steps: 1)
      _ = try a.backward(source())
      try a.step()                  // a short window, so the file holds no open one
      try Checkpoint.saveTrainingState(a, to: path)
      try Checkpoint.loadTrainingState(into: b, from: path)
      #expect(b.epoch == 0 && b.nextBatch == 3)
      let m = try b.backward(ArraySource(count: 8, features: 6, classes: 3, batchSize: 4, seed: 7))
      #expect(m.epoch == 1 && m.index == 0 && b.nextBatch == 1)
    }
  }

  /// The fixture holds PyTorch's weights beside inputs, gradients and results: strict loading refuses it,
  /// and its six parameters, written alone, load exactly.
  @Test func pyTorchFixtureWeightsLoad() throws {
    try withDirectory { directory in
      let fixture = try SafeTensors.read(torchFixture)
      let model = Sequential(sizes: [784, 32, 16, 10], seed: 5), before = fingerprint(model.parameters.values)
      let error = #expect(throws: CheckpointError.self) { try Checkpoint.loadWeights(into: model, from: torchFixture) }
      #expect(error?.message.hasPrefix("unexpected ") == true, "\(error.map(String.init(describing:)) ?? "")")
      #expect(error?.message.contains("x, ") == true || error?.message.contains("accum.") == true)
      #expect(fingerprint(model.parameters.values) == before)

      let path = directory + "/torch.safetensors"
      let names = ["0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"]
      try SafeTensors.write(names.map { ($0, fixture.tensors[$0]!) }, metadata: ["format": "pt"], to: path)
      #expect(try Checkpoint.layerSizes(in: path) == [784, 32, 16, 10])
      try Checkpoint.loadWeights(into: model, from: path)
      for p in model.parameters.parameters { #expect(fingerprint(p.value) == fingerprint(fixture.tensors[p.name]!), "\(p.name)") }
    }
  }

  @Test func theTutorialsNeuralNetworkPrefixIsAccepted() throws {
    try withDirectory { directory in
      let path = directory + "/nn.safetensors"
      let a = Sequential(sizes: sizes, seed: 1), b = Sequential(sizes: sizes, seed: 2)
      try SafeTensors.write(a.parameters.parameters.map { ("linear_relu_stack." + $0.name, $0.value) }, to: path)
      #expect(try Checkpoint.layerSizes(in: path) == sizes)
      try Checkpoint.loadWeights(into: b, from: path)
      #expect(fingerprint(b.parameters.values) == fingerprint(a.parameters.values))
    }
  }

  @Test func aCarriedOverWindowIsRestoredWithTheFactorItWasPlannedWith() throws {
    try withDirectory { directory in
      let path = directory + "/carried.safetensors"
      func carryingTrainer(seed: UInt64) throws -> Trainer {
        let t = trainer(.sgdMomentum, seed: seed)
        t.accumulator.rules.schedule = try AccumulationSchedule.parse("{0: 4, 1: 2}")
        AccumulationPolicy.keras.apply(to: &t.accumulator.rules)
        return t
      }
      let a = try carryingTrainer(seed: 1), b = try carryingTrainer(seed: 2)
      _ = try a.train(source(), steps: 1)           // batches 0–3 of epoch 0 (5 batches of 4)
      _ = try a.backward(source())                  // batch 4: a window of 4 opens
      _ = try a.backward(source())                  // and goes on into epoch 1, where N is 2
      #expect(a.epoch == 1 && a.accumulator.plannedFactor == 4)
      try Checkpoint.saveTrainingState(a, to: path)
      let position = try Checkpoint.loadTrainingState(into: b, from: path)
      #expect(position.plannedFactor == 4 && b.accumulator.plannedFactor == 4)
      #expect(try b.backward(source()).scale == 0.25 && a.backward(source()).scale == 0.25)

      // A file without the factor is refused rather than guessed.
      let file = try SafeTensors.read(path)
      let old = directory + "/old.safetensors"
      try SafeTensors.write(file.order.map { ($0, file.tensors[$0]!) },
                            metadata: file.metadata.filter { $0.key != "accumulator.planned_factor" }, to: old)
      let before = snapshot(b)
      expectCheckpointError(old, "metadata accumulator.planned_factor is missing, not a count") {
        try Checkpoint.loadTrainingState(into: b, from: old)
      }
      #expect(snapshot(b) == before)
    }
  }
}
