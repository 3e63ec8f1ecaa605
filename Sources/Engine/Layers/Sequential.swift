// Sequential.swift — a network as PyTorch's nn.Sequential writes it: layers in order, each a
// forward/backward pair (Layer.swift), parameters named by their module's index ("0.weight",
// "3.bias", …) and laid out in one flat buffer (ParameterSet). Two architectures:
//   mlp  the tutorial's: Flatten, Linear(784, 512), ReLU, Linear(512, 512), ReLU, Linear(512, 10)
//        (669,706 parameters), with BatchNorm1d after each hidden Linear or Dropout after each ReLU;
//   cnn  Conv2d(1, 32, 3, padding=1), ReLU, MaxPool2d(2), Conv2d(32, 64, 3, padding=1), ReLU,
//        MaxPool2d(2), Flatten, Linear(3136, 128), ReLU, Linear(128, 10) (421,642 parameters),
//        with BatchNorm2d after each convolution or Dropout after the hidden ReLU.

/// Which network: its kind and widths, and the options both kinds take.
public struct Architecture: Equatable, Sendable {
  public enum Kind: Equatable, Sendable {
    /// Features per layer, input first: [784, 512, 512, 10].
    case mlp(sizes: [Int])
    /// The two convolutions' channels and the hidden Linear's width, for images `image`.
    case cnn(channels: [Int], hidden: Int, image: Image)
  }
  public struct Image: Equatable, Sendable {
    public let channels: Int, height: Int, width: Int
    public init(channels: Int, height: Int, width: Int) { (self.channels, self.height, self.width) = (channels, height, width) }
  }
  public var kind: Kind
  public var classes: Int
  /// BatchNorm1d after each hidden Linear (mlp), BatchNorm2d after each convolution (cnn).
  public var batchNorm: Bool
  /// Dropout(p) after each hidden ReLU of the Linear part; 0 for none.
  public var dropout: Float

  public init(kind: Kind, classes: Int, batchNorm: Bool = false, dropout: Float = 0) {
    (self.kind, self.classes, self.batchNorm, self.dropout) = (kind, classes, batchNorm, dropout)
  }

  /// Features of one input sample.
  public var inputs: Int {
    switch kind {
    case .mlp(let sizes): sizes[0]
    case .cnn(_, _, let image): image.channels * image.height * image.width
    }
  }
}

public final class Sequential: @unchecked Sendable {
  public let architecture: Architecture
  public let parameters: ParameterSet
  public let layers: [Layer]
  /// Each module as `show model` lists it: its Sequential index (nil for the leading Flatten of
  /// an MLP, which is not in the tutorial's Sequential), what it is, its shapes, its parameters.
  public let modules: [(index: Int?, name: String, shape: String, parameters: Int)]
  /// Each layer's index in the Sequential, as its parameters are named.
  public let layerIndices: [Int]
  public private(set) var pool: WorkerPool
  /// Rows the workspaces hold; a larger batch reallocates them (once).
  public private(set) var capacity = 0
  private var seed: UInt64 = 0
  private var trainingForwards: UInt64 = 0
  private let bufferNames: [(index: Int, norm: RunningStatistics)]

  public init(_ architecture: Architecture, seed: UInt64, threads: Int = 1) {
    precondition(architecture.dropout >= 0 && architecture.dropout < 1, "dropout is a probability below 1")
    self.architecture = architecture
    let plan = Sequential.plan(architecture)
    parameters = ParameterSet(plan.layout)
    let p = parameters
    layers = plan.makeLayers(p)
    modules = plan.modules
    layerIndices = plan.layerIndices
    bufferNames = zip(plan.normIndices, layers.flatMap { layer -> [RunningStatistics] in
      if let l = layer as? Linear { return l.batchNorm.map { [$0] } ?? [] }
      return (layer as? BatchNorm2d).map { [$0] } ?? []
    }).map { ($0, $1) }
    precondition(threads <= Sequential.maxThreads, "at most \(Sequential.maxThreads) threads")
    pool = WorkerPool(threads: threads)
    BLAS.setThreads(1)
    initialize(seed: seed)
  }

  /// The MLP of `sizes` [in, hidden…, classes].
  public convenience init(sizes: [Int], seed: UInt64, threads: Int = 1, batchNorm: Bool = false, dropout: Float = 0) {
    precondition(sizes.count >= 2 && sizes.allSatisfy { $0 > 0 }, "an MLP needs positive sizes")
    self.init(Architecture(kind: .mlp(sizes: sizes), classes: sizes.last!, batchNorm: batchNorm, dropout: dropout),
              seed: seed, threads: threads)
  }

  /// The tutorial's network for FashionMNIST with hidden widths `hidden`.
  public convenience init(hidden: [Int], seed: UInt64, threads: Int = 1) {
    self.init(sizes: [784] + hidden + [10], seed: seed, threads: threads)
  }

  /// Batch norm's running statistics: state that is not a parameter (no gradient),
  /// named as PyTorch's state_dict names them.
  public var buffers: [(name: String, tensor: Tensor)] {
    bufferNames.flatMap { index, norm in
      [("\(index).running_mean", norm.runningMean), ("\(index).running_var", norm.runningVariance)]
    }
  }

  /// Fresh weights from `seed`, layer by layer, as PyTorch initialises its modules.
  public func initialize(seed: UInt64) {
    self.seed = seed
    trainingForwards = 0
    var rng = RandomNumbers(seed: seed)
    for layer in layers { layer.initialize(&rng) }
    parameters.zeroGrad()
  }

  public var threads: Int { pool.threadCount }
  public func setThreads(_ n: Int) {
    precondition(n <= Sequential.maxThreads, "at most \(Sequential.maxThreads) threads")
    if n != pool.threadCount { pool = WorkerPool(threads: n) }
  }
  public static let maxThreads = 64

  public var parameterCount: Int { parameters.count }
  public var inputs: Int { architecture.inputs }
  public var classes: Int { architecture.classes }
  public var batchNorm: Bool { architecture.batchNorm }
  public var dropout: Float { architecture.dropout }
  /// The MLP's features per layer, input first ([784, 512, 512, 10]); for a CNN, its Linear part's.
  public var sizes: [Int] {
    let linears = layers.compactMap { $0 as? Linear }
    return [linears[0].inputs] + linears.map(\.outputs)
  }

  /// The workspaces the layers allocate for micro-batches of `rows`, layer by layer: what
  /// `prepare` allocates (both read `Layer.workspaces`), and what MemoryReport counts.
  public func workspaces(rows: Int) -> [(layer: Int, workspace: Workspace)] {
    layers.enumerated().flatMap { l, layer in
      layer.workspaces(rows: rows, needsInputGradient: l > 0).map { (l, $0) }
    }
  }

  /// Floats held by the workspaces for the current capacity.
  public var workspaceFloats: Int { workspaces(rows: capacity).reduce(0) { $0 + $1.workspace.floats } }

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
  private let partialSums = Tensor(count: Sequential.maxThreads)   // one per thread

  /// x [B, inputs] → logits [B, classes]. Keeps what backward needs. Evaluation
  /// (`training: false`) uses batch norm's running statistics and no dropout.
  public func forward(_ x: Tensor, training: Bool = true) -> Tensor {
    prepare(rows: x.rows)
    if training { trainingForwards += 1 }
    let parallel = Parallel(pool: pool)
    var h = x
    for layer in layers {
      (layer as? Linear)?.dropoutStream = (seed, trainingForwards)
      h = layer.forward(h, training: training, parallel)
    }
    return h
  }

  /// Backward from ∂loss/∂logits [B, classes]. Adds into every parameter's gradient.
  /// The first layer's input gradient is never needed, so it is never computed.
  public func backward(_ logitsGradient: Tensor) {
    let parallel = Parallel(pool: pool)
    var dy = logitsGradient
    for l in stride(from: layers.count - 1, through: 0, by: -1) {
      guard let dx = layers[l].backward(dy, needsInputGradient: l > 0, parallel) else { break }
      dy = dx
    }
  }

  /// One line per module for `model` and `show model`.
  public var summary: [(layer: String, shape: String, parameters: Int)] {
    modules.map { m in ((m.index.map { "\($0): " } ?? "") + m.name, m.shape, m.parameters) }
  }
}
