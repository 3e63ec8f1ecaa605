// TorchFixtureTests.swift — the engine against numbers PyTorch printed for the
// same weights and data (Tests/Fixtures/torch_mlp.safetensors, made by
// make_fixtures.py): logits, loss, gradients, accumulation and optimizer steps.

import Foundation
import Testing
@testable import Engine

@Suite struct TorchFixtureTests {
  static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Fixtures/torch_mlp.safetensors").path
  /// Relative tolerance: float32 sums in another order (OpenBLAS vs MKL kernels) differ near 1e-6.
  static let tolerance = 1e-4

  let file: [String: Tensor]
  init() throws { file = try SafeTensors.read(Self.fixture).tensors }

  func trainer(threads: Int = 1, batch: Int = 64, accumulate: Int = 1) -> (Trainer, ArraySource) {
    let model = Sequential(sizes: [784, 32, 16, 10], seed: 0, threads: threads)
    for p in model.parameters.parameters { p.value.copy(from: file[p.name]!) }
    let x = file["x"]!, y = file["y"]!
    let rows = (0..<x.rows).map { r in (0..<x.columns).map { x[r, $0] } }
    let source = ArraySource(x: rows, y: (0..<y.count).map { Int32(y[$0]) }, batchSize: batch)
    let sgd = SGD(model.parameters, pool: { model.pool }, learningRate: 0.1)
    return (Trainer(model: model, optimizer: sgd,
                    accumulator: Accumulator(schedule: AccumulationSchedule(accumulate))), source)
  }

  func expectClose(_ a: Tensor, _ name: String, _ what: String) {
    let d = relativeDifference(a, file[name]!)
    #expect(d <= Self.tolerance, "\(what): maxdiff \(d) against PyTorch's \(name)")
  }

  @Test(arguments: [1, 2])
  func forwardLossAndGradientsMatchPyTorch(threads: Int) throws {
    let (t, source) = trainer(threads: threads)
    try checks.forwardLossAndGradients(t, source, lossTolerance: 1e-6 * 2.3)
  }

  @Test func fourMicroBatchesMatchPyTorchsAccumulation() throws {
    let (t, source) = trainer(batch: 16, accumulate: 4)
    try checks.fourMicroBatches(t, source)
  }

  var checks: FixtureChecks { FixtureChecks(file: file) { expectClose($0, $1, $2) } }

  /// Three full-batch steps of an optimizer, zeroing between, from the fixture's initial weights.
  /// The first step takes PyTorch's own gradient (`grad.*`, the same weights and batch), so that
  /// what is compared is the update rule: where g + λ·p nearly cancels (Adam's L2 decay), the
  /// first update is lr·d/(|d| + ε) with |d| the size of ε, and float rounding of the gradient,
  /// which differs between BLAS kernels, would move that weight by ~1e-5 on its own.
  func threeSteps(_ name: String, _ make: (Sequential) -> Optimizer) throws {
    let (t, source) = trainer()
    t.optimizer = make(t.model)
    for k in 0..<3 {
      let m = try t.backward(source)
      #expect(abs(m.loss - file["\(name).losses"]![k]) <= 1e-5, "\(name) loss before step \(k + 1)")
      if k == 0 { for p in t.model.parameters.parameters { p.grad.copy(from: file["grad.\(p.name)"]!) } }
      try t.step()
    }
    for p in t.model.parameters.parameters { expectClose(p.value, "\(name).\(p.name)", "\(name) \(p.name)") }
  }

  @Test func sgdWithMomentumAndWeightDecay() throws {
    try threeSteps("sgd") { SGD($0.parameters, pool: { [m = $0] in m.pool }, learningRate: 0.1, momentum: 0.9, weightDecay: 1e-2) }
  }

  @Test func sgdNesterov() throws {
    try threeSteps("nesterov") {
      SGD($0.parameters, pool: { [m = $0] in m.pool }, learningRate: 0.1, momentum: 0.9, weightDecay: 1e-2, nesterov: true)
    }
  }

  @Test func adam() throws { try threeSteps("adam") { Adam($0.parameters, pool: { [m = $0] in m.pool }, learningRate: 1e-2) } }

  @Test func adamW() throws {
    try threeSteps("adamw") { Adam($0.parameters, pool: { [m = $0] in m.pool }, learningRate: 1e-2, weightDecay: 0.1, decoupled: true) }
  }

  @Test func adamWithL2() throws {
    try threeSteps("adamwd") { Adam($0.parameters, pool: { [m = $0] in m.pool }, learningRate: 1e-2, weightDecay: 0.1) }
  }
}
