// Linear.swift — y = x·Wᵀ + b and its backward pass, optionally followed by a
// fused ReLU. Weight layout as PyTorch's nn.Linear: [out, in].
//
// Forward and backward take (part, parts) so the model can run them on the
// worker pool's threads: each thread owns a slice of the output features (forward, dW, db)
// and a slice of the input features (dx). No two threads write the same float.

public final class Linear: @unchecked Sendable {
  public let inputs: Int
  public let outputs: Int
  public let weight: Parameter          // [out, in]
  public let bias: Parameter            // [out]
  /// ReLU applied to the output: the tutorial's `nn.Linear` then `nn.ReLU()`.
  public let relu: Bool
  /// nn.BatchNorm1d between the product and the ReLU, if the model has one.
  public let batchNorm: BatchNorm?
  /// nn.Dropout(p) after the ReLU: each output is zeroed with probability p, the rest scaled by 1/(1 − p).
  public let dropout: Float
  /// Training or evaluation: batch norm's statistics and dropout depend on it.
  var training = true
  /// Which dropout masks this forward draws: the model's seed and a count of training forwards.
  var dropoutStream: (seed: UInt64, forward: UInt64) = (0, 0)

  private(set) var input = Tensor()     // [B, in], kept by forward for backward
  private(set) var output = Tensor()    // [capacity, out] workspace, ReLU applied in place
  private(set) var inputGradient = Tensor()  // [capacity, in] workspace for dx

  init(inputs: Int, outputs: Int, weight: Parameter, bias: Parameter, relu: Bool,
       batchNorm: BatchNorm? = nil, dropout: Float = 0) {
    self.inputs = inputs
    self.outputs = outputs
    self.weight = weight
    self.bias = bias
    self.relu = relu
    self.batchNorm = batchNorm
    self.dropout = dropout
  }

  /// PyTorch's default initialisation: W and b uniform in ±1/√fan_in
  /// (kaiming_uniform_ with a = √5 reduces to exactly that bound), W first.
  func initialize(_ rng: inout RandomNumbers) {
    let bound = 1 / Float(inputs).squareRoot()
    for i in 0..<weight.value.count { weight.value[i] = rng.uniform(bound) }
    for i in 0..<bias.value.count { bias.value[i] = rng.uniform(bound) }
    batchNorm?.reset()
  }

  /// Sizes the workspaces for batches of up to `capacity` rows.
  func prepare(capacity: Int, needsInputGradient: Bool) {
    output = Tensor(rows: capacity, columns: outputs)
    inputGradient = needsInputGradient ? Tensor(rows: capacity, columns: inputs) : Tensor()
    batchNorm?.prepare(capacity: capacity)
  }

  var workspaceFloats: Int { output.count + inputGradient.count + (batchNorm?.workspaceFloats ?? 0) }

  /// Remembers `x` [B, in] for backward and returns the [B, out] view that `forward(part:)` fills.
  func begin(_ x: Tensor) -> Tensor {
    precondition(x.columns == inputs, "Linear expects \(inputs) features, got \(x.columns)")
    input = x
    return output.prefix(rows: x.rows)
  }

  /// y[:, slice] = x·W[slice]ᵀ + b[slice], then ReLU, for this part's output features.
  func forward(part: Int, parts: Int) {
    let batch = input.rows
    let slice = WorkerPool.slice(outputs, part: part, of: parts)
    guard !slice.isEmpty, batch > 0 else { return }
    let y = output.pointer, b = bias.value.pointer
    // Start from the bias and add the product (β = 1), as PyTorch's addmm does.
    for r in 0..<batch {
      let row = y + r * outputs
      for j in slice { row[j] = b[j] }
    }
    gemm(m: batch, n: slice.count, k: inputs,
         input.pointer, lda: inputs,
         weight.value.pointer + slice.lowerBound * inputs, ldb: inputs, transposeB: true,
         y + slice.lowerBound, ldc: outputs, beta: 1)
    batchNorm?.forward(y, rows: batch, columns: slice, training: training)
    if relu { reluForward(y, rows: batch, stride: outputs, columns: slice) }
    if dropout > 0 && training {
      dropoutForward(y, rows: batch, stride: outputs, columns: slice, p: dropout, stream: dropoutStream)
    }
  }

  /// Backward for this part, given dy [B, out] = ∂loss/∂(pre-activation output).
  /// Adds into the gradients, never overwrites them: that is gradient accumulation.
  /// With a `previous` layer, also writes dx = dy·W for this part's input features and
  /// takes it back through the previous layer's dropout, ReLU and batch norm (its
  /// output is our input), so that dx is ∂loss/∂(previous product).
  func backward(_ dy: Tensor, previous: Linear?, part: Int, parts: Int) {
    let batch = dy.rows
    guard batch > 0 else { return }
    let rows = WorkerPool.slice(outputs, part: part, of: parts)
    if !rows.isEmpty {
      // dW[rows] += dy[:, rows]ᵀ · x      ← β = 1: the accumulation
      gemm(m: rows.count, n: inputs, k: batch,
           dy.pointer + rows.lowerBound, lda: outputs, transposeA: true,
           input.pointer, ldb: inputs,
           weight.grad.pointer + rows.lowerBound * inputs, ldc: inputs, beta: 1)
      // db[rows] += Σ_batch dy[:, rows]
      let db = bias.grad.pointer
      for r in 0..<batch {
        let row = dy.pointer + r * outputs
        for j in rows { db[j] += row[j] }
      }
    }
    guard let previous else { return }
    let columns = WorkerPool.slice(inputs, part: part, of: parts)
    guard !columns.isEmpty else { return }
    // dx[:, columns] = dy · W[:, columns]
    let dx = inputGradient.pointer
    gemm(m: batch, n: columns.count, k: outputs,
         dy.pointer, lda: outputs,
         weight.value.pointer + columns.lowerBound, ldb: inputs,
         dx + columns.lowerBound, ldc: inputs)
    if previous.relu {
      // Zero where the ReLU was off or dropout dropped (our input is 0 there), and undo
      // dropout's 1/(1 − p) where it kept: one pass, no stored mask.
      let keep: Float = previous.dropout > 0 && previous.training ? 1 / (1 - previous.dropout) : 1
      reluBackward(dx, input: input.pointer, rows: batch, stride: inputs, columns: columns, scale: keep)
    }
    previous.batchNorm?.backward(dx, rows: batch, columns: columns)
  }

  /// The dx computed by the last backward: [B, in].
  func inputGradient(rows: Int) -> Tensor { inputGradient.prefix(rows: rows) }
}
