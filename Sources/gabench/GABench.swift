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
      a child process. bench/compare_torch.sh runs PyTorch and passes its figures with --torch-json. \
      OpenBLAS honours OPENBLAS_CORETYPE (e.g. SkylakeX) to choose its kernels.
      """)

  @Option(help: "Threads for the engine and for the products alone (1 or 2 on a 2-core machine).")
  var threads = 2

  @Option(parsing: .upToNextOption,
          help: "Training configurations: 64 is batch 64, 16x4 is micro-batch 16 × accumulate 4.")
  var configs: [TrainingShape] = TrainingShape.standard

  @Option(help: "Timed epochs per training configuration, and timed runs of the products alone, which take turns with them (default 5; 1 with --quick).")
  var epochs: Int?

  @Option(help: "Timed repeats of loading (at least 3) and of evaluation (default 5; 2 with --quick).")
  var repeats: Int?

  @Option(help: "Warm-up micro-batches before each configuration's timed epochs.")
  var warmup = 200

  @Option(help: "Micro-batches each RSS child trains (default 3750, an epoch at 16; 640 with --quick).")
  var rssMicroBatches: Int?

  @Option(help: "PyTorch's figures: the file `tuned.py --json FILE` wrote.")
  var torchJSON: String?

  @Option(name: .customLong("torch-cnn-json"), help: "PyTorch's CNN figures: the JSON line cnn_tuned.py printed (keys 64x1, 16x4, 16x1).")
  var torchCNNJSON: String?

  @Flag(help: "Skip the CNN's section.")
  var noCNN = false

  /// With --rss-child: train the CNN instead of the MLP.
  @Flag(help: .hidden)
  var cnn = false

  @Option(help: "FashionMNIST directory (default: where gashell finds it).")
  var data: String?

  @Flag(help: "Fewer, shorter runs: a quick look, not figures to quote.")
  var quick = false

  @Flag(help: "Only the RSS check: 16×1 and 16×64 trained in separate child processes.")
  var rssCheck = false

  @Flag(name: .customLong("only-cnn"), help: "Only the CNN's section: no MLP training, products, evaluation or RSS check.")
  var onlyCNN = false

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

  var timedEpochs: Int { epochs ?? (quick ? 1 : 5) }
  var timedRepeats: Int { repeats ?? (quick ? 2 : 5) }
  var childMicroBatches: Int { rssMicroBatches ?? (quick ? 640 : 3750) }

  func run() throws {
    if let shape = rssChild { return try runChild(shape) }
    if rssCheck {
      _ = try rssSection()
      return
    }
    var torch = try torchJSON.map { try TorchFigures(contentsOf: $0) }
    if let path = torchCNNJSON { torch = try (torch ?? TorchFigures()).withCNN(contentsOf: path) }
    say("gabench — MLP 784-512-512-10, ReLU, cross-entropy, SGD lr 1e-3, FashionMNIST in order")
    say("threads \(threads): engine on a WorkerPool of \(threads) (OpenBLAS 1 thread in each); "
        + "\(BLAS.configuration.split(separator: " ").prefix(2).joined(separator: " ")), "
        + "kernels \(BLAS.coreName)")
    if let note = Self.kernelNote { say("note: " + note) }
    if let torch {
      say("PyTorch \(torch.version), threads \(torch.threads)"
          + (torch.threads == threads ? "" : "  ← NOT the same thread count"))
    }
    var checks: [Check] = []
    let (train, test, loadCheck) = try loadSection()
    checks.append(loadCheck)
    if !onlyCNN {
      checks += throughputSection(train, torch: torch)
      evaluationSection(test, torch: torch)
      if !noRSS { checks.append(try rssSection()) }
    }
    if !noCNN { checks += try cnnSection(train, test: test, torch: torch) }
    say()
    say("checks (threads \(threads))")
    for check in checks { say("  " + check.line) }
  }

  /// Says so when the CPU has AVX-512 but OpenBLAS runs kernels without it, and why:
  /// OPENBLAS_CORETYPE in the environment chooses them (this machine sets Haswell).
  static var kernelNote: String? {
    let avx512Cores = ["skylakex", "cooperlake", "sapphirerapids"]
    guard !avx512Cores.contains(BLAS.coreName.lowercased()),
          let cpuinfo = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
          let flags = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("flags") })?.split(separator: " "),
          ["avx512f", "avx512dq", "avx512bw", "avx512vl"].allSatisfy({ flags.contains(Substring($0)) })
    else { return nil }
    if let forced = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] {
      return "the environment sets OPENBLAS_CORETYPE=\(forced): OpenBLAS runs its \(BLAS.coreName) kernels, "
        + "not AVX-512 ones, although this CPU has AVX-512"
    }
    return "this CPU has AVX-512, but OpenBLAS chose its \(BLAS.coreName) kernels; "
      + "OPENBLAS_CORETYPE=SkylakeX selects AVX-512 ones"
  }

  /// The child's side of the RSS check: load, reset the peak, train, print the peaks.
  private func runChild(_ shape: TrainingShape) throws {
    let (train, _, _) = try FashionMNIST.load(from: data)
    // The loader's sample order (8 bytes a training image, 469 KiB) belongs to the data set's
    // side, as the data does: made before the peak is reset, it is not counted as training's.
    let loader = DataLoader(train, batchSize: shape.batch)
    // The code training runs (the engine's, OpenBLAS's kernels) counts in the RSS once it has run:
    // a throwaway model trains two micro-batches of one image first, so that the pages of code
    // are in the loaded state and what is measured is the memory training holds.
    do {
      let warm = cnn ? CNNBenchmark.makeTrainer(TrainingShape(batch: 1), threads: threads)
        : TrainingBenchmark.makeTrainer(TrainingShape(batch: 1), threads: threads)
      TrainingBenchmark.trainMicroBatches(warm, DataLoader(train, batchSize: 1), 2)
    }
    // What loading freed goes back to the system, or training would reuse it unseen by the RSS.
    ResidentMemory.trim()
    guard let loading = PeakMemory.highWaterMarkKiB, let loaded = PeakMemory.residentKiB,
          PeakMemory.resetHighWaterMark() else {
      throw BenchmarkError("no VmHWM/VmRSS in /proc/self/status, or /proc/self/clear_refs is not writable")
    }
    let trainer = cnn ? CNNBenchmark.makeTrainer(shape, threads: threads) : TrainingBenchmark.makeTrainer(shape, threads: threads)
    TrainingBenchmark.trainMicroBatches(trainer, loader, childMicroBatches)
    say(ChildPeak(loadingKiB: loading, loadedKiB: loaded, trainingKiB: PeakMemory.highWaterMarkKiB ?? 0).line)
  }
}
