// GABench+Sections.swift — the parts of gabench's report: loading, training next to the
// products alone, evaluation, and peak RSS; each prints its table and returns its checks.

import Datasets
import Engine
import Foundation

extension GABench {
  /// Loads the full dataset `timedRepeats` times (at least 3) from the files and checks the time.
  func loadSection() throws -> (LabeledImages, LabeledImages, Check) {
    let directory = try FashionMNIST.locate(explicit: data)
    let compressed = !FileManager.default.fileExists(atPath: directory + "/train-images-idx3-ubyte")
    var timings = Timings()
    var sets: (train: LabeledImages, test: LabeledImages)?
    for _ in 0..<max(timedRepeats, 3) {
      let start = monotonicSeconds()
      sets = try FashionMNIST.load(directory: directory)
      timings.seconds.append(monotonicSeconds() - start)
    }
    let (train, test) = sets!
    say("data \(directory) (\(compressed ? ".gz files" : "uncompressed files")): "
        + "\(grouped(Double(train.count))) training + \(grouped(Double(test.count))) test images")
    say()
    say(row("load, 4 files", ["median s", "best s", "runs"]))
    say(row("FashionMNIST.load", [fixed(timings.median, 3), fixed(timings.best, 3), "\(timings.seconds.count)"]))
    let check = Check(name: "full FashionMNIST loaded from the .gz files",
                      measured: compressed ? "\(fixed(timings.median, 3)) s median" : nil,
                      target: "< 0.5 s", passed: timings.median < 0.5,
                      missing: "the files found were uncompressed")
    return (train, test, check)
  }

  /// Training per configuration and the 8 products of a step alone, taking turns run by
  /// run; then the checks against PyTorch and against the products.
  func throughputSection(_ train: LabeledImages, torch: TorchFigures?) -> [Check] {
    let flops = TrainingBenchmark.productFLOPs()
    let batches = Array(Set(configs.map(\.batch))).sorted(by: >)
    // With one thread both ways of threading are the same single-threaded products.
    let threadings = threads == 1 ? [.openBLAS] : ProductsBenchmark.Threading.allCases
    let samplesPerRun = quick ? 15_000 : train.count  // of the products alone
    let steps = { (batch: Int) in (samplesPerRun + batch - 1) / batch }
    let cases = threadings.flatMap { t in batches.map { (threading: t, batch: $0) } }
    let loadedKiB = PeakMemory.maxRSSKiB
    let timings = takeTurns(
      configs.map { TrainingBenchmark.epochs($0, data: train, threads: threads, warmup: warmup) }
        + configs.map { TrainingBenchmark.epochs($0, data: train, threads: threads, warmup: warmup, checked: false) }
        + cases.map { ProductsBenchmark.measurement(batch: $0.batch, threading: $0.threading,
                                                    threads: threads, steps: steps($0.batch)) },
      rounds: timedEpochs)

    // The products alone: the ceiling is the better of the two ways to thread them.
    var ceiling: [Int: Double] = [:], bestCeiling: [Int: Double] = [:]
    var productRows: [String: [String]] = [:]
    for (c, t) in zip(cases, timings.dropFirst(2 * configs.count)) {
      let gflops = t.rate(Double(steps(c.batch) * c.batch) * flops / 1e9)
      ceiling[c.batch] = max(ceiling[c.batch] ?? 0, gflops.median)
      bestCeiling[c.batch] = max(bestCeiling[c.batch] ?? 0, gflops.best)
      productRows[c.threading.rawValue, default: []] += [fixed(gflops.median, 1), grouped(gflops.median * 1e9 / flops)]
    }

    say()
    say("training, \(grouped(Double(train.count))) samples an epoch, median and best of \(timedEpochs) epochs "
        + "after \(warmup) micro-batches; GFLOP/s counts the 8 products (\(fixed(flops / 1e6, 2)) MFLOP a sample)")
    var header = ["samples/s", "best", "GFLOP/s", "% products"]
    if torch != nil { header += ["PyTorch", "ratio"] }
    say(row("configuration", header))
    var checks: [Check] = []
    for (shape, t) in zip(configs, timings) {
      let rate = t.rate(Double(train.count))
      let gflops = rate.median * flops / 1e9
      let share = ceiling[shape.batch].map { gflops / $0 } ?? .nan
      var cells = [grouped(rate.median), grouped(rate.best), fixed(gflops, 1), fixed(100 * share, 0)]
      let reference = torch?.training[shape]
      if torch != nil {
        cells += [reference.map { grouped($0.median) } ?? "–",
                  reference.map { fixed(rate.median / $0.median, 2) + "×" } ?? "–"]
      }
      say(row(shape.label, cells) + "   epochs s " + t.seconds.map { fixed($0, 3) }.joined(separator: " "))
      if let target = Self.torchTargets[shape] {
        checks.append(Check(
          name: "training \(shape.label) vs tuned PyTorch, same threads",
          measured: reference.map {
            "\(fixed(rate.median / $0.median, 2))× (\(grouped(rate.median)) vs \(grouped($0.median)) samples/s, "
              + "medians; best runs \(fixed(rate.best / $0.best, 2))×)"
          },
          target: "≥ \(fixed(target, 1))×", passed: reference.map { rate.median / $0.median >= target } ?? false,
          missing: torch == nil ? "no PyTorch figures (bench/compare_torch.sh passes them)" : "PyTorch did not run it"))
      }
      if shape == TrainingShape(batch: 64), share.isFinite {
        let bestShare = rate.best * flops / 1e9 / bestCeiling[64]!
        // Over 100 %: a burst of load from elsewhere fell on the products' runs more than on training's.
        let disturbed = share > 1 ? "; over 100 %: the machine was busier during the products' runs" : ""
        checks.append(Check(
          name: "batch 64 GFLOP/s vs cblas_sgemm alone on the same shapes",
          measured: "\(fixed(100 * share, 0)) % (\(fixed(gflops, 1)) of \(fixed(ceiling[64]!, 1)) GFLOP/s, medians; "
            + "best runs \(fixed(100 * bestShare, 0)) %\(disturbed))",
          target: "≥ 60 %", passed: share >= 0.6))
      }
    }
    // Already inside the figures above (every step makes it): the same training without it, run for
    // run beside them, tells what it costs; the check alone, against a step's time, what it could.
    let check = TrainingBenchmark.nonFiniteCheckSeconds(threads: threads)
    let shares = zip(configs, zip(timings, timings.dropFirst(configs.count))).map { shape, pair in
      let (on, off) = pair
      let steps = (train.count + shape.batch * shape.accumulate - 1) / (shape.batch * shape.accumulate)
      return "\(shape.label) \(fixed(on.rate(1).median / off.rate(1).median, 3))× "
        + "(alone \(fixed(100 * check / (on.median / Double(steps)), 1)) % of a step's time)"
    }
    say("NaN/Inf check of the gradient before each step, samples/s with it ÷ without it (medians, taking turns): "
        + shares.joined(separator: ", ") + "; the check alone \(fixed(check * 1e6, 1)) µs (median of 200, "
        + "a warm gradient); the loss's check is one comparison")
    say("peak RSS of this process (ru_maxrss): \(grouped(Double(loadedKiB))) KiB before training, "
        + "\(grouped(Double(PeakMemory.maxRSSKiB))) KiB after (all \(configs.count) models alive)")

    say()
    say("products alone: the 8 cblas_sgemm of a training step, \(grouped(Double(samplesPerRun))) samples' "
        + "worth a run, taking turns with the training; median of \(timedEpochs)")
    say(row("threads \(threads)", batches.flatMap { ["b\($0) GFLOP/s", "samples/s"] }, width: 13))
    for threading in threadings {
      say(row(threads == 1 ? "1 thread" : threading.rawValue, productRows[threading.rawValue]!, width: 13))
    }
    return checks
  }

  /// The issue's throughput targets against PyTorch.
  static let torchTargets: [TrainingShape: Double] = [
    TrainingShape(batch: 16, accumulate: 4): 1.5, TrainingShape(batch: 64): 1.2,
  ]

  /// Forward-only passes over the test set, as tuned.py's `evaluate`.
  func evaluationSection(_ test: LabeledImages, torch: TorchFigures?) {
    let batches = [64, test.count]
    let timings = takeTurns(batches.map { TrainingBenchmark.evaluation(batch: $0, data: test, threads: threads) },
                            rounds: timedRepeats)
    say()
    say("evaluation: forward, loss and accuracy over \(grouped(Double(test.count))) test images, "
        + "median and best of \(timedRepeats)")
    say(row("batch", ["samples/s", "best"] + (torch != nil ? ["PyTorch", "ratio"] : [])))
    for (batch, t) in zip(batches, timings) {
      let rate = t.rate(Double(test.count))
      let reference = torch?.evaluation[batch]
      var cells = [grouped(rate.median), grouped(rate.best)]
      if torch != nil {
        cells += [reference.map(grouped) ?? "–", reference.map { fixed(rate.median / $0, 2) + "×" } ?? "–"]
      }
      say(row("batch \(batch)", cells))
    }
  }

  /// Peak RSS of training at 16 × 1 and 16 × 64, each in a child process of its own.
  func rssSection() throws -> Check {
    let shapes = [TrainingShape(batch: 16), TrainingShape(batch: 16, accumulate: 64)]
    say()
    say("peak RSS, each configuration in a child process training \(childMicroBatches) micro-batches")
    say(row("configuration", ["loading", "loaded", "training", "growth"], width: 12)
        + "   KiB: VmHWM of loading, VmRSS once loaded, VmHWM of training, training − loaded")
    var peaks: [ChildPeak] = []
    for shape in shapes {
      var arguments = ["--rss-child", "\(shape)", "--threads", "\(threads)",
                       "--rss-micro-batches", "\(childMicroBatches)"]
      if let data { arguments += ["--data", data] }
      let peak = try ChildPeak.measure(arguments: arguments)
      peaks.append(peak)
      say(row(shape.label, [peak.loadingKiB, peak.loadedKiB, peak.trainingKiB,
                            peak.trainingKiB - peak.loadedKiB].map { grouped(Double($0)) }, width: 12))
    }
    let ratio = Double(peaks[1].trainingKiB) / Double(peaks[0].trainingKiB)
    say("16 × 64 / 16 × 1: training peak \(fixed(ratio, 4))")
    return Check(name: "peak RSS of training, 16 × 64 vs 16 × 1",
                 measured: "\(fixed(100 * (ratio - 1), 2)) % (\(grouped(Double(peaks[1].trainingKiB))) vs "
                   + "\(grouped(Double(peaks[0].trainingKiB))) KiB)",
                 target: "within ±5 %", passed: abs(ratio - 1) <= 0.05)
  }
}
