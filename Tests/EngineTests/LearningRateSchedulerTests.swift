// LearningRateSchedulerTests.swift — StepLR, LinearLR and CosineAnnealingLR against the rates
// PyTorch's optimizer held (Tests/Fixtures/lr_schedules.json, from make_lr_fixture.py), to the
// last bit of the double; and the trainer steps them once per optimizer step, or per micro-batch.
import Foundation
import Testing
@testable import Engine

@Suite struct LearningRateSchedulerTests {
  struct Case: Decodable {
    let scheduler: String
    let lr: Double
    let args: [String: Double]
    let rates: [String]
  }
  struct Fixture: Decodable { let cases: [Case] }

  static let cases: [Case] = {
    let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("Fixtures/lr_schedules.json")
    let data = (try? Data(contentsOf: path)) ?? Data()
    return (try? JSONDecoder().decode(Fixture.self, from: data).cases) ?? []
  }()

  func schedule(_ c: Case) -> LearningRateSchedule {
    switch c.scheduler {
    case "StepLR": .step(every: Int(c.args["step_size"]!), gamma: c.args["gamma"]!)
    case "LinearLR": .warmup(steps: Int(c.args["total_iters"]!), startFactor: c.args["start_factor"]!)
    default: .cosine(period: Int(c.args["T_max"]!), minimum: c.args["eta_min"]!)
    }
  }

  @Test func ratesArePyTorchsToTheLastBit() throws {
    #expect(Self.cases.count == 7)
    for c in Self.cases {
      var s = LearningRateScheduler(schedule(c), baseRate: c.lr)
      var ours = [s.rate]
      for _ in 1..<c.rates.count { s.step(); ours.append(s.rate) }
      let theirs = c.rates.map { Double($0)! }
      #expect(ours == theirs, "\(schedule(c).pytorchName) from lr \(c.lr)")
    }
  }

  @Test func theTrainerStepsItOncePerOptimizerStepOrPerMicroBatch() throws {
    let source = ArraySource(count: 40, features: 3, classes: 2, batchSize: 4, seed: 1)   // 10 batches
    for perMicroBatch in [false, true] {
      let t = makeTrainer(sizes: [3, 4, 2], lr: 0.1, accumulate: 4)
      t.scheduler = LearningRateScheduler(.warmup(steps: 8, startFactor: 0.5), baseRate: 0.1)
      t.schedulerStepsPerMicroBatch = perMicroBatch
      #expect(t.optimizer.learningRate == Float(0.05))
      var rates: [Float] = []
      _ = try t.train(source, steps: 2) { if case .stepped = $0 { rates.append(t.lastStepRate!) } }
      // Per step: 2 scheduler steps after 2 optimizer steps. Per micro-batch: 8 after 8 backwards,
      // so the warm-up meant for 8 steps is over after 2.
      let expected = perMicroBatch ? 8 : 2
      #expect(t.scheduler?.steps == expected)
      var reference = LearningRateScheduler(.warmup(steps: 8, startFactor: 0.5), baseRate: 0.1)
      for _ in 0..<expected { reference.step() }
      #expect(t.optimizer.learningRate == Float(reference.rate))
      // The first step's rate: the warm-up's first, or already its fourth after 4 micro-batches.
      var fourth = LearningRateScheduler(.warmup(steps: 8, startFactor: 0.5), baseRate: 0.1)
      for _ in 0..<4 { fourth.step() }
      #expect(rates.first == (perMicroBatch ? Float(fourth.rate) : Float(0.05)))
    }
  }
}
