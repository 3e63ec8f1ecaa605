// Linear.swift — y = x·Wᵀ + b and its backward pass, optionally followed by a
// fused ReLU. Weight layout as PyTorch's nn.Linear: [out, in].
//
// Forward and backward run on the worker pool's threads: each thread owns a slice of the
// output features (forward, its own ReLU, dropout and batch norm backward, dW, db) and then a
// slice of the input features (dx). No two threads write the same float.

public final class Linear: Layer, @unchecked Sendable {
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
  /// Which dropout masks this forward draws: the model's seed and a count of training forwards.
  var dropoutStream: (seed: UInt64, forward: UInt64) = (0, 0)
  private var training = true

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

  /// Features a product takes at a time (forward's outputs, dW's rows, dx's columns): fixed by the
  /// layer's shape, so that 1 and 2 threads issue the same products and get the same bits. 128,
  /// or half of a layer at most that wide (the CNN's 128 hidden features: two blocks, not one
  /// for one thread while the other waits).
  public static func block(_ features: Int) -> Int {
    features > 128 ? 128 : max(16, (features + 31) / 32 * 16)
  }

  public var inputFeatures: Int { inputs }
  public var outputFeatures: Int { outputs }
  public var description: String { "Linear(\(inputs), \(outputs))" }
  public var parameterShapes: [(name: String, shape: [Int])] { [("weight", [outputs, inputs]), ("bias", [outputs])] }

  /// PyTorch's default initialisation: W and b uniform in ±1/√fan_in
  /// (kaiming_uniform_ with a = √5 reduces to exactly that bound), W first.
  public func initialize(_ rng: inout RandomNumbers) {
    let bound = 1 / Float(inputs).squareRoot()
    for i in 0..<weight.value.count { weight.value[i] = rng.uniform(bound) }
    for i in 0..<bias.value.count { bias.value[i] = rng.uniform(bound) }
    batchNorm?.reset()
  }

  public func workspaces(rows: Int, needsInputGradient: Bool) -> [Workspace] {
    [Workspace(name: "output", floats: rows * outputs, use: .kept)]
      + (batchNorm != nil ? [Workspace(name: "normalized x̂", floats: rows * outputs, use: .kept)] : [])
      + (needsInputGradient ? [Workspace(name: "input gradient", floats: rows * inputs, use: .gradient)] : [])
  }

  /// Sizes the workspaces for batches of up to `capacity` rows.
  public func prepare(capacity: Int, needsInputGradient: Bool) {
    output = Tensor(rows: capacity, columns: outputs)
    inputGradient = needsInputGradient ? Tensor(rows: capacity, columns: inputs) : Tensor()
    batchNorm?.prepare(capacity: capacity)
  }

  /// x [B, in] → y [B, out] = x·Wᵀ + b, then batch norm, ReLU and dropout, as the model has them.
  public func forward(_ x: Tensor, training: Bool, _ parallel: Parallel) -> Tensor {
    precondition(x.columns == inputs, "Linear expects \(inputs) features, got \(x.columns)")
    input = x
    self.training = training
    parallel.blocks(outputs, size: Linear.block(outputs)) { slice in forward(slice) }
    return output.prefix(rows: x.rows)
  }

  /// y[:, slice] = x·W[slice]ᵀ + b[slice], then ReLU, for this part's output features.
  private func forward(_ slice: Range<Int>) {
    let batch = input.rows
    guard batch > 0 else { return }
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

  /// dy [B, out] = ∂loss/∂(this layer's output) → dx [B, in]. Adds into the gradients, never
  /// overwrites them: that is gradient accumulation.
  public func backward(_ dy: Tensor, needsInputGradient: Bool, _ parallel: Parallel) -> Tensor? {
    let batch = dy.rows
    guard batch > 0 else { return needsInputGradient ? inputGradient.prefix(rows: 0) : nil }
    parallel.blocks(outputs, size: Linear.block(outputs)) { rows in
      if relu {
        // Back through dropout and the ReLU in dy itself: zero where the output is 0 (off, or
        // dropped), and undo dropout's 1/(1 − p) where it kept. One pass, no stored mask.
        let keep: Float = dropout > 0 && training ? 1 / (1 - dropout) : 1
        reluBackward(dy.pointer, input: output.pointer, rows: batch, stride: outputs, columns: rows, scale: keep)
      }
      batchNorm?.backward(dy.pointer, rows: batch, columns: rows)
      // dW[rows] += dz[:, rows]ᵀ · x      ← β = 1: the accumulation
      gemm(m: rows.count, n: inputs, k: batch,
           dy.pointer + rows.lowerBound, lda: outputs, transposeA: true,
           input.pointer, ldb: inputs,
           weight.grad.pointer + rows.lowerBound * inputs, ldc: inputs, beta: 1)
      // db[rows] += Σ_batch dz[:, rows]
      let db = bias.grad.pointer
      for r in 0..<batch {
        let row = dy.pointer + r * outputs
        for j in rows { db[j] += row[j] }
      }
    }
    guard needsInputGradient else { return nil }
    // dx[:, columns] = dz · W[:, columns]
    let dx = inputGradient.pointer
    parallel.blocks(inputs, size: Linear.block(inputs)) { columns in
      gemm(m: batch, n: columns.count, k: outputs,
           dy.pointer, lda: outputs,
           weight.value.pointer + columns.lowerBound, ldb: inputs,
           dx + columns.lowerBound, ldc: inputs)
    }
    return inputGradient.prefix(rows: batch)
  }
}
