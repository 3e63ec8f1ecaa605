// TrainingBenchmark.swift — the engine timed as tuned.py times PyTorch: the tutorial's
// MLP 784-512-512-10, SGD lr 1e-3, the training set in order (no shuffling), a warm-up,
// then whole epochs; and forward-only passes over the test set.

import Datasets
import Engine
import Foundation

enum TrainingBenchmark {
  /// The tutorial's network and optimizer, with `shape.accumulate` micro-batches per step.
  static func makeTrainer(_ shape: TrainingShape, threads: Int) -> Trainer {
    let model = Sequential(hidden: [512, 512], seed: 0, threads: threads)
    let sgd = SGD(model.parameters, pool: { model.pool }, learningRate: 1e-3)
    return Trainer(model: model, optimizer: sgd,
                   accumulator: Accumulator(schedule: AccumulationSchedule(shape.accumulate)))
  }

  /// Training at `shape`: the warm-up trains `warmup` micro-batches, each run one epoch
  /// from the epoch's first batch.
  /// `checked: false` turns off the gradient's NaN/Inf check before each step, to time what it costs.
  static func epochs(_ shape: TrainingShape, data: LabeledImages, threads: Int, warmup: Int,
                     checked: Bool = true) -> Measurement {
    let trainer = makeTrainer(shape, threads: threads)
    trainer.checksGradient = checked
    let loader = DataLoader(data, batchSize: shape.batch)
    return Measurement(
      warmUp: {
        trainMicroBatches(trainer, loader, warmup)
        trainer.zeroGrad()        // the warm-up's open window, as tuned.py's opt.zero_grad()
        trainer.restartEpoch()
      },
      run: { mustFinish { try trainer.train(loader, epochs: 1) } })
  }

  /// Trains exactly `count` micro-batches (stepping as the accumulator says).
  static func trainMicroBatches(_ trainer: Trainer, _ loader: DataLoader, _ count: Int) {
    var done = 0
    mustFinish { try trainer.train(loader, shouldStop: { done >= count }) { if case .backward = $0 { done += 1 } } }
  }

  /// Seconds of the NaN/Inf check `Trainer.step` makes of the accumulated gradient (the loss's is one
  /// comparison a micro-batch): the median of 200 over the tutorial MLP's 669,706 gradients, on
  /// `threads` threads as the step makes it.
  static func nonFiniteCheckSeconds(threads: Int) -> Double {
    let trainer = makeTrainer(TrainingShape(batch: 64), threads: threads)
    var t = Timings()
    var found = 0
    for _ in 0..<200 { t.seconds.append(timed { if trainer.firstUnsafeGradient != nil { found += 1 } }) }
    precondition(found == 0)
    return t.median
  }

  /// The tutorial's settings do not diverge; if they ever did, the figures would time nothing real.
  static func mustFinish(_ training: () throws -> Bool) {
    do { _ = try training() } catch {
      FileHandle.standardError.write(Data("gabench: \(error)\n".utf8))
      exit(1)
    }
  }

  /// Forward-only passes over `data` in batches of `batch`, loss and accuracy included,
  /// as the tutorial's test loop and tuned.py's `evaluate`.
  static func evaluation(batch: Int, data: LabeledImages, threads: Int) -> Measurement {
    let trainer = makeTrainer(TrainingShape(batch: batch), threads: threads)
    let loader = DataLoader(data, batchSize: batch)
    let pass = { _ = trainer.evaluate(loader) }
    return Measurement(warmUp: pass, run: pass)
  }

  /// Floating-point operations of the 8 matrix products in one training step of one
  /// sample: forward x·Wᵀ for 3 layers, dW = dyᵀ·x for 3, dx = dy·W for the last 2
  /// (the first layer's input gradient is never computed). 2 FLOPs per multiply-add.
  static func productFLOPs(perSample sizes: [Int] = [784, 512, 512, 10]) -> Double {
    var macs = 0
    for l in 0..<(sizes.count - 1) {
      let w = sizes[l] * sizes[l + 1]
      macs += 2 * w               // forward and dW
      if l > 0 { macs += w }      // dx
    }
    return 2 * Double(macs)
  }
}
