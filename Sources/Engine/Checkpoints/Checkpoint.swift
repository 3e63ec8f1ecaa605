// Checkpoint.swift — weights, gradients and training states in safetensors files, named as PyTorch
// names the tutorial's nn.Sequential ("0.weight", "0.bias", "2.weight", …): a weights file loads with
// `model.load_state_dict(safetensors.torch.load_file(path))`, and PyTorch's files load here.
//
// A training state holds the weights and batch norm's running statistics, the gradients as
// "grad.0.weight", …, the optimizer's buffers as "optimizer.momentum_buffer" or "optimizer.exp_avg" and
// "optimizer.exp_avg_sq" (each [P], over the flat parameter buffer), and as metadata the optimizer's
// name and step count and where training stood.
// Loading validates everything first and then copies, so a file that does not fit changes nothing.

/// A checkpoint that cannot be read or written, or does not fit the model it is loaded into.
public struct CheckpointError: Error, CustomStringConvertible {
  public let path: String
  public let message: String
  public var description: String { "\(path): \(message)" }
}

/// Where training stood when a training state was saved: the trainer's cursor and the accumulator's counters.
public struct TrainingPosition: Equatable, Sendable {
  public var epoch = 0                // 0-based epoch of the cursor
  public var nextBatch = 0            // the next batch's index in it
  public var steps = 0                // optimizer steps the accumulator counted
  public var microBatches = 0         // in the open window; 0 when none is open
  public var samples = 0
  public var plannedMicroBatches = 0  // what the open window will hold when full
  public var plannedSamples = 0
  public var plannedFactor = 0        // the N the open window was planned with (its loss scale)

  init() {}

  public init(_ trainer: Trainer) {
    let a = trainer.accumulator
    (epoch, nextBatch) = (trainer.epoch, trainer.nextBatch)
    (steps, microBatches, samples) = (a.steps, a.microBatches, a.samples)
    (plannedMicroBatches, plannedSamples, plannedFactor) = (a.plannedMicroBatches, a.plannedSamples, a.plannedFactor)
  }

  /// The metadata key of each counter.
  static let keys: [(key: String, field: WritableKeyPath<TrainingPosition, Int> & Sendable)] = [
    ("trainer.epoch", \.epoch), ("trainer.next_batch", \.nextBatch), ("accumulator.steps", \.steps),
    ("accumulator.micro_batches", \.microBatches), ("accumulator.samples", \.samples),
    ("accumulator.planned_micro_batches", \.plannedMicroBatches),
    ("accumulator.planned_samples", \.plannedSamples), ("accumulator.planned_factor", \.plannedFactor),
  ]
}

public enum Checkpoint {
  /// Weights only, named as PyTorch's state_dict of the Sequential: loads with load_state_dict.
  public static func saveWeights(_ model: Sequential, to path: String, metadata: [String: String] = [:]) throws {
    try write(named(model, \.value) + model.buffers, metadata: metadata.merging([contentsKey: Contents.weights]) { $1 }, to: path)
  }

  /// Gradients under the weights' names (what `show grad` shows), for inspection in PyTorch.
  public static func saveGradients(_ model: Sequential, to path: String) throws {
    try write(named(model, \.grad), metadata: [contentsKey: Contents.gradients], to: path)
  }

  /// Weights, gradients and optimizer state, with the optimizer's name, its step count and the
  /// trainer's position as metadata: everything needed to continue training bit for bit.
  public static func saveTrainingState(_ trainer: Trainer, to path: String, metadata extra: [String: String] = [:]) throws {
    let model = trainer.model, optimizer = trainer.optimizer
    let tensors = named(model, \.value) + model.buffers + named(model, \.grad).map { (gradPrefix + $0.name, $0.tensor) }
      + optimizer.state.map { (optimizerPrefix + $0.name, $0.tensor) }
    var metadata = [contentsKey: Contents.trainingState, "optimizer": optimizer.name,
                    "optimizer.description": optimizer.description, "optimizer.steps": "\(optimizer.stepCount)",
                    "sizes": model.sizes.map(String.init).joined(separator: ",")]
    let position = TrainingPosition(trainer)
    for (key, field) in TrainingPosition.keys { metadata[key] = "\(position[keyPath: field])" }
    try write(tensors, metadata: extra.merging(metadata) { $1 }, to: path)
  }

  /// Loads weights into `model`. Every parameter must be in the file with the model's shape, and nothing
  /// else may be (load_state_dict's strict mode); names may carry a prefix, as the tutorial's
  /// NeuralNetwork writes them ("linear_relu_stack.0.weight"). A training state's weights load too.
  /// On any error the model is unchanged.
  public static func loadWeights(into model: Sequential, from path: String) throws {
    let file = try read(path)
    let targets = model.parameters.parameters.map { ($0.name, $0.value) } + model.buffers
    let values = try check(weights(in: file, path), layout: targets.map { ($0.0, $0.1.shape) }, sizes: model.sizes, path)
    for ((_, target), t) in zip(targets, values) { target.copy(from: t) }
  }

  /// The layer sizes of the MLP a weights file holds, input first: [784, 512, 512, 10] (hidden sizes
  /// [512, 512]). The file is checked as `loadWeights` checks it, so a model of these sizes loads it.
  public static func layerSizes(in path: String) throws -> [Int] {
    let entries = try weights(in: try read(path), path)
    let first = entries.prefix + "0.weight"
    guard let sizes = inferSizes(entries.tensors) else {
      let shape = entries.tensors["0.weight"]!.shape
      throw CheckpointError(path: path, message: "\(first) is \(shape), not a matrix [out, in]: not an MLP's weights")
    }
    if let empty = sizes.firstIndex(of: 0) {   // shapes may hold a 0; a layer may not
      let name = entries.prefix + "\(2 * max(0, empty - 1)).weight"
      throw CheckpointError(path: path, message: "\(name) is \(entries.tensors["\(2 * max(0, empty - 1)).weight"]!.shape): "
        + "a layer of width 0 is not an MLP's")
    }
    let l = sizes.count - 1
    if let next = entries.tensors["\(2 * l).weight"] {  // there is a next layer, but it does not chain
      throw CheckpointError(path: path, message: "\(entries.prefix)\(2 * l).weight is \(next.shape): it does not "
        + "take the \(sizes[l]) features that \(entries.prefix)\(2 * l - 2).weight gives")
    }
    _ = try check(entries, layout: layout(sizes), sizes: sizes, path)
    return sizes
  }

  /// The network a weights file holds, for a model to load it into: a plain MLP of its layer sizes,
  /// or, when 0.weight has four dimensions, the plain CNN of its channels on images `image`.
  /// `loadWeights` into a model of this architecture checks the rest.
  public static func architecture(in path: String, image: Architecture.Image) throws -> Architecture {
    let entries = try weights(in: try read(path), path)
    guard let first = entries.tensors["0.weight"], first.rank == 4 else {
      let sizes = try layerSizes(in: path)
      return Architecture(kind: .mlp(sizes: sizes), classes: sizes.last!)
    }
    let p = entries.prefix
    guard let second = entries.tensors["3.weight"], second.rank == 4,
          let hidden = entries.tensors["7.weight"], hidden.rank == 2, let last = entries.tensors["9.weight"], last.rank == 2 else {
      throw CheckpointError(path: path, message: "\(p)0.weight is a convolution's, but \(p)3.weight, \(p)7.weight and \(p)9.weight "
        + "are not those of gashell's CNN (Conv2d, ReLU, MaxPool2d twice, Flatten, Linear, ReLU, Linear)")
    }
    return Architecture(kind: .cnn(channels: [first.shape[0], second.shape[0]], hidden: hidden.rows, image: image),
                        classes: last.rows)
  }

  /// Loads weights, gradients, optimizer state (through `Optimizer.restore`), the trainer's cursor and
  /// the accumulator's counters into `trainer`, whose model must have the file's sizes and whose
  /// optimizer must be of the file's kind; the accumulation rules are the trainer's own. On any error
  /// nothing changes. Returns where training stood.
  @discardableResult
  public static func loadTrainingState(into trainer: Trainer, from path: String) throws -> TrainingPosition {
    func failure(_ message: String) -> CheckpointError { CheckpointError(path: path, message: message) }
    let file = try read(path)
    guard file.metadata[contentsKey] == Contents.trainingState else {
      throw failure("not a training state (metadata contents = \(file.metadata[contentsKey].map(oneLine) ?? "none")); "
        + "saveTrainingState writes one")
    }
    let model = trainer.model, optimizer = trainer.optimizer
    let parameterLayout = model.parameters.parameters.map { ($0.name, $0.value.shape) }
    let valueTargets = model.parameters.parameters.map { ($0.name, $0.value) } + model.buffers
    let values = try check(weights(in: file, path), layout: valueTargets.map { ($0.0, $0.1.shape) }, sizes: model.sizes, path)
    let grads = try check(entries(in: file, under: gradPrefix), layout: parameterLayout, sizes: model.sizes, path)

    guard let kind = file.metadata["optimizer"] else { throw failure("metadata optimizer is missing") }
    guard kind == optimizer.name else {
      throw failure("the file holds \(oneLine(kind)) optimizer state but the optimizer is \(optimizer.name): choose \(oneLine(kind)) first")
    }
    func integer(_ key: String) throws -> Int {
      guard let text = file.metadata[key], let n = Int(text), n >= 0 else {
        throw failure("metadata \(key) is \(file.metadata[key].map(shown) ?? "missing"), not a count")
      }
      return n
    }
    let stepCount = try integer("optimizer.steps")
    var position = TrainingPosition()
    for (key, field) in TrainingPosition.keys { position[keyPath: field] = try integer(key) }
    let open = position.microBatches > 0
    guard open ? position.samples > 0 && position.plannedMicroBatches > 0
               : position.samples == 0 && position.plannedMicroBatches == 0 && position.plannedSamples == 0 else {
      throw failure("the accumulator's counters do not describe a window (micro-batches \(position.microBatches), "
        + "samples \(position.samples), planned \(position.plannedMicroBatches) and \(position.plannedSamples))")
    }
    guard open == (position.plannedFactor > 0) else {
      throw failure("metadata accumulator.planned_factor is \(position.plannedFactor), but "
        + (open ? "an open window was planned with some N ≥ 1" : "no window is open: it must be 0"))
    }
    var state: [String: Tensor] = [:]
    for (name, tensor) in entries(in: file, under: optimizerPrefix).tensors.sorted(by: { $0.key < $1.key }) {
      guard tensor.count == model.parameterCount else {
        throw failure("\(optimizerPrefix)\(name) has \(tensor.count) values but the model has "
          + "\(model.parameterCount) parameters")
      }
      try requireFinite(tensor, optimizerPrefix + name, path, "optimizer state")
      state[name] = tensor
    }

    // The optimizer checks its own names, and may fail halfway: keep its state to put back.
    let saved = Dictionary(uniqueKeysWithValues: optimizer.state.map { ($0.name, $0.tensor.clone()) })
    let savedSteps = optimizer.stepCount
    do {
      try optimizer.restore(state, stepCount: stepCount)
    } catch {
      try? optimizer.restore(saved, stepCount: savedSteps)
      throw failure("\(error)")
    }
    for ((_, target), value) in zip(valueTargets, values) { target.copy(from: value) }
    for (p, grad) in zip(model.parameters.parameters, grads) { p.grad.copy(from: grad) }
    trainer.restore(position)
    return position
  }

  // MARK: - Names and checks

  static let contentsKey = "contents"
  enum Contents {
    static let weights = "weights", gradients = "gradients", trainingState = "training state"
  }
  static let gradPrefix = "grad.", optimizerPrefix = "optimizer."

  typealias File = (tensors: [String: Tensor], order: [String], metadata: [String: String])
  /// Tensors under their model names ("0.weight"), the prefix the file puts before those names
  /// ("grad.", "linear_relu_stack."), and the names of the file's tensors without it, if they count.
  struct Entries {
    var prefix: String
    var tensors: [String: Tensor] = [:]
    var others: [String] = []
  }

  private static func named(_ model: Sequential, _ part: KeyPath<Parameter, Tensor>) -> [(name: String, tensor: Tensor)] {
    model.parameters.parameters.map { ($0.name, $0[keyPath: part]) }
  }

  /// MLP's parameter names and shapes for `sizes`: Linear layers at Sequential indices 0, 2, 4, …
  static func layout(_ sizes: [Int]) -> [(name: String, shape: [Int])] {
    (0..<(sizes.count - 1)).flatMap { l -> [(name: String, shape: [Int])] in
      [("\(2 * l).weight", [sizes[l + 1], sizes[l]]), ("\(2 * l).bias", [sizes[l + 1]])]
    }
  }

  private static func write(_ tensors: [(name: String, tensor: Tensor)], metadata: [String: String],
                            to path: String) throws {
    do { try SafeTensors.write(tensors, metadata: metadata, to: path) } catch let error as SafeTensorsError {
      throw CheckpointError(path: path, message: error.message)
    }
  }

  private static func read(_ path: String) throws -> File {
    do { return try SafeTensors.read(path) } catch let error as SafeTensorsError {
      throw CheckpointError(path: path, message: error.message)
    }
  }

  /// The file's tensors whose names start with `prefix`, under the rest of their name.
  private static func entries(in file: File, under prefix: String) -> Entries {
    var result = Entries(prefix: prefix)
    for name in file.order where name.hasPrefix(prefix) {
      result.tensors[String(name.dropFirst(prefix.count))] = file.tensors[name]!
    }
    return result
  }

  /// The file's weights: every tensor, under its name less the prefix that "0.weight" carries, if any.
  /// Of a training state, only the weights; a gradients file is refused.
  private static func weights(in file: File, _ path: String) throws -> Entries {
    if file.metadata[contentsKey] == Contents.gradients {
      throw CheckpointError(path: path, message: "holds gradients (saveGradients), not weights")
    }
    var file = file
    if file.metadata[contentsKey] == Contents.trainingState {
      file.order.removeAll { $0.hasPrefix(gradPrefix) || $0.hasPrefix(optimizerPrefix) }
    }
    let prefixes = file.order.filter { $0.hasSuffix("0.weight") }.map { String($0.dropLast("0.weight".count)) }
      .filter { $0.isEmpty || $0.hasSuffix(".") }
    let prefix = prefixes.contains("") ? "" : prefixes.count == 1 ? prefixes[0] : nil
    guard let prefix else {
      throw CheckpointError(path: path, message: prefixes.isEmpty
        ? "no tensor 0.weight (nor one ending in .0.weight): not an MLP's weights"
        : "weights under several prefixes (\(list(prefixes.map { $0 + "0.weight" }))): which to load?")
    }
    var result = entries(in: file, under: prefix)
    result.others = file.order.filter { !$0.hasPrefix(prefix) }
    return result
  }

  /// [in, hidden…, out] from 0.weight [h₁, in], 2.weight [h₂, h₁], …, if they chain.
  private static func inferSizes(_ tensors: [String: Tensor]) -> [Int]? {
    var sizes: [Int] = []
    for l in 0... {
      guard let w = tensors["\(2 * l).weight"], w.rank == 2, l == 0 || w.columns == sizes.last!
      else { break }
      if l == 0 { sizes = [w.columns] }
      sizes.append(w.rows)
    }
    return sizes.count >= 2 ? sizes : nil
  }

  /// The tensors for an MLP of `sizes`, in parameter order, if the entries are exactly those with
  /// those shapes; otherwise an error naming what is missing, mis-shaped and unexpected.
  private static func check(_ entries: Entries, layout: [(name: String, shape: [Int])], sizes: [Int],
                            _ path: String) throws -> [Tensor] {
    let prefix = entries.prefix
    var problems: [String] = [], found: [Tensor] = []
    let missing = layout.filter { entries.tensors[$0.name] == nil }.map { prefix + $0.name }
    if !missing.isEmpty { problems.append("missing \(list(missing))") }
    var misshaped: [String] = []
    for (name, shape) in layout {
      guard let tensor = entries.tensors[name] else { continue }
      if tensor.shape == shape { found.append(tensor) } else {
        misshaped.append("\(prefix)\(name) is \(tensor.shape) in the file but the model has \(shape)")
      }
    }
    if let first = misshaped.first {
      problems.append(first + (misshaped.count > 1 ? " (and \(misshaped.count - 1) more)" : ""))
    }
    let expected = Set(layout.map(\.name))
    let unexpected = (entries.tensors.keys.filter { !expected.contains($0) }.map { prefix + $0 } + entries.others).sorted()
    if !unexpected.isEmpty { problems.append("unexpected \(list(unexpected))") }
    guard problems.isEmpty else {
      var message = problems.joined(separator: "; ")
      if let fileSizes = inferSizes(entries.tensors), fileSizes != sizes {
        message += fileSizes.first == 784 && fileSizes.last == 10
          ? ": make the model with `model mlp \(fileSizes.dropFirst().dropLast().map(String.init).joined(separator: " "))` first"
          : ": the file holds a \(fileSizes.map(String.init).joined(separator: "-")) network"
      }
      throw CheckpointError(path: path, message: message)
    }
    for ((name, _), tensor) in zip(layout, found) { try requireFinite(tensor, prefix + name, path) }
    return found
  }

  /// A NaN or an infinity in a file would train on silently (every later loss nan): refused by name.
  private static func requireFinite(_ tensor: Tensor, _ name: String, _ path: String,
                                    _ what: String = "weights") throws {
    guard let i = tensor.firstNonFinite else { return }
    let value = tensor.pointer[i]
    let shown = value.isNaN ? "nan" : value > 0 ? "inf" : "-inf"
    let at = tensor.rank == 2 ? "[\(i / tensor.columns), \(i % tensor.columns)]" : "[\(i)]"
    throw CheckpointError(path: path, message: "\(oneLine(name)) holds \(shown) at \(at): "
      + "not \(what) to train from (saved after training diverged?)")
  }

  /// "a, b, c" or "a, b, c, d, e, … (12 in all)".
  private static func list(_ names: [String]) -> String {
    let names = names.map(oneLine)   // a name holding a newline must not split the error line
    return names.count <= 5 ? names.joined(separator: ", ")
      : names.prefix(5).joined(separator: ", ") + ", … (\(names.count) in all)"
  }
}
