// TrainingState.swift — `save state FILE` and `load state FILE`: a training run put aside and taken up
// again bit for bit. The file is a safetensors training state (Checkpoint.saveTrainingState:
// weights, gradients, optimizer buffers, the cursor and the open window) plus, as metadata, the
// model and the rules that made its window. Loading asks for the same model and rules rather
// than setting them: a learner should see what the state belongs to, and a window planned
// under one rule must not be finished under another.

import Engine
import Foundation

extension Command {
  static func saveState(_ session: Session, _ words: [String]) throws {
    let file = try FileName.only(words)
    let t = try session.requireTrainer()
    var metadata = [modelKey: t.model.architecture.words, rulesKey: rulesText(session.settings),
                    optimizerKey: display(.optimizer, session.settings),
                    schedulerKey: display(.scheduler, session.settings)]
    if let s = t.scheduler {   // where the schedule is: its steps, and its rate as a double read back exactly
      metadata[schedulerStepsKey] = "\(s.steps)"
      metadata[schedulerRateKey] = "\(s.rate)"
    }
    try Checkpoint.saveTrainingState(t, to: file.path, metadata: metadata)
    session.say("training state written to \(file.typed): \(stateSummary(t)) — `load state \(file.typed)` goes on from here")
  }

  static func loadState(_ session: Session, _ words: [String]) throws {
    let file = try FileName.only(words)
    let t = try session.requireTrainer()
    let metadata = try SafeTensors.read(file.path).metadata
    guard let model = metadata[modelKey], let rules = metadata[rulesKey], let optimizer = metadata[optimizerKey] else {
      throw ShellError("\(file.typed) is not a gashell training state — `save state FILE` writes one; `load weights` reads weights")
    }
    // What the state belongs to, checked before anything changes.
    if model != t.model.architecture.words {
      throw ShellError("\(file.typed) was saved from `model \(model)` — run that first, then `load state`")
    }
    if optimizer != display(.optimizer, session.settings) {
      throw ShellError("\(file.typed) holds the state of `set optimizer \(optimizer)` — set that first, then `load state`")
    }
    if rules != rulesText(session.settings) {
      throw ShellError("\(file.typed) was saved with \(rules) — set those first, then `load state`")
    }
    let scheduler = metadata[schedulerKey] ?? "off"   // states saved before schedulers had none
    if scheduler != display(.scheduler, session.settings) {
      throw ShellError("\(file.typed) was saved with `set scheduler \(scheduler)` — set that first, then `load state`")
    }
    var resumed: LearningRateScheduler?
    if let current = t.scheduler {
      guard let steps = metadata[schedulerStepsKey].flatMap({ Int($0) }), steps >= 0,
            let rate = metadata[schedulerRateKey].flatMap({ Double($0) }), rate.isFinite, rate > 0 else {
        throw ShellError("\(file.typed) names a scheduler but not where it was (\(schedulerStepsKey), \(schedulerRateKey)) — not a state to go on from")
      }
      resumed = LearningRateScheduler(current.schedule, baseRate: current.baseRate, steps: steps, rate: rate)
    }
    try Checkpoint.loadTrainingState(into: t, from: file.path)
    if let resumed { t.scheduler = resumed }
    session.install(t, origin: "state from \(file.typed)", keepsCursor: true)
    session.say("training state loaded from \(file.typed): \(stateSummary(t))")
  }

  private static let modelKey = "gashell.model", rulesKey = "gashell.rules", optimizerKey = "gashell.optimizer"
  private static let schedulerKey = "gashell.scheduler", schedulerStepsKey = "gashell.scheduler.steps",
                     schedulerRateKey = "gashell.scheduler.rate"

  /// The settings that plan a window and order its batches, as `set` commands would give them.
  private static func rulesText(_ s: Settings) -> String {
    ["batch", "accumulate", "normalize"].compactMap(Setting.init(rawValue:))
      .map { "`set \($0.rawValue) \(display($0, s))`" }.joined(separator: ", ")
      + ", " + (s.accumulation.leftover == .carryOver ? "leftovers carried over" : "a short last window stepped")
      + (s.accumulation.countsSamples ? ", counting samples" : "")
      + (s.shuffle ? ", `set shuffle on` with `set seed \(s.seed)`" : "")   // the order the cursor walks
  }

  /// "SGD, 12 steps; epoch 1, batch 7; window 2/4 open"
  private static func stateSummary(_ t: Trainer) -> String {
    let a = t.accumulator
    return "\(t.optimizer.name), \(counted(a.steps, "step")); epoch \(t.epoch + 1), next batch \(t.nextBatch + 1)"
      + (a.isWindowOpen ? "; window \(a.microBatches)/\(a.plannedMicroBatches) open" : "")
  }
}
