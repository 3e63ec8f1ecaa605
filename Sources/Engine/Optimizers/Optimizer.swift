// Optimizer.swift — what every optimizer shares. As in PyTorch, `step()` only
// updates the weights from the gradients; clearing them is the separate
// `zeroGrad()` of the ParameterSet. Forgetting it is a lesson of its own.

public protocol Optimizer: AnyObject {
  /// "SGD", "Adam", "AdamW": what PyTorch calls the class.
  var name: String { get }
  var learningRate: Float { get set }
  /// Updates applied so far.
  var stepCount: Int { get }
  /// Bytes of per-parameter state (momentum buffers, Adam's moments).
  var stateBytes: Int { get }
  /// What that state is, in the names of PyTorch's optimizer state_dict: "momentum_buffer, one per
  /// parameter"; empty when there is none.
  var stateDescription: String { get }
  /// One update of every parameter from its gradient.
  func step()
  /// The largest gradient magnitude `step` takes without its state or weights overflowing to
  /// ±Inf; the trainer refuses a step on a larger one, as on a NaN.
  var largestSafeGradient: Float { get }
  /// Takes the hyper-parameters of `settings` (of this optimizer's kind); the state stays.
  func adopt(_ settings: OptimizerSettings)
  /// Forgets all state, as a freshly constructed optimizer.
  func reset()
  /// State tensors by name, for checkpoints ("momentum_buffer", "exp_avg", …).
  var state: [(name: String, tensor: Tensor)] { get }
  /// Restores state written by `state` (same names and sizes).
  func restore(_ tensors: [String: Tensor], stepCount: Int) throws
  /// The hyper-parameters in force, for a checkpoint's metadata: "SGD lr 0.001, momentum 0.9".
  var description: String { get }
}

public struct OptimizerStateError: Error, CustomStringConvertible {
  public let description: String
}

extension Optimizer {
  /// An update of p − lr·g keeps a finite g finite (past lr ≈ 1e38 no one trains).
  public var largestSafeGradient: Float { .infinity }

  /// Splits 0..<n over the model's threads: the update is one loop over the flat buffer.
  @inline(__always)
  func forEachSlice(_ pool: WorkerPool, _ n: Int, _ body: (Range<Int>) -> Void) {
    pool.run { part, parts in
      let slice = WorkerPool.slice(n, part: part, of: parts)
      if !slice.isEmpty { body(slice) }
    }
  }

  func restoreBuffer(_ name: String, from tensors: [String: Tensor], into buffer: Tensor) throws {
    guard let t = tensors[name] else { throw OptimizerStateError(description: "optimizer state '\(name)' missing") }
    guard t.count == buffer.count else {
      throw OptimizerStateError(description: "optimizer state '\(name)' has \(t.count) values, expected \(buffer.count)")
    }
    buffer.copy(from: t)
  }
}
