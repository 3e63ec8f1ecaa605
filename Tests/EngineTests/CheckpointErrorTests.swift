// CheckpointErrorTests.swift — every file a checkpoint load refuses: the message names the file and
// what is wrong, and the model, gradients and optimizer are left as they were.
import Foundation
import Testing
@testable import Engine

/// Every refusal: the message names the file and what is wrong, and nothing changed.
@Suite struct CheckpointErrorTests {
  /// Writes `tensors` (a model's, by default) with `metadata` to a new file in `directory`.
  func file(_ directory: String, _ tensors: [(name: String, tensor: Tensor)],
            metadata: [String: String] = [:]) throws -> String {
    let path = directory + "/\(UUID()).safetensors"
    try SafeTensors.write(tensors, metadata: metadata, to: path)
    return path
  }

  func parameters(_ model: Sequential) -> [(name: String, tensor: Tensor)] {
    model.parameters.parameters.map { ($0.name, $0.value) }
  }

  @Test func loadWeightsRefusesAFileThatDoesNotFit() throws {
    try withDirectory { directory in
      let model = Sequential(sizes: sizes, seed: 2), before = fingerprint(model.parameters.values)
      let good = parameters(Sequential(sizes: sizes, seed: 1))
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
        (parameters(Sequential(sizes: [6, 5, 3], seed: 1)),
         "missing 4.weight, 4.bias; 2.weight is [3, 5] in the file but the model has [4, 5] (and 1 more)"
           + ": the file holds a 6-5-3 network"),
        (good.map { ("a." + $0.name, $0.tensor) } + good.map { ("b." + $0.name, $0.tensor) },
         "weights under several prefixes (a.0.weight, b.0.weight): which to load?"),
        ([x], "no tensor 0.weight (nor one ending in .0.weight): not an MLP's weights"),
      ]
      for (tensors, message) in cases {
        let path = try file(directory, tensors)
        expectCheckpointError(path, message) { try Checkpoint.loadWeights(into: model, from: path) }
        #expect(fingerprint(model.parameters.values) == before, "\(message)")
      }
    }
  }

  @Test func aWrongSizeSaysWhichModelToMake() throws {
    try withDirectory { directory in
      let path = try file(directory, parameters(Sequential(sizes: [784, 8, 10], seed: 1)))
      let model = Sequential(sizes: [784, 4, 10], seed: 2), before = fingerprint(model.parameters.values)
      expectCheckpointError(path, "0.weight is [8, 784] in the file but the model has [4, 784] (and 2 more): "
                    + "make the model with `model mlp 8` first") {
        try Checkpoint.loadWeights(into: model, from: path)
      }
      #expect(fingerprint(model.parameters.values) == before)
    }
  }

  @Test func unreadableFiles() throws {
    try withDirectory { directory in
      let model = Sequential(sizes: sizes, seed: 2), before = fingerprint(model.parameters.values)
      let short = directory + "/short.safetensors"
      try Data("hello".utf8).write(to: URL(fileURLWithPath: short))
      expectCheckpointError(short, "the file has 5 bytes, too short for the 8-byte header length") {
        try Checkpoint.loadWeights(into: model, from: short)
      }
      let none = directory + "/none.safetensors"
      let error = #expect(throws: CheckpointError.self) { try Checkpoint.loadWeights(into: model, from: none) }
      #expect(error?.description.hasPrefix(none + ": ") == true && error?.message.contains("No such file") == true,
              "\(error.map(String.init(describing:)) ?? "")")
      #expect(fingerprint(model.parameters.values) == before)
      let unwritable = directory + "/no/such/dir/w.safetensors"
      #expect(throws: CheckpointError.self) { try Checkpoint.saveWeights(model, to: unwritable) }
    }
  }

  @Test func layerSizesNeedsLayersThatChain() throws {
    try withDirectory { directory in
      let good = parameters(Sequential(sizes: sizes, seed: 1))
      let broken = try file(directory, good.map { ($0.name, $0.name == "2.weight" ? Tensor(rows: 4, columns: 7) : $0.tensor) })
      expectCheckpointError(broken, "2.weight is [4, 7]: it does not take the 5 features that 0.weight gives") {
        _ = try Checkpoint.layerSizes(in: broken)
      }
      let vector = try file(directory, [("0.weight", Tensor(count: 5))])
      expectCheckpointError(vector, "0.weight is [5], not a matrix [out, in]: not an MLP's weights") {
        _ = try Checkpoint.layerSizes(in: vector)
      }
      let noBias = try file(directory, good.filter { $0.name != "0.bias" })
      expectCheckpointError(noBias, "missing 0.bias") { _ = try Checkpoint.layerSizes(in: noBias) }
      let zeroWidth = try file(directory, [("0.weight", Tensor(rows: 0, columns: 6)), ("0.bias", Tensor(count: 0)),
                                           ("2.weight", Tensor(rows: 3, columns: 0)), ("2.bias", Tensor(count: 3))])
      expectCheckpointError(zeroWidth, "0.weight is [0, 6]: a layer of width 0 is not an MLP's") {
        _ = try Checkpoint.layerSizes(in: zeroWidth)
      }
    }
  }

  /// An Adam trainer two steps and one micro-batch in, and its saved state.
  func adamState(_ directory: String) throws -> (Trainer, String) {
    let t = trainer(.adam, seed: 1)
    _ = try t.train(source(), steps: 2)
    _ = try t.backward(source())
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
      _ = try t.train(source(), steps: 1)
      _ = try t.backward(source())
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
        expectCheckpointError(bad, message) { try Checkpoint.loadTrainingState(into: t, from: bad) }
        #expect(snapshot(t) == before, "\(message)")
      }
      let sgd = trainer(.sgdMomentum, seed: 2), sgdBefore = snapshot(sgd)
      expectCheckpointError(path, "the file holds Adam optimizer state but the optimizer is SGD: choose Adam first") {
        try Checkpoint.loadTrainingState(into: sgd, from: path)
      }
      #expect(snapshot(sgd) == sgdBefore)
      try Checkpoint.loadTrainingState(into: t, from: path)  // and the good file loads
      #expect(snapshot(t) == snapshot(saved))
    }
  }
}
