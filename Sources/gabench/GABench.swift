// GABench.swift — `gabench`: how fast gashell's engine trains the tutorial's MLP on
// FashionMNIST, next to what cblas_sgemm alone and (given its figures) PyTorch reach,
// with the issue's targets checked as PASS / MISS lines.

import ArgumentParser
import Datasets
import Engine
import Foundation

@main
struct GABench: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "gabench",
    abstract: "Training and evaluation throughput of gashell's engine on FashionMNIST.",
    discussion: """
      Times the tutorial's MLP 784-512-512-10 (ReLU, cross-entropy, SGD lr 1e-3) on the real \
      FashionMNIST, in order, as tuned.py times PyTorch: a warm-up, then whole epochs; reports \
      the median and the best run. Also times loading the dataset, the 8 matrix products of a \
      training step alone, and the peak RSS of training at micro-batch 16 × 1 and × 64, each in \
      a child process. bench/compare_torch.sh runs PyTorch and passes its figures with --torch-json.
      """)

  @Option(help: "Threads for the engine and for the products alone (this machine has 2).")
  var threads = 2

  @Option(parsing: .upToNextOption,
          help: "Training configurations: 64 is batch 64, 16x4 is micro-batch 16 × accumulate 4.")
  var configs: [TrainingShape] = TrainingShape.standard

  @Option(help: "Timed epochs per training configuration (default 3; 1 with --quick).")
  var epochs: Int?

  @Option(help: "Timed repeats of loading, evaluation and products alone (default 5; 2 with --quick).")
  var repeats: Int?

  @Option(help: "Warm-up micro-batches before each configuration's timed epochs.")
  var warmup = 200

  @Option(help: "Micro-batches each RSS child trains (default 3750, an epoch at 16; 640 with --quick).")
  var rssMicroBatches: Int?

  @Option(help: "PyTorch's figures: the file `tuned.py --json FILE` wrote.")
  var torchJSON: String?

  @Option(help: "FashionMNIST directory (default: where gashell finds it).")
  var data: String?

  @Flag(help: "Fewer, shorter runs: a quick look, not figures to quote.")
  var quick = false

  @Flag(help: "Only the RSS check: 16×1 and 16×64 trained in separate child processes.")
  var rssCheck = false

  @Flag(help: "Skip the RSS check (its two child processes).")
  var noRSS = false

  /// Set when this process is one of the RSS check's children.
  @Option(help: .hidden)
  var rssChild: TrainingShape?

  mutating func validate() throws {
    guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
    guard warmup >= 0, (epochs ?? 1) >= 1, (repeats ?? 1) >= 1, (rssMicroBatches ?? 64) >= 64 else {
      throw ValidationError("--epochs and --repeats must be ≥ 1, --warmup ≥ 0, --rss-micro-batches ≥ 64")
    }
  }

  private var timedEpochs: Int { epochs ?? (quick ? 1 : 3) }
  private var timedRepeats: Int { repeats ?? (quick ? 2 : 5) }
  private var childMicroBatches: Int { rssMicroBatches ?? (quick ? 640 : 3750) }

  func run() throws {
    if let shape = rssChild { return try runChild(shape) }
    if rssCheck {
      _ = try rssSection()
      return
    }
    let torch = try torchJSON.map { try TorchFigures(contentsOf: $0) }
    say("gabench — MLP 784-512-512-10, ReLU, cross-entropy, SGD lr 1e-3, FashionMNIST in order")
    say("threads \(threads): engine on a WorkerPool of \(threads) (OpenBLAS 1 thread in each); "
        + "OpenBLAS core \(BLAS.coreName)")
    if let torch {
      say("PyTorch \(torch.version), threads \(torch.threads)"
          + (torch.threads == threads ? "" : "  ← NOT the same thread count"))
    }
    var checks: [Check] = []
    let (train, test, loadCheck) = try loadSection()
    checks.append(loadCheck)
    checks += trainingSection(train, torch: torch, products: productsSection())
    evaluationSection(test, torch: torch)
    if !noRSS { checks.append(try rssSection()) }
    say()
    say("checks (threads \(threads))")
    for check in checks { say("  " + check.line) }
  }

  // MARK: - Sections

  /// Loads the full dataset `timedRepeats` times (at least 3) from the files and checks the time.
  private func loadSection() throws -> (LabeledImages, LabeledImages, Check) {
    let directory = try FashionMNIST.locate(explicit: data)
    let compressed = !FileManager.default.fileExists(atPath: directory + "/train-images-idx3-ubyte")
    var timings = Timings()
    var sets: (train: LabeledImages, test: LabeledImages)?
    for _ in 0..<max(timedRepeats, 3) {
      timings.seconds.append(try timedThrowing { sets = try FashionMNIST.load(directory: directory) })
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

  /// Products-alone GFLOP/s by batch size: the better of the two ways to thread them.
  private func productsSection() -> [Int: Double] {
    let flops = TrainingBenchmark.productFLOPs()
    let batches = Array(Set(configs.map(\.batch))).sorted(by: >)
    // With one thread both ways are the same single-threaded products.
    let threadings = threads == 1 ? [.openBLAS] : ProductsBenchmark.Threading.allCases
    let steps = { (batch: Int) in quick ? 15_000 / batch : (60_000 + batch - 1) / batch }
    let timings = ProductsBenchmark.measure(
      threadings.flatMap { t in batches.map { ProductsBenchmark.Case(batch: $0, threading: t) } },
      threads: threads, steps: steps, repeats: timedRepeats)
    say()
    say("products alone: the 8 cblas_sgemm of a training step, \(quick ? "15,000" : "60,000") samples' "
        + "worth, median of \(timedRepeats) runs")
    say(row("threads \(threads)", batches.flatMap { ["b\($0) GFLOP/s", "samples/s"] }, width: 13))
    var best: [Int: Double] = [:]
    for threading in threadings {
      var cells: [String] = []
      for batch in batches {
        let t = timings[ProductsBenchmark.Case(batch: batch, threading: threading)]!
        let samples = t.rate(Double(steps(batch) * batch)).median
        best[batch] = max(best[batch] ?? 0, samples * flops / 1e9)
        cells += [fixed(samples * flops / 1e9, 1), grouped(samples)]
      }
      say(row(threads == 1 ? "1 thread" : threading.rawValue, cells, width: 13))
    }
    return best
  }

  /// Training throughput per configuration, then the PyTorch and products checks.
  private func trainingSection(_ train: LabeledImages, torch: TorchFigures?, products: [Int: Double]) -> [Check] {
    let flops = TrainingBenchmark.productFLOPs()
    say()
    say("training, \(grouped(Double(train.count))) samples an epoch, \(timedEpochs) timed epochs after "
        + "\(warmup) micro-batches; GFLOP/s counts the 8 products (\(fixed(flops / 1e6, 2)) MFLOP a sample)")
    var header = ["samples/s", "best", "GFLOP/s", "% products"]
    if torch != nil { header += ["PyTorch", "ratio"] }
    say(row("configuration", header))
    var checks: [Check] = []
    let loadedKiB = PeakMemory.maxRSSKiB
    let timings = TrainingBenchmark.train(configs, data: train, threads: threads, warmup: warmup, epochs: timedEpochs)
    for (shape, t) in zip(configs, timings) {
      let rate = t.rate(Double(train.count))
      let gflops = rate.median * flops / 1e9
      let share = products[shape.batch].map { gflops / $0 } ?? .nan
      var cells = [grouped(rate.median), grouped(rate.best), fixed(gflops, 1), fixed(100 * share, 0)]
      let reference = torch?.training[shape]
      if torch != nil {
        cells += [reference.map { grouped($0.median) } ?? "–",
                  reference.map { fixed(rate.median / $0.median, 2) + "×" } ?? "–"]
      }
      say(row(shape.label, cells) + "   epochs s " + t.seconds.map { fixed($0, 3) }.joined(separator: " "))
      if let target = Self.torchTargets[shape] {
        let ratio = reference.map { rate.median / $0.median }
        checks.append(Check(
          name: "training \(shape.label) vs tuned PyTorch, same threads",
          measured: reference.map {
            "\(fixed(ratio!, 2))× (\(grouped(rate.median)) vs \(grouped($0.median)) samples/s, medians; "
              + "best runs \(fixed(rate.best / $0.best, 2))×)"
          },
          target: "≥ \(fixed(target, 1))×", passed: (ratio ?? 0) >= target,
          missing: torch == nil ? "no PyTorch figures (bench/compare_torch.sh passes them)" : "PyTorch did not run it"))
      }
      if shape == TrainingShape(batch: 64), share.isFinite {
        checks.append(Check(
          name: "batch 64 GFLOP/s vs cblas_sgemm alone on the same shapes",
          measured: "\(fixed(100 * share, 0)) % (\(fixed(gflops, 1)) of \(fixed(products[64]!, 1)) GFLOP/s)",
          target: "≥ 60 %", passed: share >= 0.6))
      }
    }
    say("peak RSS of this process (ru_maxrss): \(grouped(Double(loadedKiB))) KiB before training, "
        + "\(grouped(Double(PeakMemory.maxRSSKiB))) KiB after (all \(configs.count) models alive)")
    return checks
  }

  /// The issue's throughput targets against PyTorch.
  private static let torchTargets: [TrainingShape: Double] = [
    TrainingShape(batch: 16, accumulate: 4): 1.5, TrainingShape(batch: 64): 1.2,
  ]

  /// Forward-only passes over the test set, as tuned.py's `evaluate`.
  private func evaluationSection(_ test: LabeledImages, torch: TorchFigures?) {
    say()
    say("evaluation: forward, loss and accuracy over \(grouped(Double(test.count))) test images, "
        + "\(timedRepeats) runs")
    say(row("batch", ["samples/s", "best"] + (torch != nil ? ["PyTorch", "ratio"] : [])))
    for batch in [64, test.count] {
      let rate = TrainingBenchmark.evaluate(batch: batch, data: test, threads: threads, repeats: timedRepeats)
        .rate(Double(test.count))
      let reference = torch?.evaluation[batch]
      var cells = [grouped(rate.median), grouped(rate.best)]
      if torch != nil {
        cells += [reference.map(grouped) ?? "–", reference.map { fixed(rate.median / $0, 2) + "×" } ?? "–"]
      }
      say(row("batch \(batch)", cells))
    }
  }

  /// Peak RSS of training at 16 × 1 and 16 × 64, each in a child process of its own.
  private func rssSection() throws -> Check {
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

  /// The child's side of the RSS check: load, reset the peak, train, print the peaks.
  private func runChild(_ shape: TrainingShape) throws {
    let (train, _, _) = try FashionMNIST.load(from: data)
    guard let loading = PeakMemory.highWaterMarkKiB, let loaded = PeakMemory.residentKiB,
          PeakMemory.resetHighWaterMark() else {
      throw BenchmarkError("no VmHWM/VmRSS in /proc/self/status, or /proc/self/clear_refs is not writable")
    }
    let trainer = TrainingBenchmark.makeTrainer(shape, threads: threads)
    TrainingBenchmark.trainMicroBatches(trainer, DataLoader(train, batchSize: shape.batch), childMicroBatches)
    say(ChildPeak(loadingKiB: loading, loadedKiB: loaded, trainingKiB: PeakMemory.highWaterMarkKiB ?? 0).line)
  }
}

/// Seconds of a throwing `body` on the monotonic clock.
private func timedThrowing(_ body: () throws -> Void) throws -> Double {
  let start = monotonicSeconds()
  try body()
  return monotonicSeconds() - start
}
