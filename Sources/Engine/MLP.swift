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

  public init(sizes: [Int], seed: UInt64, threads: Int = 1) {
    precondition(sizes.count >= 2 && sizes.allSatisfy { $0 > 0 }, "an MLP needs positive sizes")
    self.sizes = sizes
    var layout: [(name: String, shape: [Int])] = []
    for l in 0..<(sizes.count - 1) {
      // Sequential indices skip the ReLUs: Linear layers sit at 0, 2, 4, …
      layout.append(("\(2 * l).weight", [sizes[l + 1], sizes[l]]))
      layout.append(("\(2 * l).bias", [sizes[l + 1]]))
    }
    parameters = ParameterSet(layout)
    let p = parameters.parameters
    layers = (0..<(sizes.count - 1)).map { l in
      Linear(inputs: sizes[l], outputs: sizes[l + 1], weight: p[2 * l], bias: p[2 * l + 1],
             relu: l < sizes.count - 2)
    }
    pool = WorkerPool(threads: threads)
    BLAS.setThreads(1)
    initialize(seed: seed)
  }

  /// The tutorial's network for FashionMNIST with hidden widths `hidden`.
  public convenience init(hidden: [Int], seed: UInt64, threads: Int = 1) {
    self.init(sizes: [784] + hidden + [10], seed: seed, threads: threads)
  }

  /// Fresh weights from `seed`, layer by layer, as PyTorch initialises nn.Linear.
  public func initialize(seed: UInt64) {
    var rng = RandomNumbers(seed: seed)
    for layer in layers { layer.initialize(&rng) }
    parameters.zeroGrad()
  }

  public var threads: Int { pool.threadCount }
  public func setThreads(_ n: Int) {
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

  /// Floats held by the workspaces for the current capacity (activations and their gradients).
  public var workspaceFloats: Int { layers.reduce(0) { $0 + $1.workspaceFloats } }

  /// x [B, 784] → logits [B, 10]. Keeps what backward needs.
  public func forward(_ x: Tensor) -> Tensor {
    prepare(rows: x.rows)
    var h = x
    for layer in layers {
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
      let needsDx = l > 0
      let grad = dy
      run(wide: needsDx ? max(layer.outputs, layer.inputs) : layer.outputs) { part, parts in
        layer.backward(grad, computeInputGradient: needsDx, maskByInput: needsDx && self.layers[l - 1].relu,
                       part: part, parts: parts)
      }
      if needsDx { dy = layer.inputGradient(rows: grad.rows) }
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
      rows.append(("\(2 * l): Linear", "[B, \(layer.inputs)] → [B, \(layer.outputs)]",
                   layer.inputs * layer.outputs + layer.outputs))
      if layer.relu { rows.append(("\(2 * l + 1): ReLU", "[B, \(layer.outputs)]", 0)) }
    }
    return rows
  }
}
