// Linear.swift — y = x·Wᵀ + b and its backward pass, optionally followed by a
// fused ReLU. Weight layout as PyTorch's nn.Linear: [out, in].
//
// Forward and backward take (part, parts) so the model can run them on two
// threads: each thread owns a slice of the output features (forward, dW, db)
// and a slice of the input features (dx). No two threads write the same float.

public final class Linear: @unchecked Sendable {
  public let inputs: Int
  public let outputs: Int
  public let weight: Parameter          // [out, in]
  public let bias: Parameter            // [out]
  /// ReLU applied to the output: the tutorial's `nn.Linear` then `nn.ReLU()`.
  public let relu: Bool

  private(set) var input = Tensor()     // [B, in], kept by forward for backward
  private(set) var output = Tensor()    // [capacity, out] workspace, ReLU applied in place
  private(set) var inputGradient = Tensor()  // [capacity, in] workspace for dx

  init(inputs: Int, outputs: Int, weight: Parameter, bias: Parameter, relu: Bool) {
    self.inputs = inputs
    self.outputs = outputs
    self.weight = weight
    self.bias = bias
    self.relu = relu
  }

  /// PyTorch's default initialisation: W and b uniform in ±1/√fan_in
  /// (kaiming_uniform_ with a = √5 reduces to exactly that bound), W first.
  func initialize(_ rng: inout RandomNumbers) {
    let bound = 1 / Float(inputs).squareRoot()
    for i in 0..<weight.value.count { weight.value[i] = rng.uniform(bound) }
    for i in 0..<bias.value.count { bias.value[i] = rng.uniform(bound) }
  }

  /// Sizes the workspaces for batches of up to `capacity` rows.
  func prepare(capacity: Int, needsInputGradient: Bool) {
    output = Tensor(rows: capacity, columns: outputs)
    inputGradient = needsInputGradient ? Tensor(rows: capacity, columns: inputs) : Tensor()
  }

  var workspaceFloats: Int { output.count + inputGradient.count }

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
    if relu { reluForward(y, rows: batch, stride: outputs, columns: slice) }
  }

  /// Backward for this part, given dy [B, out] = ∂loss/∂(pre-activation output).
  /// Adds into the gradients, never overwrites them: that is gradient accumulation.
  /// With `inputGradient`, also writes dx = dy·W for this part's input features,
  /// masked by the previous layer's ReLU when `maskByInput` (its output is our input).
  func backward(_ dy: Tensor, computeInputGradient: Bool, maskByInput: Bool, part: Int, parts: Int) {
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
    guard computeInputGradient else { return }
    let columns = WorkerPool.slice(inputs, part: part, of: parts)
    guard !columns.isEmpty else { return }
    // dx[:, columns] = dy · W[:, columns]
    let dx = inputGradient.pointer
    gemm(m: batch, n: columns.count, k: outputs,
         dy.pointer, lda: outputs,
         weight.value.pointer + columns.lowerBound, ldb: inputs,
         dx + columns.lowerBound, ldc: inputs)
    if maskByInput {
      reluBackward(dx, input: input.pointer, rows: batch, stride: inputs, columns: columns)
    }
  }

  /// The dx computed by the last backward: [B, in].
  func inputGradient(rows: Int) -> Tensor { inputGradient.prefix(rows: rows) }
}
