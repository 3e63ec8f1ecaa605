// GradientClipping.swift — torch.nn.utils.clip_grad_norm_: scale the gradient
// down when its L2 norm exceeds a maximum. Applied to the accumulated gradient
// once per step it is what a large batch would do; applied to each micro-batch
// it is not, since clip(g₁) + clip(g₂) ≠ clip(g₁ + g₂).

public struct GradientClipping: Sendable, Equatable {
  public var maxNorm: Float
  /// Clip every micro-batch's own contribution (the pitfall) instead of the accumulated sum.
  public var perMicroBatch: Bool

  public init(maxNorm: Float, perMicroBatch: Bool = false) {
    self.maxNorm = maxNorm
    self.perMicroBatch = perMicroBatch
  }

  /// PyTorch's factor: max_norm / (‖g‖ + 1e-6), never above 1.
  public func factor(norm: Float) -> Float { min(1, maxNorm / (norm + 1e-6)) }

  /// Clips `g` in place; returns the norm before clipping.
  @discardableResult
  public func clip(_ g: Tensor) -> Float {
    let norm = Float(g.norm)
    let f = factor(norm: norm)
    if f < 1 { g.scale(by: f) }
    return norm
  }

  /// Clips only what was added to `g` since `before` was copied from it: g = before + clip(g − before).
  public func clipContribution(_ g: Tensor, before: Tensor) {
    let p = g.pointer, b = before.pointer
    for i in 0..<g.count { p[i] -= b[i] }
    clip(g)
    for i in 0..<g.count { p[i] += b[i] }
  }
}
