// MemoryReport.swift — the bytes a training run holds, by kind, computed from the model's sizes (not
// from what happens to be allocated), so every number can be derived by hand and asked of any batch.
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
  static let labelBytes = MemoryLayout<Int32>.size  // 4

  /// The report for `model` training on batches of `batch` rows, from its sizes alone.
  public init(model: Sequential, optimizerStateBytes: Int, batch: Int) {
    self.batch = batch
    parameters = model.parameterCount * Self.floatBytes
    gradients = parameters
    optimizerState = optimizerStateBytes
    activations = Self.activationBytes(sizes: model.sizes, batch: batch, batchNorm: model.batchNorm)
  }

  /// The report for the trainer's model and optimizer.
  public init(trainer: Trainer, batch: Int) {
    self.init(model: trainer.model, optimizerStateBytes: trainer.optimizer.stateBytes, batch: batch)
  }

  /// Bytes for a batch of `batch` rows through an MLP of `sizes` [in, hidden…, classes]: layer outputs,
  /// the hidden layers' input gradients, the logits gradient, the batch's images and labels.
  public static func activationBytes(sizes: [Int], batch: Int, batchNorm: Bool = false) -> Int {
    let outputs = sizes.dropFirst().reduce(0, +)                // [B, out] per Linear
    let inputGradients = sizes.dropFirst().dropLast().reduce(0, +)  // [B, in] per Linear but the first
    let normalized = batchNorm ? inputGradients : 0             // x̂ [B, hidden] per batch norm
    let floatsPerRow = outputs + inputGradients + normalized + sizes.last! + sizes.first!  // + dlogits + images
    return batch * (floatsPerRow * floatBytes + labelBytes)
  }
}
