// Profile.swift — `profile`: where a training step's time and memory go for the current
// settings, or for several configurations side by side (`profile 64 16x4`), measured on copies
// of the model (the session is untouched): the tutorial's "measure the resource consumption".

import Datasets
import Engine

extension Command {
  static let profile: Command = Command(
    name: "profile", arguments: "[MICRO-BATCHES] | BATCH[xN] … [samples S]",
    summary: "Time and memory of data loading, forward, backward and step for the current settings",
    details: """
      profile             20 micro-batches on a copy of the model; profile 100 for steadier figures
      profile 64 16x4     batch 64 beside micro-batches of 16 × accumulate 4: the same 1,280 samples
                          each, phase by phase, with the memory each needs (`show memory`)
      profile 64 16x4 samples 6400   more samples each, for steadier figures
      """,
    complete: { words, _ in .words(words.isEmpty ? ["20", "64 16x4"] : ["16x4", "samples"]) },
    run: { session, arguments in
      let loaders = try session.requireData()
      let t = try session.requireTrainer()
      guard arguments.count > 1 || arguments.first?.contains("x") == true else {
        let count = try arguments.first.map { try integer($0, "micro-batches", in: 1...10_000) } ?? 20
        let n = t.accumulator.rules.schedule.factor(forEpoch: t.epoch)
        try requireRoom(session, t, batch: loaders.train.batchSize)
        let p = measure(session, t, loaders.train, accumulate: n, microBatches: count)
        printOne(session, p, t, loaders.train.batchSize, count: count)
        return
      }
      let (shapes, samples) = try configurations(arguments)
      for (batch, _) in shapes { try requireRoom(session, t, batch: min(batch, loaders.train.sampleCount)) }
      let measured = shapes.map { batch, n in
        let loader = DataLoader(session.train!, batchSize: batch)
        return measure(session, t, loader, accumulate: n, microBatches: (samples + batch - 1) / batch)
      }
      printSideBySide(session, t, shapes, measured, samples: samples)
    })

  /// "64 16x4 samples 6400" → [(64, 1), (16, 4)] and 6,400 samples (1,280 by default: 20 of 64).
  private static func configurations(_ words: [String]) throws -> ([(batch: Int, n: Int)], Int) {
    var words = words, samples = 1280
    if let i = words.firstIndex(of: "samples") {
      guard i + 1 < words.count else { throw UsageError("samples needs a number, e.g. `samples 6400`") }
      samples = try integer(words[i + 1], "samples", in: 1...600_000)
      words.removeSubrange(i...(i + 1))
    }
    guard (1...4).contains(words.count) else { throw UsageError("one to four configurations, e.g. `profile 64 16x4`") }
    let shapes = try words.map { word -> (batch: Int, n: Int) in
      let parts = word.lowercased().split(separator: "x", omittingEmptySubsequences: false).map(String.init)
      guard parts.count <= 2 else { throw UsageError("'\(word)' is not BATCH or BATCHxN, e.g. 64 or 16x4") }
      let batch = try integer(parts[0], "batch", in: 1...60_000)
      let n = parts.count == 2 ? try integer(parts[1], "accumulate", in: 1...10_000) : 1
      return (batch, n)
    }
    return (shapes, samples)
  }

  private static func requireRoom(_ session: Session, _ t: Trainer, batch: Int) throws {
    try session.requireBatchNormSamples(t, batch, "each micro-batch")
    try Memory.check(session, batch: batch)
  }

  /// Seconds per phase over `microBatches` micro-batches of `source`, stepping every `accumulate`.
  struct Phases {
    var data = 0.0, forward = 0.0, backward = 0.0, step = 0.0
    var microBatches = 0, steps = 0, samples = 0, threads = 1
    /// How far the process's peak resident memory rose over the run, in bytes: measured by Linux,
    /// beside what `show memory` accounts. Nil where /proc does not tell.
    var peakGrowth: Int?
    var total: Double { data + forward + backward + step }
  }

  private static func measure(_ session: Session, _ t: Trainer, _ source: DataLoader, accumulate n: Int,
                              microBatches count: Int) -> Phases {
    // The code a step runs, and the buffers OpenBLAS packs its operands into, count in the RSS
    // once they have been used: a micro-batch of this size through a throwaway copy first, so that
    // the peak measured below is the memory training holds, not pages of code or of the library.
    do {
      let warm = t.model.clone(), one = Batch(capacity: source.largestBatch, features: source.features)
      source.fill(one, index: 0)
      let logits = warm.forward(one.x), g = Tensor(rows: one.count, columns: warm.classes)
      _ = CrossEntropy.evaluate(logits: logits, labels: one.y, gradient: g, scale: 1)
      warm.backward(g)
    }
    ResidentMemory.trim()
    let before = ResidentMemory.residentKiB, reset = ResidentMemory.resetPeak()
    let model = t.model.clone()
    model.setThreads(t.model.threads)
    let optimizer = session.makeOptimizer(for: model)
    let batch = Batch(capacity: source.largestBatch, features: source.features)
    let dLogits = Tensor(rows: source.largestBatch, columns: model.classes)
    var p = Phases(microBatches: count, threads: model.threads)
    source.startEpoch(t.epoch)
    let first = source === session.trainLoader ? t.nextBatch : 0
    for k in 0..<count {
      var t0 = now()
      source.fill(batch, index: (first + k) % source.batchesPerEpoch)
      var t1 = now(); p.data += t1 - t0; t0 = t1
      let logits = model.forward(batch.x)
      let g = dLogits.prefix(rows: batch.count)
      _ = CrossEntropy.evaluate(logits: logits, labels: batch.y, gradient: g, scale: 1 / Float(n))
      t1 = now(); p.forward += t1 - t0; t0 = t1
      model.backward(g)
      t1 = now(); p.backward += t1 - t0; t0 = t1
      p.samples += batch.count
      if (k + 1) % n == 0 {
        optimizer.step()
        model.parameters.zeroGrad()
        p.steps += 1
        p.step += now() - t0
      }
    }
    if let before, reset, let peak = ResidentMemory.peakKiB { p.peakGrowth = (peak - before) * 1024 }
    return p
  }

  private static func printOne(_ session: Session, _ p: Phases, _ t: Trainer, _ batch: Int, count: Int) {
    let n = t.accumulator.rules.schedule.factor(forEpoch: t.epoch)
    let memory = MemoryReport(trainer: t, batch: batch)
    session.say("\(count) micro-batches of \(batch), \(p.steps) steps (accumulate \(n)), \(p.threads) thread\(p.threads == 1 ? "" : "s")")
    session.say(pad("phase", 10) + pad("total", 11, left: true) + pad("per call", 12, left: true) + pad("share", 8, left: true) + "   memory")
    func row(_ name: String, _ s: Double, _ calls: Int, _ bytes: String) {
      session.say(pad(name, 10) + pad(fixed(s * 1000, 2) + " ms", 11, left: true)
        + pad(calls > 0 ? fixed(s * 1e6 / Double(calls), 0) + " µs" : "–", 12, left: true)
        + pad(fixed(100 * s / max(p.total, 1e-12), 0) + "%", 8, left: true) + "   " + bytes)
    }
    row("data", p.data, count, "batch \(formatBytes(batch * (Session.inputs * 4 + 4)))")
    row("forward", p.forward, count, "activations \(formatBytes(memory.activations))")
    row("backward", p.backward, count, "gradients \(formatBytes(memory.gradients))")
    row("step", p.step, p.steps, "optimizer state \(formatBytes(memory.optimizerState))")
    session.say(pad("total", 10) + pad(fixed(p.total * 1000, 2) + " ms", 11, left: true)
      + "   \(grouped(Int(Double(p.samples) / max(p.total, 1e-12)))) samples/s")
    session.say("memory: \(formatBytes(memory.total)) accounted (`show memory`); the process's peak resident memory grew "
      + (p.peakGrowth.map(formatBytes) ?? "– (no /proc here)") + " while profiling")
  }

  /// Configurations in columns: time per phase for the same samples, then what each holds.
  private static func printSideBySide(_ session: Session, _ t: Trainer, _ shapes: [(batch: Int, n: Int)],
                                      _ measured: [Phases], samples: Int) {
    let names = shapes.map { $0.n == 1 ? "batch \($0.batch)" : "\($0.batch) × \($0.n)" }
    session.say("profile: \(grouped(samples)) samples at each configuration, on copies of the model "
      + "(\(measured[0].threads) thread\(measured[0].threads == 1 ? "" : "s")); times vary from run to run, memory does not")
    let width = 14
    func line(_ label: String, _ cells: [String]) {
      session.say(pad(label, 22) + cells.map { pad($0, width, left: true) }.joined())
    }
    line("", names)
    line("micro-batches, steps", measured.map { "\(grouped($0.microBatches)), \(grouped($0.steps))" })
    line("data", measured.map { fixed($0.data * 1000, 1) + " ms" })
    line("forward", measured.map { fixed($0.forward * 1000, 1) + " ms" })
    line("backward", measured.map { fixed($0.backward * 1000, 1) + " ms" })
    line("step", measured.map { fixed($0.step * 1000, 1) + " ms" })
    line("total", measured.map { fixed($0.total * 1000, 1) + " ms" })
    line("samples/s", measured.map { grouped(Int(Double($0.samples) / max($0.total, 1e-12))) })
    let reports = shapes.map { MemoryReport(trainer: t, batch: min($0.batch, session.train?.count ?? $0.batch)) }
    line("memory (show memory)", reports.map { formatBytes($0.total) })
    line("  that grow with batch", reports.map { formatBytes($0.activations) })
    line("  that do not", reports.map { formatBytes($0.parameters + $0.gradients + $0.optimizerState) })
    // Measured: Linux's count of the pages each configuration's run touched, over what the
    // process held before it (code, data and the session's own model are not in it).
    line("peak RSS growth", measured.map { $0.peakGrowth.map(formatBytes) ?? "–" })
  }
}
