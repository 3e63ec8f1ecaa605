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

/// A tensor's bit patterns, compared exactly and printed short: "74 floats #3f0a…" (FNV-1a).
private struct Bits: Equatable, CustomStringConvertible, CustomDebugStringConvertible {
  let values: [UInt32]
  var debugDescription: String { description }
  var description: String {
    let hash = values.reduce(UInt64(0xcbf2_9ce4_8422_2325)) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
    return "\(values.count) floats #" + String(hash, radix: 16)
  }
}

private func bits(_ t: Tensor) -> Bits { Bits(values: t.array.map(\.bitPattern)) }

/// Every number a trainer's training depends on: weights, gradients, optimizer buffers and step count,
/// the cursor and the accumulator's counters.
private func snapshot(_ trainer: Trainer) -> [Bits] {
  let p = TrainingPosition(trainer)
  let counters = [trainer.optimizer.stepCount, p.epoch, p.nextBatch, p.steps, p.microBatches, p.samples,
                  p.plannedMicroBatches, p.plannedSamples]
  return [bits(trainer.model.parameters.values), bits(trainer.model.parameters.grads)]
    + trainer.optimizer.state.map { bits($0.tensor) } + [Bits(values: counters.map(UInt32.init))]
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
      // The cursor and the open window come back too: both finish the window and train on alike.
      #expect(TrainingPosition(b) == position && b.accumulator.isWindowOpen)
      var lossesA: [UInt32] = [], lossesB: [UInt32] = []
      _ = a.train(source(), steps: 3, afterMicroBatch: { m, _ in lossesA.append(m.loss.bitPattern) })
      _ = b.train(source(), steps: 3, afterMicroBatch: { m, _ in lossesB.append(m.loss.bitPattern) })
      #expect(lossesA.count == 4 && lossesB == lossesA)   // batches 3 | 4 (the epoch's end) | 0, 1
      #expect(snapshot(b) == snapshot(a) && TrainingPosition(b) == TrainingPosition(a))
    }
  }

  /// Batch norm's running statistics are part of the state: evaluation after loading is the same.
  @Test func aBatchNormStateKeepsItsRunningStatistics() throws {
    try withDirectory { directory in
      let path = directory + "/bn.safetensors"
      func bnTrainer(seed: UInt64) -> Trainer {
        let model = MLP(sizes: sizes, seed: seed, batchNorm: true)
        return Trainer(model: model, optimizer: SGD(model.parameters, pool: { model.pool }, learningRate: 0.1),
                       accumulator: Accumulator(schedule: AccumulationSchedule(2)))
      }
      let a = bnTrainer(seed: 1), b = bnTrainer(seed: 2)
      _ = a.train(source(), epochs: 1)
      try Checkpoint.saveTrainingState(a, to: path)
      try Checkpoint.loadTrainingState(into: b, from: path)
      #expect(b.model.buffers.map { bits($0.tensor) } == a.model.buffers.map { bits($0.tensor) })
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
      _ = a.train(source(), steps: 1)
      _ = a.backward(source())
      a.step()                  // a short window, so the file holds no open one
      try Checkpoint.saveTrainingState(a, to: path)
      try Checkpoint.loadTrainingState(into: b, from: path)
      #expect(b.epoch == 0 && b.nextBatch == 3)
      let m = b.backward(ArraySource(count: 8, features: 6, classes: 3, batchSize: 4, seed: 7))
      #expect(m.epoch == 1 && m.index == 0 && b.nextBatch == 1)
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

/// Every refusal: the message names the file and what is wrong, and nothing changed.
@Suite struct CheckpointErrorTests {
  /// Writes `tensors` (a model's, by default) with `metadata` to a new file in `directory`.
  func file(_ directory: String, _ tensors: [(name: String, tensor: Tensor)],
            metadata: [String: String] = [:]) throws -> String {
    let path = directory + "/\(UUID()).safetensors"
    try SafeTensors.write(tensors, metadata: metadata, to: path)
    return path
  }

  func parameters(_ model: MLP) -> [(name: String, tensor: Tensor)] {
    model.parameters.parameters.map { ($0.name, $0.value) }
  }

  @Test func loadWeightsRefusesAFileThatDoesNotFit() throws {
    try withDirectory { directory in
      let model = MLP(sizes: sizes, seed: 2), before = bits(model.parameters.values)
      let good = parameters(MLP(sizes: sizes, seed: 1))
      let x = ("x", Tensor(count: 2))
      let many = (0..<7).map { ("extra\($0)", Tensor(count: 1)) }
      let cases: [([(name: String, tensor: Tensor)], String)] = [
        (good.filter { $0.name != "4.bias" }, "missing 4.bias"),
        (good + [x], "unexpected x"),
        (good.filter { $0.name != "4.bias" } + [x], "missing 4.bias; unexpected x"),
        (good + many, "unexpected extra0, extra1, extra2, extra3, extra4, … (7 in all)"),
        (good.map { ("linear_relu_stack." + $0.name, $0.tensor) }.filter { $0.name.last != "s" },
         "missing linear_relu_stack.0.bias, linear_relu_stack.2.bias, linear_relu_stack.4.bias"),
        (good.map { ($0.name, $0.name == "2.bias" ? Tensor(rows: 1, columns: 4) : $0.tensor) },
         "2.bias is [1, 4] in the file but the model has [4]"),
        (parameters(MLP(sizes: [6, 5, 3], seed: 1)),
         "missing 4.weight, 4.bias; 2.weight is [3, 5] in the file but the model has [4, 5] (and 1 more)"
           + ": the file holds a 6-5-3 network"),
        (good.map { ("a." + $0.name, $0.tensor) } + good.map { ("b." + $0.name, $0.tensor) },
         "weights under several prefixes (a.0.weight, b.0.weight): which to load?"),
        ([x], "no tensor 0.weight (nor one ending in .0.weight): not an MLP's weights"),
      ]
      for (tensors, message) in cases {
        let path = try file(directory, tensors)
        expectError(path, message) { try Checkpoint.loadWeights(into: model, from: path) }
        #expect(bits(model.parameters.values) == before, "\(message)")
      }
    }
  }

  @Test func aWrongSizeSaysWhichModelToMake() throws {
    try withDirectory { directory in
      let path = try file(directory, parameters(MLP(sizes: [784, 8, 10], seed: 1)))
      let model = MLP(sizes: [784, 4, 10], seed: 2), before = bits(model.parameters.values)
      expectError(path, "0.weight is [8, 784] in the file but the model has [4, 784] (and 2 more): "
                    + "make the model with `model mlp 8` first") {
        try Checkpoint.loadWeights(into: model, from: path)
      }
      #expect(bits(model.parameters.values) == before)
    }
  }

  @Test func unreadableFiles() throws {
    try withDirectory { directory in
      let model = MLP(sizes: sizes, seed: 2), before = bits(model.parameters.values)
      let short = directory + "/short.safetensors"
      try Data("hello".utf8).write(to: URL(fileURLWithPath: short))
      expectError(short, "the file has 5 bytes, too short for the 8-byte header length") {
        try Checkpoint.loadWeights(into: model, from: short)
      }
      let none = directory + "/none.safetensors"
      let error = #expect(throws: CheckpointError.self) { try Checkpoint.loadWeights(into: model, from: none) }
      #expect(error?.description.hasPrefix(none + ": ") == true && error?.message.contains("No such file") == true,
              "\(error.map(String.init(describing:)) ?? "")")
      #expect(bits(model.parameters.values) == before)
      let unwritable = directory + "/no/such/dir/w.safetensors"
      #expect(throws: CheckpointError.self) { try Checkpoint.saveWeights(model, to: unwritable) }
    }
  }

  @Test func layerSizesNeedsLayersThatChain() throws {
    try withDirectory { directory in
      let good = parameters(MLP(sizes: sizes, seed: 1))
      let broken = try file(directory, good.map { ($0.name, $0.name == "2.weight" ? Tensor(rows: 4, columns: 7) : $0.tensor) })
      expectError(broken, "2.weight is [4, 7]: it does not take the 5 features that 0.weight gives") {
        _ = try Checkpoint.layerSizes(in: broken)
      }
      let vector = try file(directory, [("0.weight", Tensor(count: 5))])
      expectError(vector, "0.weight is [5], not a matrix [out, in]: not an MLP's weights") {
        _ = try Checkpoint.layerSizes(in: vector)
      }
      let noBias = try file(directory, good.filter { $0.name != "0.bias" })
      expectError(noBias, "missing 0.bias") { _ = try Checkpoint.layerSizes(in: noBias) }
      let zeroWidth = try file(directory, [("0.weight", Tensor(rows: 0, columns: 6)), ("0.bias", Tensor(count: 0)),
                                           ("2.weight", Tensor(rows: 3, columns: 0)), ("2.bias", Tensor(count: 3))])
      expectError(zeroWidth, "0.weight is [0, 6]: a layer of width 0 is not an MLP's") {
        _ = try Checkpoint.layerSizes(in: zeroWidth)
      }
    }
  }

  /// An Adam trainer two steps and one micro-batch in, and its saved state.
  func adamState(_ directory: String) throws -> (Trainer, String) {
    let t = trainer(.adam, seed: 1)
    _ = t.train(source(), steps: 2)
    _ = t.backward(source())
    let path = directory + "/adam.safetensors"
    try Checkpoint.saveTrainingState(t, to: path)
    return (t, path)
  }

  /// The file at `path` rewritten by `change` into a new file.
  func rewrite(_ path: String, in directory: String,
               _ change: (inout [(name: String, tensor: Tensor)], inout [String: String]) -> Void) throws -> String {
    let read = try SafeTensors.read(path)
    var tensors: [(name: String, tensor: Tensor)] = read.order.map { ($0, read.tensors[$0]!) }
    var metadata = read.metadata
    change(&tensors, &metadata)
    return try file(directory, tensors, metadata: metadata)
  }

  @Test func loadTrainingStateRefusesAFileThatDoesNotFit() throws {
    try withDirectory { directory in
      let (saved, path) = try adamState(directory)
      let t = trainer(.adam, seed: 2)
      _ = t.train(source(), steps: 1)
      _ = t.backward(source())
      let before = snapshot(t)
      let p = t.model.parameterCount
      let cases: [(String, String)] = [
        (try rewrite(path, in: directory) { tensors, _ in tensors.removeAll { $0.name == "optimizer.exp_avg_sq" } },
         "optimizer state 'exp_avg_sq' missing"),
        (try rewrite(path, in: directory) { tensors, _ in
          tensors = tensors.map { ($0.name, $0.name == "optimizer.exp_avg" ? Tensor(count: 3) : $0.tensor) } },
         "optimizer.exp_avg has 3 values but the model has \(p) parameters"),
        (try rewrite(path, in: directory) { tensors, _ in tensors.removeAll { $0.name == "grad.4.bias" } },
         "missing grad.4.bias"),
        (try rewrite(path, in: directory) { tensors, _ in tensors.append(("grad.x", Tensor(count: 1))) },
         "unexpected grad.x"),
        (try rewrite(path, in: directory) { _, metadata in metadata["optimizer.steps"] = "two" },
         "metadata optimizer.steps is 'two', not a count"),
        (try rewrite(path, in: directory) { _, metadata in metadata["accumulator.samples"] = nil },
         "metadata accumulator.samples is missing, not a count"),
        (try rewrite(path, in: directory) { _, metadata in metadata["accumulator.planned_micro_batches"] = "0" },
         "the accumulator's counters do not describe a window (micro-batches 1, samples 4, planned 0 and 4)"),
        (try rewrite(path, in: directory) { _, metadata in metadata["optimizer"] = "SGD" },
         "the file holds SGD optimizer state but the optimizer is Adam: choose SGD first"),
        (try rewrite(path, in: directory) { _, metadata in metadata["optimizer"] = nil },
         "metadata optimizer is missing"),
        (try rewrite(path, in: directory) { _, metadata in metadata["contents"] = "weights" },
         "not a training state (metadata contents = weights); saveTrainingState writes one"),
      ]
      for (bad, message) in cases {
        expectError(bad, message) { try Checkpoint.loadTrainingState(into: t, from: bad) }
        #expect(snapshot(t) == before, "\(message)")
      }
      let sgd = trainer(.sgdMomentum, seed: 2), sgdBefore = snapshot(sgd)
      expectError(path, "the file holds Adam optimizer state but the optimizer is SGD: choose Adam first") {
        try Checkpoint.loadTrainingState(into: sgd, from: path)
      }
      #expect(snapshot(sgd) == sgdBefore)
      try Checkpoint.loadTrainingState(into: t, from: path)  // and the good file loads
      #expect(snapshot(t) == snapshot(saved))
    }
  }
}
