// AccumulationTests.swift — the lesson in assertions: gradients add up until the
// step, N micro-batches with loss/N equal one large batch, and the window rules.

import Testing
@testable import Engine

@Suite struct AccumulationTests {
  @Test(arguments: [1, 2])
  func fourMicroBatchesOfSixteenEqualOneBatchOfSixtyFour(threads: Int) throws {
    let sizes = [20, 96, 64, 10]
    let big = ArraySource(count: 64, features: 20, classes: 10, batchSize: 64, seed: 11)
    let small = ArraySource(x: big.x, y: big.y, batchSize: 16)
    let one = makeTrainer(sizes: sizes, threads: threads, accumulate: 1)
    let four = makeTrainer(sizes: sizes, threads: threads, accumulate: 4)
    _ = try one.backward(big)
    for k in 1...4 {
      let m = try four.backward(small)
      #expect(m.scale == 0.25)
      #expect(four.accumulator.microBatches == k)
    }
    #expect(four.accumulator.isWindowFull && four.accumulator.samples == 64)
    let d = relativeDifference(four.model.parameters.grads, one.model.parameters.grads)
    #expect(d <= 1e-5, "max |diff| / max |g| = \(d)")
  }

  @Test func twoBackwardCallsDoubleTheGradientAndZeroingZeroes() throws {
    let source = ArraySource(count: 16, features: 12, classes: 3, batchSize: 16, seed: 2)
    let t = makeTrainer(sizes: [12, 80, 3])
    _ = try t.backward(source)
    let once = t.model.parameters.grads.clone()
    t.restartEpoch()  // the same batch again
    _ = try t.backward(source)
    let twice = t.model.parameters.grads
    once.scale(by: 2)
    #expect(relativeDifference(twice, once) < 1e-6)
    #expect(once.maxAbs > 0)
    t.zeroGrad()
    #expect(t.model.parameters.grads.maxAbs == 0)
    #expect(!t.accumulator.isWindowOpen)
  }

  @Test func stepZeroesTheGradientsAndMovesTheWeights() throws {
    let source = ArraySource(count: 16, features: 12, classes: 3, batchSize: 16, seed: 2)
    let t = makeTrainer(sizes: [12, 80, 3])
    let before = t.model.parameters.values.clone()
    _ = try t.backward(source)
    let g = t.model.parameters.grads.clone()
    try t.step()
    #expect(t.model.parameters.grads.maxAbs == 0)
    let expected = before.clone(); expected.add(g, scaledBy: -0.1)
    #expect(relativeDifference(t.model.parameters.values, expected) < 1e-6)
    #expect(t.accumulator.steps == 1)
  }

  /// Steps taken per epoch and the scales of the last window under each rule.
  func epoch(batches: Int, n: Int, _ normalization: LossNormalization, _ leftover: LeftoverRule,
             epochs: Int = 1) throws -> (steps: [Int], scales: [Float]) {
    let source = ArraySource(count: batches * 4, features: 3, classes: 2, batchSize: 4, seed: 1)
    let t = makeTrainer(sizes: [3, 4, 2])
    t.accumulator = Accumulator(schedule: AccumulationSchedule(n), normalization: normalization, leftover: leftover)
    return try stepsAndScales(t, source, epochs: epochs)
  }

  @Test func tutorialRuleStepsAtTheLastBatchButStillDividesByN() throws {
    // 10 batches, N = 4: windows 4, 4, 2 — three steps; the last two batches still get 1/4.
    let r = try epoch(batches: 10, n: 4, .steps, .stepAtEpochEnd)
    #expect(r.steps == [3])
    #expect(r.scales == Array(repeating: 0.25, count: 10))
  }

  @Test func exactRuleDividesTheShortWindowByItsSize() throws {
    let r = try epoch(batches: 10, n: 4, .window, .stepAtEpochEnd)
    #expect(r.steps == [3])
    #expect(r.scales.suffix(2) == [0.5, 0.5])
  }

  @Test func carryOverJoinsTheLeftoversToTheNextEpoch() throws {
    // 3750 batches of 16 at N = 4 step 937, 938, 937 times under Run:AI's rule; 10 batches: 2, 3, 2.
    let r = try epoch(batches: 10, n: 4, .none, .carryOver, epochs: 3)
    #expect(r.steps == [2, 3, 2])
    #expect(r.scales.allSatisfy { $0 == 1 })
  }

  @Test func scheduleChangesTheFactorPerEpoch() throws {
    let s = try AccumulationSchedule.parse("{0: 8, 4: 2}")
    #expect(s.description == "{0: 8, 4: 2}")
    #expect((0..<6).map(s.factor(forEpoch:)) == [8, 8, 8, 8, 2, 2])
    #expect(try AccumulationSchedule.parse("2:4").factor(forEpoch: 0) == 1)  // Lightning: 1 before the first key
    #expect(try AccumulationSchedule.parse(" 4 ").description == "4")
    #expect(throws: ScheduleError.self) { try AccumulationSchedule.parse("{0: 0}") }
    #expect(throws: ScheduleError.self) { try AccumulationSchedule.parse("{0: 8, 0: 2}") }
    #expect(throws: ScheduleError.self) { try AccumulationSchedule.parse("eight") }
    #expect(try AccumulationSchedule.parse("{0: 8, 4: 2,}").description == "{0: 8, 4: 2}")  // as Python allows
    #expect(throws: ScheduleError.self) { try AccumulationSchedule.parse("{0:8,,}") }
    #expect(throws: ScheduleError.self) { try AccumulationSchedule.parse("{, 0: 8}") }
    #expect(throws: ScheduleError.self) { try AccumulationSchedule.parse("{}") }

    let source = ArraySource(count: 16 * 4, features: 3, classes: 2, batchSize: 4, seed: 1)  // 16 batches
    let t = makeTrainer(sizes: [3, 4, 2])
    t.accumulator.rules.schedule = try AccumulationSchedule.parse("{0: 8, 1: 2}")
    var steps: [Int] = [], last = 0
    _ = try t.train(source, epochs: 2) { if case .epochEnded = $0 { steps.append(t.accumulator.steps - last); last = t.accumulator.steps } }
    #expect(steps == [2, 8])
  }

  @Test func trainingStopsCleanlyBetweenMicroBatches() throws {
    let source = ArraySource(count: 40, features: 3, classes: 2, batchSize: 4, seed: 1)
    let t = makeTrainer(sizes: [3, 4, 2], accumulate: 4)
    var seen = 0
    let finished = try t.train(source, epochs: 1, shouldStop: { seen == 6 }) { if case .backward = $0 { seen += 1 } }
    #expect(!finished)
    #expect(t.nextBatch == 6 && t.accumulator.microBatches == 2 && t.accumulator.steps == 1)
  }

  @Test func trainStepsAWindowLeftFullBeforeAnyFurtherBackward() throws {
    let source = ArraySource(count: 40, features: 3, classes: 2, batchSize: 4, seed: 1)  // 10 batches
    let t = makeTrainer(sizes: [3, 4, 2], accumulate: 2)
    _ = try t.backward(source)
    _ = try t.backward(source)
    #expect(t.accumulator.isWindowFull)
    var told: [[Int]] = [], seen = 0
    #expect(try t.train(source, steps: 1) { event in
      switch event {
      case .fullWindowStepped(let k, let samples): told.append([k, samples])
      case .backward: seen += 1
      default: break
      }
    })
    // The full window's step is the one step asked for: no micro-batch joins it.
    #expect(told == [[2, 8]] && seen == 0)
    #expect(t.accumulator.steps == 1 && !t.accumulator.isWindowOpen && t.nextBatch == 2)
    _ = try t.train(source, steps: 1) { if case .fullWindowStepped(let k, let samples) = $0 { told.append([k, samples]) } }
    #expect(told.count == 1 && t.accumulator.steps == 2 && t.nextBatch == 4)
  }

  @Test func aMicroBatchBelongsToItsOwnEpochWhenTheCursorMovesOn() throws {
    let source = ArraySource(count: 8, features: 3, classes: 2, batchSize: 4, seed: 1)  // 2 batches
    let t = makeTrainer(sizes: [3, 4, 2])
    var byHand: [[Int]] = []
    for _ in 0..<3 {
      let m = try t.backward(source)
      try t.step()
      byHand.append([m.epoch, m.index])
    }
    #expect(byHand == [[0, 0], [0, 1], [1, 0]])
    var trained: [[Int]] = [], ended: [Int] = []
    _ = try t.train(source, epochs: 2) { event in
      switch event {
      case .backward(let m): trained.append([m.epoch, m.index])
      case .epochEnded(let m): ended.append(m.epoch)
      default: break
      }
    }
    #expect(trained == [[1, 1], [2, 0], [2, 1]] && ended == [1, 2])
  }

  @Test(arguments: [AccumulationPolicy.keras, .fastai])
  func aCarriedOverWindowKeepsTheFactorItWasPlannedWith(policy: AccumulationPolicy) throws {
    // 6 batches of 4 per epoch under {0: 4, 1: 2}: the second window is batches 4, 5 of epoch 0
    // and 0, 1 of epoch 1, all planned with N = 4; epoch 1's own windows use N = 2.
    let source = ArraySource(count: 24, features: 3, classes: 2, batchSize: 4, seed: 1)
    let t = makeTrainer(sizes: [3, 4, 2])
    t.accumulator.rules.schedule = try AccumulationSchedule.parse("{0: 4, 1: 2}")
    policy.apply(to: &t.accumulator.rules)
    var scales: [Float] = [], steps: [Bool] = []
    _ = try t.train(source, epochs: 2) { event in
      switch event {
      case .backward(let m): scales.append(m.scale); steps.append(false)
      case .stepped: steps[steps.count - 1] = true
      default: break
      }
    }
    #expect(scales == Array(repeating: 0.25, count: 8) + Array(repeating: 0.5, count: 4))
    #expect(steps.enumerated().filter(\.element).map(\.offset) == [3, 7, 9, 11])
  }
}
