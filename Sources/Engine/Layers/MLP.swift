// MLP.swift — the tutorial's network: Flatten, then Linear → ReLU → … → Linear.
// For sizes [784, 512, 512, 10] that is nn.Sequential(Linear(784, 512), ReLU(),
// Linear(512, 512), ReLU(), Linear(512, 10)): 669,706 parameters, named as
// PyTorch names them ("0.weight", "0.bias", "2.weight", …).

public final class MLP: @unchecked Sendable {
  /// Features per layer, input first: [784, 512, 512, 10].
  public let sizes: [Int]
  public let parameters: ParameterSet
  public let layers: [Linear]
  public private(set) var pool: WorkerPool
  /// Rows the workspaces hold; a larger batch reallocates them (once).
  public private(set) var capacity = 0

  /// nn.BatchNorm1d after each hidden Linear (before its ReLU).
  public let batchNorm: Bool
  /// nn.Dropout(p) after each hidden ReLU; 0 for none.
  public let dropout: Float
  private var seed: UInt64 = 0
  private var trainingForwards: UInt64 = 0

  public init(sizes: [Int], seed: UInt64, threads: Int = 1, batchNorm: Bool = false, dropout: Float = 0) {
    precondition(sizes.count >= 2 && sizes.allSatisfy { $0 > 0 }, "an MLP needs positive sizes")
    precondition(dropout >= 0 && dropout < 1, "dropout is a probability below 1")
    self.sizes = sizes
    self.batchNorm = batchNorm
    self.dropout = dropout
    // Sequential indices count every module: Linear, [BatchNorm1d], ReLU, [Dropout], Linear, …
    var layout: [(name: String, shape: [Int])] = []
    var index = 0, linearAt: [Int] = [], normAt: [Int] = []
    for l in 0..<(sizes.count - 1) {
      linearAt.append(index)
      layout.append(("\(index).weight", [sizes[l + 1], sizes[l]]))
      layout.append(("\(index).bias", [sizes[l + 1]]))
      index += 1
      guard l < sizes.count - 2 else { break }
      if batchNorm {
        normAt.append(index)
        layout.append(("\(index).weight", [sizes[l + 1]]))
        layout.append(("\(index).bias", [sizes[l + 1]]))
        index += 1
      }
      index += dropout > 0 ? 2 : 1
    }
    parameters = ParameterSet(layout)
    moduleIndices = (linearAt, normAt)
    let p = parameters
    layers = (0..<(sizes.count - 1)).map { l in
      let hidden = l < sizes.count - 2
      let norm = hidden && batchNorm
        ? BatchNorm(features: sizes[l + 1], weight: p["\(normAt[l]).weight"]!, bias: p["\(normAt[l]).bias"]!) : nil
      return Linear(inputs: sizes[l], outputs: sizes[l + 1], weight: p["\(linearAt[l]).weight"]!,
                    bias: p["\(linearAt[l]).bias"]!, relu: hidden, batchNorm: norm, dropout: hidden ? dropout : 0)
    }
    precondition(threads <= MLP.maxThreads, "at most \(MLP.maxThreads) threads")
    pool = WorkerPool(threads: threads)
    BLAS.setThreads(1)
    initialize(seed: seed)
  }

  /// Where each Linear and BatchNorm1d sits in the Sequential.
  private let moduleIndices: (linear: [Int], norm: [Int])

  /// Batch norm's running statistics: state that is not a parameter (no gradient),
  /// named as PyTorch's state_dict names them.
  public var buffers: [(name: String, tensor: Tensor)] {
    zip(layers.compactMap(\.batchNorm), moduleIndices.norm).flatMap { bn, i in
      [("\(i).running_mean", bn.runningMean), ("\(i).running_var", bn.runningVariance)]
    }
  }

  /// The tutorial's network for FashionMNIST with hidden widths `hidden`.
  public convenience init(hidden: [Int], seed: UInt64, threads: Int = 1) {
    self.init(sizes: [784] + hidden + [10], seed: seed, threads: threads)
  }

  /// Fresh weights from `seed`, layer by layer, as PyTorch initialises nn.Linear.
  public func initialize(seed: UInt64) {
    self.seed = seed
    trainingForwards = 0
    var rng = RandomNumbers(seed: seed)
    for layer in layers { layer.initialize(&rng) }
    parameters.zeroGrad()
  }

  public var threads: Int { pool.threadCount }
  public func setThreads(_ n: Int) {
    precondition(n <= MLP.maxThreads, "at most \(MLP.maxThreads) threads")
    if n != pool.threadCount { pool = WorkerPool(threads: n) }
  }

  public var parameterCount: Int { parameters.count }
  public var inputs: Int { sizes.first! }
  public var classes: Int { sizes.last! }

  private func prepare(rows: Int) {
    guard rows > capacity else { return }
    capacity = rows
    for (l, layer) in layers.enumerated() { layer.prepare(capacity: rows, needsInputGradient: l > 0) }
  }

  /// ‖g‖ over every parameter, each thread summing its own slice: cheap enough to
  /// record after every micro-batch of a `train` (the saw-tooth of `plot grad`).
  public var gradientNorm: Float {
    let g = parameters.grads, partial = partialSums
    pool.run { part, parts in
      let chunk = (g.count + parts - 1) / parts
      let lower = min(g.count, part * chunk), upper = min(g.count, lower + chunk)
      partial[part] = g.sumOfSquares(lower..<upper)
    }
    return (0..<pool.threadCount).reduce(Float(0)) { $0 + partial[$1] }.squareRoot()
  }
  private let partialSums = Tensor(count: MLP.maxThreads)   // one per thread
  public static let maxThreads = 64

  /// Floats held by the workspaces for the current capacity (activations and their gradients).
  public var workspaceFloats: Int { layers.reduce(0) { $0 + $1.workspaceFloats } }

  /// x [B, 784] → logits [B, 10]. Keeps what backward needs. Evaluation
  /// (`training: false`) uses batch norm's running statistics and no dropout.
  public func forward(_ x: Tensor, training: Bool = true) -> Tensor {
    prepare(rows: x.rows)
    if training { trainingForwards += 1 }
    var h = x
    for layer in layers {
      layer.training = training
      layer.dropoutStream = (seed, trainingForwards)
      let y = layer.begin(h)
      run(wide: layer.outputs) { part, parts in layer.forward(part: part, parts: parts) }
      h = y
    }
    return h
  }

  /// Backward from ∂loss/∂logits [B, 10]. Adds into every parameter's gradient.
  /// The first layer's input gradient is never needed, so it is never computed.
  public func backward(_ logitsGradient: Tensor) {
    var dy = logitsGradient
    for l in stride(from: layers.count - 1, through: 0, by: -1) {
      let layer = layers[l]
      let previous = l > 0 ? layers[l - 1] : nil
      let grad = dy
      run(wide: previous != nil ? max(layer.outputs, layer.inputs) : layer.outputs) { part, parts in
        layer.backward(grad, previous: previous, part: part, parts: parts)
      }
      if previous != nil { dy = layer.inputGradient(rows: grad.rows) }
    }
  }

  /// Runs `body` on the pool when the work splits, inline when it is too narrow.
  @inline(__always)
  private func run(wide n: Int, _ body: (Int, Int) -> Void) {
    if WorkerPool.slice(n, part: 1, of: pool.threadCount).isEmpty { body(0, 1) } else { pool.run(body) }
  }

  /// One line per layer for `model` and `show model`.
  public var summary: [(layer: String, shape: String, parameters: Int)] {
    var rows: [(String, String, Int)] = [("Flatten", "[B, 1, 28, 28] → [B, \(inputs)]", 0)]
    for (l, layer) in layers.enumerated() {
      var i = moduleIndices.linear[l]
      rows.append(("\(i): Linear", "[B, \(layer.inputs)] → [B, \(layer.outputs)]",
                   layer.inputs * layer.outputs + layer.outputs))
      if layer.batchNorm != nil { i += 1; rows.append(("\(i): BatchNorm1d", "[B, \(layer.outputs)]", 2 * layer.outputs)) }
      if layer.relu { i += 1; rows.append(("\(i): ReLU", "[B, \(layer.outputs)]", 0)) }
      if layer.dropout > 0 { i += 1; rows.append(("\(i): Dropout(\(layer.dropout))", "[B, \(layer.outputs)]", 0)) }
    }
    return rows
  }
}
