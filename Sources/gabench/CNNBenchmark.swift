// CNNBenchmark.swift — the convolutional model timed and weighed: training samples/s at batch
// 64, 16 × 4 and 16 (SGD lr 1e-3, the training set in order, as cnn_tuned.py runs PyTorch),
// and the peak RSS growth of training at 16 × 4, 64 and 256 in child processes, beside what the
// memory report accounts for the same settings.

import Datasets
import Engine
import Foundation

enum CNNBenchmark {
  static let architecture = Architecture(kind: .cnn(channels: [32, 64], hidden: 128,
                                                    image: .init(channels: 1, height: 28, width: 28)), classes: 10)

  static func makeTrainer(_ shape: TrainingShape, threads: Int) -> Trainer {
    let model = Sequential(architecture, seed: 0, threads: threads)
    let sgd = SGD(model.parameters, pool: { model.pool }, learningRate: 1e-3)
    return Trainer(model: model, optimizer: sgd, accumulator: Accumulator(schedule: AccumulationSchedule(shape.accumulate)))
  }

  /// `samples` samples of training at `shape` a run, after `warmup` micro-batches.
  static func training(_ shape: TrainingShape, data: LabeledImages, threads: Int, samples: Int, warmup: Int) -> Measurement {
    let trainer = makeTrainer(shape, threads: threads)
    let loader = DataLoader(data, batchSize: shape.batch)
    return Measurement(
      warmUp: {
        TrainingBenchmark.trainMicroBatches(trainer, loader, warmup)
        trainer.zeroGrad()
        trainer.restartEpoch()
      },
      run: { TrainingBenchmark.trainMicroBatches(trainer, loader, samples / shape.batch) },
      settle: { trainer.zeroGrad(); trainer.restartEpoch() })
  }

  /// Forward, loss and accuracy over `data` at `batch` (evaluation keeps no activations for a
  /// backward, but the workspaces are sized for the batch: 256 holds 58 MB of im2col columns).
  static func evaluation(batch: Int, data: LabeledImages, threads: Int) -> Measurement {
    let trainer = makeTrainer(TrainingShape(batch: batch), threads: threads)
    let loader = DataLoader(data, batchSize: batch)
    let pass = { _ = trainer.evaluate(loader) }
    return Measurement(warmUp: pass, run: pass)
  }

  /// `samples` samples' worth of the products alone at micro-batch `batch`, on a model of its own.
  static func products(batch: Int, threads: Int, samples: Int) -> (Measurement, flopsPerSample: Double) {
    let products = CNNStepProducts(model: Sequential(architecture, seed: 0, threads: threads), batch: batch)
    let steps = samples / batch
    return (Measurement(warmUp: { for _ in 0..<min(steps, 20) { products.run() } },
                        run: { for _ in 0..<steps { products.run() } }), products.flopsPerSample)
  }

  /// Bytes the memory report accounts for training at `shape`: parameters, gradients, optimizer
  /// state and the activations of one micro-batch.
  static func accountedBytes(_ shape: TrainingShape) -> Int {
    let model = Sequential(architecture, seed: 0)
    return MemoryReport(model: model, optimizerStateBytes: 0, batch: shape.batch).total
  }
}

extension GABench {
  /// The CNN's training rates and its memory, measured against accounted.
  func cnnSection(_ train: LabeledImages, test: LabeledImages, torch: TorchFigures?) throws -> [Check] {
    let shapes = [TrainingShape(batch: 64), TrainingShape(batch: 16, accumulate: 4), TrainingShape(batch: 16)]
    let samples = quick ? 1_280 : 6_400
    let productBatches = Array(Set(shapes.map(\.batch))).sorted(by: >)
    let products = productBatches.map { CNNBenchmark.products(batch: $0, threads: threads, samples: samples) }
    let flops = products[0].flopsPerSample
    let timings = takeTurns(shapes.map { CNNBenchmark.training($0, data: train, threads: threads, samples: samples, warmup: quick ? 8 : 32) }
                              + products.map(\.0),
                            rounds: timedEpochs)
    var ceiling: [Int: Double] = [:]
    for (batch, t) in zip(productBatches, timings.dropFirst(shapes.count)) {
      ceiling[batch] = t.rate(Double(samples / batch * batch)).median
    }
    say()
    say("CNN Conv2d(1,32)-ReLU-MaxPool-Conv2d(32,64)-ReLU-MaxPool-Linear(3136,128)-ReLU-Linear(128,10), "
        + "SGD lr 1e-3: median and best of \(timedEpochs) runs of \(grouped(Double(samples))) samples; "
        + "GFLOP/s counts the products (\(fixed(flops / 1e6, 2)) MFLOP a sample)")
    say("products alone (the same cblas_sgemm calls, nothing else): "
        + productBatches.map { "micro-batch \($0) \(grouped(ceiling[$0]!)) samples/s, \(fixed(ceiling[$0]! * flops / 1e9, 1)) GFLOP/s" }
          .joined(separator: "; "))
    var header = ["samples/s", "best", "GFLOP/s", "% products"]
    if torch?.cnn.isEmpty == false { header += ["PyTorch", "ratio"] }
    say(row("configuration", header))
    var checks: [Check] = []
    for (shape, t) in zip(shapes, timings) {
      let rate = t.rate(Double(samples))
      let share = rate.median / ceiling[shape.batch]!
      var cells = [grouped(rate.median), grouped(rate.best), fixed(rate.median * flops / 1e9, 1), fixed(100 * share, 0)]
      let reference = torch?.cnn[shape]
      if torch?.cnn.isEmpty == false {
        cells += [reference.map(grouped) ?? "–", reference.map { fixed(rate.median / $0, 2) + "×" } ?? "–"]
      }
      say(row(shape.label, cells))
      if let target = Self.cnnTorchTargets[shape] {
        checks.append(Check(name: "CNN training \(shape.label) vs tuned PyTorch, same threads",
                            measured: reference.map { "\(fixed(rate.median / $0, 2))× (\(grouped(rate.median)) vs \(grouped($0)) samples/s)" },
                            target: "≥ \(fixed(target, 1))×", passed: reference.map { rate.median / $0 >= target } ?? false,
                            missing: "no PyTorch CNN figures (bench/compare_torch.sh passes them)"))
      }
      if shape == TrainingShape(batch: 64) {
        checks.append(Check(name: "CNN batch 64 vs its products alone",
                            measured: "\(fixed(100 * share, 0)) % (\(grouped(rate.median)) of \(grouped(ceiling[64]!)) samples/s, medians)",
                            target: "≥ 60 %", passed: share >= 0.6))
      }
    }
    let evaluationBatches = [64, 256]
    let evaluations = takeTurns(evaluationBatches.map { CNNBenchmark.evaluation(batch: $0, data: test, threads: threads) },
                                rounds: timedRepeats)
    say("CNN evaluation, forward, loss and accuracy over \(grouped(Double(test.count))) test images (median and best of \(timedRepeats)): "
        + zip(evaluationBatches, evaluations).map { batch, t in
          let rate = t.rate(Double(test.count))
          return "batch \(batch) \(grouped(rate.median)) samples/s (best \(grouped(rate.best)))"
        }.joined(separator: ", "))
    if !noRSS { checks += try cnnMemorySection() }
    return checks
  }

  static let cnnTorchTargets: [TrainingShape: Double] = [TrainingShape(batch: 16, accumulate: 4): 2, TrainingShape(batch: 64): 1.5]

  /// Peak RSS growth of CNN training in child processes, beside the accounted bytes.
  func cnnMemorySection() throws -> [Check] {
    let shapes = [TrainingShape(batch: 16, accumulate: 4), TrainingShape(batch: 64), TrainingShape(batch: 256)]
    say()
    say("CNN memory: peak RSS growth of training over the loaded state (VmHWM − VmRSS, child processes) "
        + "against what `show memory` accounts")
    say(row("configuration", ["accounted", "measured", "measured ÷ accounted"], width: 22))
    var growth: [TrainingShape: Double] = [:], checks: [Check] = []
    for shape in shapes {
      var arguments = ["--rss-child", "\(shape)", "--cnn", "--threads", "\(threads)", "--rss-micro-batches", "\(quick ? 64 : 256)"]
      if let data { arguments += ["--data", data] }
      let peak = try ChildPeak.measure(arguments: arguments)
      let measured = Double(peak.trainingKiB - peak.loadedKiB) * 1024
      let accounted = Double(CNNBenchmark.accountedBytes(shape))
      growth[shape] = measured
      say(row(shape.label, [grouped(accounted / 1e3) + " KB", grouped(measured / 1e3) + " KB", fixed(measured / accounted, 3)], width: 22))
      checks.append(Check(name: "CNN \(shape.label): measured peak growth vs accounted",
                          measured: "\(fixed(100 * (measured / accounted - 1), 1)) %", target: "within ±10 %",
                          passed: abs(measured / accounted - 1) <= 0.1))
    }
    let ratio = growth[shapes[0]]! / growth[shapes[1]]!
    checks.append(Check(name: "CNN peak RSS growth, 16 × 4 vs batch 64", measured: "\(fixed(100 * ratio, 1)) %",
                        target: "≤ 40 %", passed: ratio <= 0.4))
    return checks
  }
}
