// Compare.swift — `compare`: is N × accumulated micro-batches of B really one
// batch of B·N? From the current weights, both gradients are computed on the
// same B·N samples (the next ones), then one step is taken from each.

import Engine

extension Command {
  static let compare: Command = Command(
    name: "compare", summary: "Gradient of one batch of B·N against N accumulated micro-batches of B",
    details: """
      compare     from the current weights and the next B·N training samples: the large batch's
                  gradient and the accumulated one, per parameter, then the weights after one step
      Uses the current rules (`set normalize`, `set policy`): `set normalize off` shows an N-fold gradient.
      Nothing changes: the model, its gradients and the data cursor stay as they are.
      """,
    run: { session, arguments in
      try noArguments(arguments)
      let loaders = try session.requireData()
      let t = try session.requireTrainer()
      let train = loaders.train
      let (epoch, next) = t.nextPosition(in: train)   // past a smaller data set's epoch: the next one's start
      let n = t.accumulator.rules.schedule.factor(forEpoch: epoch)
      guard n > 1 else { throw ShellError("accumulate is 1: nothing to compare — `set accumulate 4` first") }
      // The window the rules would plan from here: at an epoch's end it may be short, and it never
      // repeats a batch (accumulate may exceed the batches in an epoch of a small subset).
      var rules = t.accumulator
      rules.closeWindow()
      _ = rules.scale(forBatch: next, epoch: epoch, of: train)
      let k = min(rules.plannedMicroBatches, train.batchesPerEpoch)
      guard k > 1 else {
        throw ShellError("the next window, at the end of epoch \(epoch + 1), holds 1 micro-batch: nothing to compare — "
          + "`backward` and `step` move past it")
      }
      let indices = (0..<k).map { (next + $0) % train.batchesPerEpoch }
      let rows = indices.reduce(0) { $0 + train.size(ofBatch: $1) }
      try session.requireBatchNormSamples(t, indices.map(train.size(ofBatch:)).min()!, "a micro-batch to compare")
      try Memory.check(session, batch: rows, for: "the activations of the large batch")

      // The micro-batches the next window would see, and the scales the rules give them.
      train.startEpoch(epoch)
      var batches: [Batch] = []
      for i in indices {
        let b = Batch(capacity: train.size(ofBatch: i), features: train.features)
        train.fill(b, index: i)
        batches.append(b)
      }
      rules.closeWindow()
      let scales = indices.map { i in
        defer { rules.accumulated(samples: train.size(ofBatch: i)) }  // one window, planned once
        return rules.scale(forBatch: i, epoch: epoch, of: train)
      }
      let report = Equivalence.compare(t.model, microBatches: batches, scales: scales) { m in session.makeOptimizer(for: m) }

      let scaleText = Set(scales).count > 1 ? "losses scaled per batch"
        : scales[0] == 1 ? "loss not divided" : "loss" + text(rules.lossScale(scales[0]))
      session.say("one batch of \(grouped(rows)) against \(k) micro-batches of \(train.batchSize) (\(scaleText)), from the same weights")
      session.say(pad("param", 10) + pad("max |Δg|", 12) + pad("relative", 12) + pad("max |Δw| after step", 21) + "relative")
      let gradientless = report.gradientless
      for (g, w) in zip(report.gradients, report.weights) {
        let relative = gradientless.contains(g.name) ? "—" : significant(g.relative)
        session.say(pad(g.name, 10) + pad(significant(g.maxAbsolute), 12) + pad(relative, 12)
          + pad(significant(w.maxAbsolute), 21) + significant(w.relative))
      }
      if !gradientless.isEmpty {
        let names = report.gradients.map(\.name).filter(gradientless.contains)
        let why = t.model.batchNorm ? " (the batch norm right after them subtracts the batch mean, cancelling any bias)" : ""
        session.say("—: \(names.joined(separator: ", ")) \(names.count == 1 ? "has" : "have") no gradient up to float rounding\(why); "
          + "left out of the worst")
      }
      let worst = report.worstGradient
      let diverged = report.gradients.contains { !$0.maxAbsolute.isFinite || !$0.relative.isFinite }
        || !worst.isFinite
      let verdict = diverged ? "no verdict: the gradients hold nan or inf (the weights diverged: `reset`, and a smaller lr)"
        : worst <= 1e-5 ? "the same gradient up to float rounding (the two sum in another order)"
        : worst < 1e-2 ? "close but not equal" : "NOT the same gradient"
      session.say("worst relative difference \(significant(worst)) (gradients), \(significant(report.worstWeights)) (weights): \(verdict)")
      if t.model.batchNorm {
        session.say("why: batch norm normalises each micro-batch with its own mean and variance, not the batch of \(grouped(rows))'s")
      }
      if t.model.dropout > 0 {
        session.say("why: dropout draws new masks for every forward pass; the difference is noise, zero on average")
      }
    })
}
