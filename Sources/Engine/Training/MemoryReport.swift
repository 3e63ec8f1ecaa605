// MemoryReport.swift — the bytes a training run holds, by kind and by layer, for any batch: from the
// workspaces each layer declares (`Layer.workspaces`, the same declaration its `prepare` allocates
// from), so the report cannot drift from the code, and every number can still be derived by hand.
//
// The tutorial's 784-512-512-10 network has P = 669,706 parameters; a Float is 4 bytes. At batch B = 64:
//   parameters    4P                                                  2,678,824 B
//   gradients     4P                                                  2,678,824 B
//   optimizer     0 (SGD), 4P (SGD with momentum), 8P (Adam: exp_avg and exp_avg_sq)
//   activations   4B·(512 + 512 + 10)   each Linear's output [B, out], ReLU applied in place
//               + 4B·(512 + 512)        dx [B, in] of layers 1 and 2 (layer 0's is never computed)
//               + 4B·10                 the logits gradient [B, 10], the Trainer's
//               + 4B·784 + 4B           the batch: images [B, 784] Float and labels [B] Int32
//               = 4·64·2852 + 4·64 =    730,368 B
// With batch norm, each hidden layer also keeps x̂ [B, hidden] for its backward pass.
// A Linear keeps its input as a view of the previous output or of the batch: no copy, nothing to count.
// Not counted: the data set, thread stacks, and empty placeholder tensors (one float each).
// The model's workspaces only grow: after evaluating with a larger batch they hold that batch's rows.

public struct MemoryReport: Sendable {
  public let batch: Int
  /// Bytes of the parameter values: 4 × parameter count.
  public let parameters: Int
  /// Bytes of the gradients: as many as the parameters.
  public let gradients: Int
  /// Bytes of the optimizer's buffers: `Optimizer.stateBytes`.
  public let optimizerState: Int
  /// Bytes of the workspaces a batch of `batch` rows needs (see `activationBytes`).
  public let activations: Int
  public var total: Int { parameters + gradients + optimizerState + activations }

  static let floatBytes = MemoryLayout<Float>.size  // 4


  /// The report for `model` training on batches of `batch` rows, from its sizes alone.
  /// Each layer's workspaces for this batch, in the model's order, and the trainer's own buffers.
  public let rows: [Row]
  public struct Row: Sendable {
    /// The layer's index in the Sequential and its description; nil for the trainer's buffers.
    public let layer: Int?
    public let module: String
    public let workspace: Workspace
    public var bytes: Int { workspace.floats * MemoryReport.floatBytes }
  }

  /// The report for `model` training on batches of `batch` rows.
  public init(model: Sequential, optimizerStateBytes: Int, batch: Int) {
    self.batch = batch
    parameters = model.parameterCount * Self.floatBytes
    gradients = parameters
    optimizerState = optimizerStateBytes
    var rows = model.workspaces(rows: batch).map { l, w in Row(layer: model.layerIndices[l], module: model.layers[l].description, workspace: w) }
    // The trainer's: the logits gradient [B, classes], the batch's images [B, inputs] as Float and
    // labels [B] as Int32 (as many bytes as Floats).
    rows += [Row(layer: nil, module: "loss", workspace: Workspace(name: "logits gradient", floats: batch * model.classes, use: .gradient)),
             Row(layer: nil, module: "batch", workspace: Workspace(name: "images and labels", floats: batch * (model.inputs + 1), use: .kept))]
    self.rows = rows
    activations = rows.reduce(0) { $0 + $1.bytes }
  }

  /// The report for the trainer's model and optimizer.
  public init(trainer: Trainer, batch: Int) {
    self.init(model: trainer.model, optimizerStateBytes: trainer.optimizer.stateBytes, batch: batch)
  }
}
