// MicroBatch.swift — `forward`, `backward`, `step` and `zero`: the tutorial's
// loop taken apart, so each line of it is a command a learner types.

import Engine

extension Command {
  static let forward: Command = Command(
    name: "forward", summary: "Loss of the next micro-batch, without gradients (the cursor stays)",
    details: "forward     pred = model(X); loss = loss_fn(pred, y) — nothing is accumulated",
    run: { session, arguments in
      try noArguments(arguments)
      let (train, t) = try session.requireNextMicroBatch(training: false)
      let r = t.forward(train)
      session.say("loss \(fixed(r.loss, 6))   batch \(t.nextBatch + 1) of \(grouped(train.batchesPerEpoch)), epoch \(t.epoch + 1) (\(counted(r.samples, "sample")), \(r.correct) right); no gradient")
    })

  static let backward: Command = Command(
    name: "backward",
    summary: "Next micro-batch: forward, loss / N, backward — gradients add up",
    details: """
      backward    loss = loss_fn(model(X), y) / N; loss.backward()
      Gradients are added to what is already there; `step` applies and zeroes them.
      With `set accumulate 4`, four `backward` calls make one step of 4 × batch samples.
      """,
    run: { session, arguments in
      try noArguments(arguments)
      let (train, t) = try session.requireNextMicroBatch(training: true)
      let m = try t.backward(train)
      session.noteGradient(.backward)
      let a = t.accumulator
      // Counting samples, the window is full at its target of N·B samples, whatever the micro-batches.
      let held = a.rules.countsSamples ? "\(grouped(a.samples)) of \(grouped(a.plannedSamples)) samples" : "\(grouped(a.samples)) samples"
      session.say("loss \(fixed(m.loss, 6))   backward of loss\(text(a.lossScale(m.scale))); micro-batch \(a.microBatches) of \(a.plannedMicroBatches) (\(held)) accumulated")
      if a.isOverFull {
        session.say(a.rules.countsSamples
          ? "note: the window already held \(grouped(a.plannedSamples)) samples: this step will be larger than the tutorial's"
          : "note: more micro-batches than accumulate \(a.plannedMicroBatches): this step will be larger than the tutorial's")
      } else if a.isWindowFull {
        let last = m.index + 1 == m.batchesPerEpoch ? " (the epoch's last batch)" : ""
        session.say("window full\(last): the tutorial's loop would `step` now")
      }
    })

  static let step: Command = Command(
    name: "step", summary: "optimizer.step() then optimizer.zero_grad()",
    details: """
      step        applies the accumulated gradient, then zeroes it (as the tutorial does)
      `zero` zeroes without stepping.
      """,
    run: { session, arguments in
      try noArguments(arguments)
      let t = try session.requireTrainer()
      let a = t.accumulator
      guard a.isWindowOpen else { throw ShellError("nothing accumulated since the last step — run `backward` first") }
      if let n = session.settings.wrap, a.microBatches < n {
        // Run:AI's wrapper: step() is called after every batch; it only updates on the Nth call.
        // gashell counts one call per micro-batch, as that loop makes them, so a second `step`
        // without a `backward` between is not a new call.
        let here = Session.WrapperCall(t)
        if session.lastWrapperCall == here {
          session.say("wrapper: step() call \(a.microBatches) of \(n) was already made for this micro-batch — run `backward` for the next")
        } else {
          session.say("wrapper: step() call \(a.microBatches) of \(n) — no update yet, gradients kept")
        }
        session.lastWrapperCall = here
        return
      }
      let (k, samples, planned) = (a.microBatches, a.samples, a.plannedMicroBatches)
      let early = !a.isWindowFull
      try t.step()
      session.noteGradient(.step)
      session.say("step \(t.accumulator.steps): applied the gradient of \(k) micro-batch\(k == 1 ? "" : "es") (\(grouped(samples)) samples)"
        + (t.zeroAfterStep ? "; gradients zeroed" : "; gradients kept"))
      // By hand, a step can come before the window is full; the tutorial's loop never does that.
      if early {
        session.say("(\(k) of the window's \(planned): an early step, on fewer samples than the tutorial's loop, "
          + "which steps after micro-batch \(planned) or at the epoch's last batch)")
      }
    })

  static let zero: Command = Command(
    name: "zero", summary: "optimizer.zero_grad() without a step",
    run: { session, arguments in
      try noArguments(arguments)
      let t = try session.requireTrainer()
      let (k, samples) = (t.accumulator.microBatches, t.accumulator.samples)
      t.zeroGrad()
      session.lastWrapperCall = nil   // the wrapper's count starts again with the next window
      session.noteGradient(.zero)
      session.say(k == 0 ? "gradients zeroed" : "gradients zeroed: dropped \(k) micro-batch\(k == 1 ? "" : "es") (\(grouped(samples)) samples)")
    })

  /// " / 4" or " × 0.25": how a loss was scaled, as the backward line says it.
  static func text(_ scale: LossScale) -> String {
    switch scale {
    case .none: ""
    case .dividedBy(let n): " / \(n)"
    case .factor(let x): " × \(significant(x))"
    }
  }
}
