// Set.swift — `set SETTING VALUE`. Every value is checked before anything
// changes, so a rejected `set` leaves the session exactly as it was.

import Engine

extension Command {
  static let set: Command = Command(
    name: "set", arguments: "SETTING VALUE",
    summary: "Change a setting: batch, accumulate, lr, optimizer, seed, …",
    details: Setting.allCases.map { "set " + pad("\($0.rawValue) \($0.grammar)", 34) + $0.summary }.joined(separator: "\n")
      + "\nset accumulate {0: 8, 4: 2}         8 micro-batches per step in epochs 1–4, then 2 (epochs count from 0)",
    complete: { words in
      switch words.count {
      case 0: return .words(Setting.allCases.map(\.rawValue))
      case 1: return .words(Setting(rawValue: words[0])?.values ?? [])
      default: return .words([])
      }
    },
    run: { session, arguments in
      guard let name = arguments.first else { throw Command.set.usageError("set what?") }
      guard let setting = Setting(rawValue: name) else {
        throw ShellError("no setting '\(name)'" + suggestion(name, among: Setting.allCases.map(\.rawValue))
          + " — `show settings` lists them")
      }
      guard arguments.count >= 2 else { throw ShellError("set \(name) needs a value: \(setting.grammar)") }
      let value = arguments.dropFirst().joined(separator: " ")
      try apply(setting, value, to: session)
    })

  /// Changing how a window is made while one is open would mix two rules in one step.
  private static func requireClosedWindow(_ session: Session, _ what: String) throws {
    guard let t = session.trainer, t.accumulator.isWindowOpen else { return }
    let k = t.accumulator.microBatches
    throw ShellError("\(k) micro-batch\(k == 1 ? " is" : "es are") accumulated — run `step` or `zero` before changing \(what)")
  }

  private static func apply(_ setting: Setting, _ value: String, to session: Session) throws {
    var s = session.settings
    let trainer = session.trainer
    var note = ""
    switch setting {
    case .batch:
      s.batch = try integer(value, "batch", in: 1...60_000)
      try requireClosedWindow(session, "the batch size")
      if let t = trainer, t.nextBatch > 0 { note = " (epoch \(t.epoch + 1) restarts from its first batch)" }
    case .accumulate:
      do { s.accumulate = try AccumulationSchedule.parse(value) } catch {
        throw ShellError("\(error) — e.g. `set accumulate 4` or `set accumulate {0: 8, 4: 2}`")
      }
      guard s.accumulate.changes.allSatisfy({ $0.factor <= 10_000 }) else {
        throw ShellError("accumulate must be in 1–10000")
      }
      try requireClosedWindow(session, "accumulate")
    case .lr:
      s.learningRate = try number(value, "lr", in: 0...10, excludingLower: true)
    case .optimizer:
      guard let kind = OptimizerKind(rawValue: value.lowercased()) else {
        throw ShellError("no optimizer '\(value)'" + suggestion(value, among: OptimizerKind.allCases.map(\.rawValue))
          + " — sgd, adam or adamw")
      }
      s.optimizer = kind
      if trainer != nil { note = " (a new optimizer: its state starts empty)" }
    case .momentum:
      s.momentum = try number(value, "momentum", in: 0...1, excludingUpper: true)
      if s.optimizer != .sgd { note = " (used by sgd; the optimizer is \(s.optimizer.rawValue))" }
    case .weightDecay:
      s.weightDecay = try number(value, "weight_decay", in: 0...1, excludingUpper: true)
    case .seed:
      s.seed = UInt64(try integer(value, "seed", in: 0...Int.max))
      note = " (new weights at the next `model` or `reset`)"
      if let t = trainer, t.nextBatch > 0, s.shuffle { note += "; epoch \(t.epoch + 1) restarts from its first batch in the new order" }
    case .shuffle:
      s.shuffle = try onOff(value, "shuffle")
      if let t = trainer, t.nextBatch > 0, s.shuffle != session.settings.shuffle {
        note = " (epoch \(t.epoch + 1) restarts from its first batch)"
      }
    case .threads:
      s.threads = try integer(value, "threads", in: 1...8)
    case .normalize:
      guard let n = LossNormalization(word: value.lowercased()) else {
        throw ShellError("normalize is n, window, samples or off, got '\(value)'")
      }
      try requireClosedWindow(session, "the normalization")
      s.normalize = n
      note = ": " + n.explanation
    case .quick:
      s.quick = try onOff(value, "quick")
    }

    // Everything is valid: apply it.
    let old = session.settings
    session.settings = s
    if let t = trainer {
      t.accumulator.schedule = s.accumulate
      t.accumulator.normalization = s.normalize
      t.model.setThreads(s.threads)
      if s.optimizer != old.optimizer {
        t.optimizer = session.makeOptimizer(for: t.model)
      } else {
        t.optimizer.learningRate = s.learningRate
        if let sgd = t.optimizer as? SGD { sgd.momentum = s.momentum; sgd.weightDecay = s.weightDecay }
        if let adam = t.optimizer as? Adam { adam.weightDecay = s.weightDecay }
      }
    }
    if s.batch != old.batch || s.shuffle != old.shuffle || s.seed != old.seed {
      session.rebuildLoaders()
      if s.batch != old.batch || s.shuffle != old.shuffle || (s.shuffle && s.seed != old.seed) {
        trainer?.restartEpoch()
      }
    }
    session.say("\(setting.rawValue) = \(display(setting, s))\(note)")
  }

  static func display(_ setting: Setting, _ s: Settings) -> String {
    switch setting {
    case .batch: "\(s.batch)"
    case .accumulate: "\(s.accumulate)"
    case .lr: formatHyper(s.learningRate)
    case .optimizer: s.optimizer.rawValue
    case .momentum: formatHyper(s.momentum)
    case .weightDecay: formatHyper(s.weightDecay)
    case .seed: "\(s.seed)"
    case .shuffle: s.shuffle ? "on" : "off"
    case .threads: "\(s.threads)"
    case .normalize: s.normalize.word
    case .quick: s.quick ? "on" : "off"
    }
  }
}
