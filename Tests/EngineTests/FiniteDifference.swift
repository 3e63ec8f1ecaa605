// FiniteDifference.swift — the one gradient check of the engine tests: analytic gradients
// against central differences of the loss, on a sample of coordinates.

import Testing
@testable import Engine

/// How finite differences are taken and judged.
///
/// The loss is computed in Float32 (~1e-7 relative rounding), so a difference quotient with
/// step h carries about 1e-7·|loss| / h ≈ 1e-4 of rounding noise at h = 2e-3; the truncation
/// error of the central difference is O(h²). A ReLU whose input lies within h of 0 bends inside
/// the interval and spoils that coordinate. Hence a loose tolerance, 2e-2, on the relative error
///   |numeric − analytic| / max(1e-2, |numeric| + |analytic|)
/// whose floor of 1e-2 judges near-zero gradients by their absolute error (2e-4) instead.
struct FiniteDifference {
  /// Step h: small enough not to cross ReLU kinks often, large enough for Float32 losses.
  var step: Float = 2e-3
  var tolerance = 2e-2
  var floor = 1e-2
  /// About this many coordinates per parameter, evenly spaced (all of a small one).
  var samplesPerParameter = 15

  /// Compares each parameter's `grad` (the analytic gradient, already computed) with
  /// (loss(θᵢ + h) − loss(θᵢ − h)) / 2h, θᵢ restored after each coordinate. `loss` must not
  /// change anything it depends on (no gradient accumulation, no new dropout masks).
  /// Prints and returns the worst relative error; expects it below `tolerance`.
  @discardableResult
  func check(_ parameters: [Parameter], _ label: String, loss: () -> Double,
             sourceLocation: SourceLocation = #_sourceLocation) -> Double {
    var worst = 0.0, worstAt = ""
    for p in parameters {
      for i in stride(from: 0, to: p.value.count, by: max(1, p.value.count / samplesPerParameter)) {
        let saved = p.value[i]
        p.value[i] = saved + step; let up = loss()
        p.value[i] = saved - step; let down = loss()
        p.value[i] = saved
        let numeric = (up - down) / Double(2 * step), analytic = Double(p.grad[i])
        let e = abs(numeric - analytic) / max(floor, abs(numeric) + abs(analytic))
        if e > tolerance { print("FD \(label) \(p.name)[\(i)] numeric \(numeric) analytic \(analytic)") }
        if e > worst { (worst, worstAt) = (e, "\(p.name)[\(i)]") }
      }
    }
    print("finite differences, \(label): worst relative error \(worst) at \(worstAt)")
    #expect(worst < tolerance, "\(label): worst relative error \(worst) at \(worstAt)", sourceLocation: sourceLocation)
    return worst
  }
}
