// Profile.swift — `profile`: where a training step's time and memory go for the
// current settings, measured on a copy of the model (the session is untouched).

import Engine

extension Command {
  static let profile: Command = Command(
    name: "profile", arguments: "[MICRO-BATCHES]",
    summary: "Time and memory of data loading, forward, backward and step for the current settings",
    details: "profile       20 micro-batches on a copy of the model; profile 100 for steadier figures",
    run: { session, arguments in
      guard arguments.count <= 1 else { throw UsageError("") }
      let count = try arguments.first.map { try integer($0, "micro-batches", in: 1...10_000) } ?? 20
      let loaders = try session.requireData()
      let t = try session.requireTrainer()
      try session.requireBatchNormSamples(t, loaders.train.batchSize, "each micro-batch")
      try Memory.check(session, batch: loaders.train.size(ofBatch: 0))
      let train = loaders.train
      let model = t.model.clone()
      model.setThreads(t.model.threads)
      let optimizer = session.makeOptimizer(for: model)
      let n = t.accumulator.rules.schedule.factor(forEpoch: t.epoch)
      let batch = Batch(capacity: train.batchSize, features: train.features)
      let dLogits = Tensor(rows: train.batchSize, columns: model.classes)
      var time = (data: 0.0, forward: 0.0, backward: 0.0, step: 0.0), steps = 0
      train.startEpoch(t.epoch)
      for k in 0..<count {
        var t0 = now()
        train.fill(batch, index: (t.nextBatch + k) % train.batchesPerEpoch)
        var t1 = now(); time.data += t1 - t0; t0 = t1
        let logits = model.forward(batch.x)
        let g = dLogits.prefix(rows: batch.count)
        _ = CrossEntropy.evaluate(logits: logits, labels: batch.y, gradient: g, scale: 1 / Float(n))
        t1 = now(); time.forward += t1 - t0; t0 = t1
        model.backward(g)
        t1 = now(); time.backward += t1 - t0; t0 = t1
        if (k + 1) % n == 0 {
          optimizer.step()
          model.parameters.zeroGrad()
          steps += 1
          time.step += now() - t0
        }
      }
      let total = time.data + time.forward + time.backward + time.step
      let memory = MemoryReport(trainer: t, batch: train.batchSize)
      session.say("\(count) micro-batches of \(train.batchSize), \(steps) steps (accumulate \(n)), \(model.threads) thread\(model.threads == 1 ? "" : "s")")
      session.say(pad("phase", 10) + pad("total", 11, left: true) + pad("per call", 12, left: true) + pad("share", 8, left: true) + "   memory")
      func row(_ name: String, _ s: Double, _ calls: Int, _ bytes: String) {
        session.say(pad(name, 10) + pad(fixed(s * 1000, 2) + " ms", 11, left: true)
          + pad(calls > 0 ? fixed(s * 1e6 / Double(calls), 0) + " µs" : "–", 12, left: true)
          + pad(fixed(100 * s / max(total, 1e-12), 0) + "%", 8, left: true) + "   " + bytes)
      }
      row("data", time.data, count, "batch \(formatBytes(train.batchSize * (train.features * 4 + 4)))")
      row("forward", time.forward, count, "activations \(formatBytes(memory.activations))")
      row("backward", time.backward, count, "gradients \(formatBytes(memory.gradients))")
      row("step", time.step, steps, "optimizer state \(formatBytes(memory.optimizerState))")
      session.say(pad("total", 10) + pad(fixed(total * 1000, 2) + " ms", 11, left: true)
        + "   \(grouped(Int(Double(count * train.batchSize) / max(total, 1e-12)))) samples/s")
    })
}
