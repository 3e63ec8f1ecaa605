// OptimizerTests.swift — PyTorch's update formulas on small cases worked by hand.

import Testing
@testable import Engine

@Suite struct OptimizerTests {
  /// One parameter vector with the given values and gradient.
  func params(_ values: [Float], grad: [Float]) -> ParameterSet {
    let p = ParameterSet([("w", [values.count])])
    for i in values.indices { p.values[i] = values[i]; p.grads[i] = grad[i] }
    return p
  }
  let pool = WorkerPool(threads: 1)

  @Test func plainSGD() {
    let p = params([1, -2], grad: [0.5, 0.25])
    let sgd = SGD(p, pool: { self.pool }, learningRate: 0.1)
    sgd.step()
    #expect(p.values.array == [0.95, -2.025])
    #expect(sgd.stateBytes == 0)
  }

  @Test func sgdWithMomentumAndWeightDecay() {
    // d = g + 0.1·p = 0.6 (p = 1, g = 0.5); b₁ = d; p₁ = 1 − 0.1·0.6 = 0.94
    // step 2 with the same g: d = 0.5 + 0.094 = 0.594; b₂ = 0.9·0.6 + 0.594 = 1.134; p₂ = 0.94 − 0.1134
    let p = params([1], grad: [0.5])
    let sgd = SGD(p, pool: { self.pool }, learningRate: 0.1, momentum: 0.9, weightDecay: 0.1)
    sgd.step()
    #expect(abs(p.values[0] - 0.94) < 1e-6)
    sgd.step()
    #expect(abs(p.values[0] - (0.94 - 0.1134)) < 1e-6)
    #expect(sgd.stateBytes == 4)
  }

  @Test func sgdNesterovAndDampening() {
    // nesterov: b₁ = g = 1; p₁ = 0 − 0.1·(1 + 0.9·1) = −0.19
    let p = params([0], grad: [1])
    SGD(p, pool: { self.pool }, learningRate: 0.1, momentum: 0.9, nesterov: true).step()
    #expect(abs(p.values[0] + 0.19) < 1e-7)
    // dampening 0.5: b₁ = g (no damping on the first step), b₂ = 0.9 + 0.5 = 1.4
    let q = params([0], grad: [1])
    let damped = SGD(q, pool: { self.pool }, learningRate: 0.1, momentum: 0.9, dampening: 0.5)
    damped.step(); damped.step()
    #expect(abs(q.values[0] + 0.1 + 0.14) < 1e-7)
  }

  @Test func adamFirstStepMovesByLearningRate() {
    // m̂ = g, v̂ = g², so the first step is lr·g/(|g| + ε) ≈ lr·sign(g)
    let p = params([1, 1], grad: [0.3, -4])
    let adam = Adam(p, pool: { self.pool }, learningRate: 0.01)
    adam.step()
    #expect(abs(p.values[0] - 0.99) < 1e-6 && abs(p.values[1] - 1.01) < 1e-6)
    #expect(adam.stateBytes == 16)
  }

  @Test func adamSecondStepByHand() {
    // g = 1 twice: m₂ = 0.19, v₂ = 0.001999; m̂ = 0.19/0.19 = 1, v̂ = 0.001999/0.001999 = 1 → step lr·1/(1+ε)
    let p = params([0], grad: [1])
    let adam = Adam(p, pool: { self.pool }, learningRate: 0.1)
    adam.step(); adam.step()
    #expect(abs(p.values[0] + 0.2) < 1e-6)
  }

  @Test func adamWDecaysTheWeightsNotTheGradient() {
    // AdamW: p ← p·(1 − lr·λ) = 1·(1 − 0.1·0.5) = 0.95, then − lr·sign(g)
    let p = params([1], grad: [2])
    let adamw = Adam(p, pool: { self.pool }, learningRate: 0.1, weightDecay: 0.5, decoupled: true)
    adamw.step()
    #expect(abs(p.values[0] - 0.85) < 1e-6)
    // Adam's L2 decay only changes the gradient (g + λp = 2.5): the first step is still lr·sign
    let q = params([1], grad: [2])
    Adam(q, pool: { self.pool }, learningRate: 0.1, weightDecay: 0.5).step()
    #expect(abs(q.values[0] - 0.9) < 1e-6)
  }
}
