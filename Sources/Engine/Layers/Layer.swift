// Layer.swift — what every step of a Sequential is: a forward that keeps what its backward
// needs, and a backward that adds into its parameters' gradients (never overwrites them) and
// hands back the gradient of its input when the layer below needs one.
//
// Activations are [B, features] row-major, an image's features in PyTorch's C·H·W order, so a
// Flatten costs nothing and a Linear reads the pooled maps as they lie.

/// How a layer spreads a job over the model's threads. Which thread runs a part never changes
/// what the part computes, so results do not depend on the thread count.
public struct Parallel {
  let pool: WorkerPool
  public init(pool: WorkerPool) { self.pool = pool }

  /// A job over `n` columns in fixed blocks of `size`, `body` called once per block: the same
  /// calls for any thread count. A product's rounding can depend on its shape (OpenBLAS picks
  /// other kernels for some), so a product cut by the thread count would differ with it.
  public func blocks(_ n: Int, size: Int, _ body: (Range<Int>) -> Void) {
    let count = (n + size - 1) / size
    func run(_ blocks: Range<Int>) {
      for k in blocks { body((k * size)..<min(n, (k + 1) * size)) }
    }
    if count < 2 || pool.threadCount == 1 { run(0..<count); return }
    pool.run { part, parts in run((count * part / parts)..<(count * (part + 1) / parts)) }
  }

  /// A job over `n` whole items (images, channels), shared out evenly.
  public func items(_ n: Int, _ body: (Range<Int>) -> Void) {
    if n < 2 || pool.threadCount == 1 { body(0..<n); return }
    pool.run { part, parts in
      let range = (n * part / parts)..<(n * (part + 1) / parts)
      if !range.isEmpty { body(range) }
    }
  }
}

/// A buffer a layer allocates for micro-batches of some rows: the one declaration that both
/// `prepare` allocates from and the memory report counts, so the two cannot drift apart.
public struct Workspace: Sendable, Equatable {
  public enum Use: String, Sendable { case kept = "kept for backward", scratch = "workspace", gradient = "input gradient" }
  public let name: String
  public let floats: Int
  public let use: Use
}

public protocol Layer: AnyObject {
  /// Features per sample in and out (C·H·W for images).
  var inputFeatures: Int { get }
  var outputFeatures: Int { get }
  /// The module's name in PyTorch's terms for `show model`: "Conv2d(1, 32, 3, padding=1)".
  var description: String { get }
  /// The learnable parameters' names within the module and their shapes ("weight", [32, 1, 3, 3]).
  var parameterShapes: [(name: String, shape: [Int])] { get }
  /// What `prepare` allocates for micro-batches of `rows` rows.
  func workspaces(rows: Int, needsInputGradient: Bool) -> [Workspace]
  /// Allocates the workspaces for up to `capacity` rows (once per larger batch).
  func prepare(capacity: Int, needsInputGradient: Bool)
  /// PyTorch's default initialisation, from the model's seeded generator.
  func initialize(_ rng: inout RandomNumbers)
  /// x [B, in] → y [B, out]. `training` chooses batch statistics and dropout.
  func forward(_ x: Tensor, training: Bool, _ parallel: Parallel) -> Tensor
  /// dy [B, out] (the layer may overwrite it) → dx [B, in], or nil when not `needsInputGradient`.
  func backward(_ dy: Tensor, needsInputGradient: Bool, _ parallel: Parallel) -> Tensor?
}

extension Layer {
  public var parameterShapes: [(name: String, shape: [Int])] { [] }
  public func initialize(_ rng: inout RandomNumbers) {}
}

/// The parameter `name` ("weight", "bias") of the module at Sequential index `index`.
func parameter(_ p: ParameterSet, _ index: Int, _ name: String) -> Parameter {
  p["\(index).\(name)"]!
}
