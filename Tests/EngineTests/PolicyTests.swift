// PolicyTests.swift — the libraries' accumulation rules, clipping, and the
// equivalence report, each on a case where the answer is known.

import Testing
@testable import Engine

@Suite struct PolicyTests {
  /// Steps per epoch and the loss scales seen under `policy` with 10 batches of 4, N = 4.
  func run(_ policy: AccumulationPolicy, epochs: Int = 2, lastBatch: Int = 4) throws -> (steps: [Int], scales: [Float]) {
    let count = 9 * 4 + lastBatch
    let source = ArraySource(count: count, features: 3, classes: 2, batchSize: 4, seed: 1)
    let t = makeTrainer(sizes: [3, 4, 2], accumulate: 4)
    policy.apply(to: &t.accumulator.rules)
    return try stepsAndScales(t, source, epochs: epochs)
  }

  @Test func tutorialLightningAndAccelerateAgree() throws {
    let guide = try run(.guide)
    #expect(guide.steps == [3, 3])
    #expect(try run(.lightning).scales == guide.scales && run(.accelerate).steps == guide.steps)
  }

  @Test func kerasAndRunAICarryTheLeftoverOver() throws {
    #expect(try run(.keras).steps == [2, 3])
    #expect(try run(.keras).scales.allSatisfy { $0 == 0.25 })
    #expect(try run(.runai).steps == [2, 3])
    #expect(try run(.runai).scales.allSatisfy { $0 == 1 })
  }

  @Test func fastaiCountsSamplesAndWeightsByBatchSize() throws {
    // last batch of 2 samples: scale 2/16; windows need 16 samples
    let r = try run(.fastai, epochs: 1, lastBatch: 2)
    #expect(r.scales.last == 2.0 / 16)
    #expect(r.steps == [2])   // 38 samples: two windows of 16, 6 carried over
  }

  @Test func exactWeighsTheShortWindowBySamples() throws {
    let r = try run(.exact, epochs: 1, lastBatch: 2)
    #expect(r.steps == [3])
    #expect(Array(r.scales.suffix(2)) == [Float(4) / 6, Float(2) / 6])
  }

  @Test func policyIsRecognisedFromItsRules() {
    var rules = AccumulationRules()
    for p in AccumulationPolicy.allCases {
      p.apply(to: &rules)
      let found = AccumulationPolicy(matching: rules)
      #expect(found == p || (found == .guide && [.lightning, .accelerate].contains(p)))
    }
  }

  @Test func clippingPerStepIsNotClippingPerMicroBatch() {
    let g = Tensor(shape: [2], values: [3, 4])       // norm 5
    GradientClipping(maxNorm: 1).clip(g)
    #expect(abs(Float(g.norm) - 1) < 1e-5)
    // two contributions of norm 5 each, same direction: per step → 1; per micro-batch → 2
    let before = Tensor(shape: [2], values: [0, 0]), sum = Tensor(shape: [2], values: [3, 4])
    let c = GradientClipping(maxNorm: 1, perMicroBatch: true)
    c.clipContribution(sum, before: before)
    let after1 = sum.clone()
    sum.add(Tensor(shape: [2], values: [3, 4]))
    c.clipContribution(sum, before: after1)
    #expect(abs(Float(sum.norm) - 2) < 1e-4)
  }

  @Test func equivalenceReportIsTinyForAveragedAndNTimesForUndivided() {
    let source = ArraySource(count: 64, features: 20, classes: 10, batchSize: 16, seed: 5)
    let model = Sequential(sizes: [20, 96, 64, 10], seed: 3)
    let batches = (0..<4).map { i -> Batch in
      let b = Batch(capacity: 16, features: 20); source.fill(b, index: i); return b
    }
    let sgd: (Sequential) -> Optimizer = { m in SGD(m.parameters, pool: { m.pool }, learningRate: 0.1) }
    let before = model.parameters.values.clone()
    let good = Equivalence.compare(model, microBatches: batches, scales: [0.25, 0.25, 0.25, 0.25], optimizer: sgd)
    #expect(good.worstGradient < 1e-5 && good.worstWeights < 1e-5, "\(good.worstGradient)")
    let bad = Equivalence.compare(model, microBatches: batches, scales: [1, 1, 1, 1], optimizer: sgd)
    #expect(abs(bad.worstGradient - 3) < 1e-3)   // 4× the gradient: off by 300 %
    #expect(relativeDifference(model.parameters.values, before) == 0)  // the model itself is untouched
    // Diverged weights give NaN gradients on both sides: the report says NaN, not 0.
    model.parameters.values[0] = .nan
    let diverged = Equivalence.compare(model, microBatches: batches, scales: [0.25, 0.25, 0.25, 0.25], optimizer: sgd)
    #expect(diverged.worstGradient.isNaN && diverged.worstWeights.isNaN)
  }

  @Test func fastaisWindowPlansTheMicroBatchesItsSamplesTake() throws {
    // 9 batches of 4 and one of 2, N = 4: a target of 16 samples. The third window opens at the
    // short batch 8 (4 + 2) and needs 3 more of epoch 1 to reach 16 (18): 5 micro-batches.
    let source = ArraySource(count: 38, features: 3, classes: 2, batchSize: 4, seed: 1)
    let t = makeTrainer(sizes: [3, 4, 2], accumulate: 4)
    AccumulationPolicy.fastai.apply(to: &t.accumulator.rules)
    _ = try t.train(source, steps: 2)
    var planned: [Int] = [], full: [Bool] = []
    for _ in 0..<5 {
      _ = try t.backward(source)
      planned.append(t.accumulator.plannedMicroBatches)
      full.append(t.accumulator.isWindowFull)
    }
    #expect(planned == [5, 5, 5, 5, 5] && full == [false, false, false, false, true])
    #expect(t.accumulator.samples == 18 && t.accumulator.plannedSamples == 16)
    // Counted, not walked, across many epochs: 3 samples an epoch, 40 wanted → 14 micro-batches.
    let tiny = ArraySource(count: 3, features: 3, classes: 2, batchSize: 4, seed: 1)
    #expect(Accumulator.batchesToReach(40, from: 0, of: tiny) == 14)
    #expect(Accumulator.batchesToReach(16, from: 9, of: source) == 5)
    #expect(Accumulator.batchesToReach(16, from: 0, of: source) == 4)
  }
}
