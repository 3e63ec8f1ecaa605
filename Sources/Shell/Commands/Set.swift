// Set.swift — `set SETTING VALUE`. Every value is checked before anything
// changes, so a rejected `set` leaves the session exactly as it was.

import Engine
import Foundation

extension Command {
  static let set: Command = Command(
    name: "set", arguments: "SETTING VALUE",
    summary: "Change a setting: batch, accumulate, lr, optimizer, seed, …",
    details: {
      // The grammar in a column of 36; a longer one puts its summary on the next line.
      let rows = Setting.allCases.map { ("set \($0.rawValue) \($0.grammar)", $0.summary) }
        + [("set accumulate {0: 8, 4: 2}", "8 micro-batches a step in Epochs 1–4 as `train` prints them (the keys count from 0, as Lightning's), then 2")]
      return rows.map { $0.0.count < 35 ? pad($0.0, 36) + $0.1 : $0.0 + "\n" + pad("", 36) + $0.1 }
        .joined(separator: "\n")
    }(),
    complete: { words, _ in
      switch words.count {
      case 0: return .words(Setting.allCases.map(\.rawValue))
      case 1: return .words(Setting(rawValue: words[0])?.values ?? [])
      default: return .words([])
      }
    },
    run: { session, arguments in
      guard let name = arguments.first else { throw UsageError("set what?") }
      guard let setting = Setting(rawValue: name) else {
        throw ShellError("no setting '\(name)'" + suggestion(name, among: Setting.allCases.map(\.rawValue))
          + " — `show settings` lists them")
      }
      let value = arguments.dropFirst().joined(separator: " ").trimmingCharacters(in: .whitespaces)
      guard !value.isEmpty else { throw ShellError("set \(name) needs a value: \(setting.grammar)") }
      try apply(setting, value, to: session)
    })

  private static func apply(_ setting: Setting, _ value: String, to session: Session) throws {
    var s = session.settings
    let trainer = session.trainer
    var note = ""
    switch setting {
    case .batch:
      s.batch = try integer(value, "batch", in: 1...60_000)
      try session.requireClosedWindow("the batch size")
      if let t = trainer, t.nextBatch > 0 { note = " (epoch \(t.epoch + 1) restarts from its first batch)" }
    case .accumulate:
      do { s.accumulation.schedule = try AccumulationSchedule.parse(value) } catch {
        throw ShellError("\(error) — e.g. `set accumulate 4` or `set accumulate {0: 8, 4: 2}`")
      }
      guard s.accumulation.schedule.changes.allSatisfy({ $0.factor <= 10_000 }) else {
        throw ShellError("accumulate must be in 1–10000, got \(s.accumulation.schedule.changes.map(\.factor).max()!)")
      }
      try session.requireClosedWindow("accumulate")
      if let n = s.wrap {
        throw ShellError("the wrapped optimizer counts \(n) step() calls itself — `set optimizer \(s.optimizer.kind.rawValue) wrap N` "
          + "changes N, `set optimizer \(s.optimizer.kind.rawValue)` unwraps it")
      }
    case .lr:
      s.optimizer.learningRate = try number(value, "lr", in: 0...10, excludingLower: true)
    case .optimizer:
      // "sgd", or "sgd wrap 4": Run:AI's wrapper around it, which counts step() calls itself.
      let words = value.lowercased().split(separator: " ").map(String.init)
      guard let kind = OptimizerKind(rawValue: words[0]) else {
        throw ShellError("no optimizer '\(words[0])'" + suggestion(words[0], among: OptimizerKind.allCases.map(\.rawValue))
          + " — sgd, adam or adamw, optionally `wrap N`")
      }
      if words.count > 1 {
        guard words.count == 3, words[1] == "wrap" else {
          throw ShellError("after the optimizer only `wrap N` may follow, e.g. `set optimizer sgd wrap 4`")
        }
        let n = try integer(words[2], "wrap", in: 1...10_000)
        try session.requireClosedWindow("the optimizer")
        s.wrap = n
        s.accumulation.schedule = AccumulationSchedule(n)
        s.choose(.runai)  // the wrapper divides nothing and carries leftovers over
        note = "\nWrapping '\(kind == .sgd ? "SGD" : kind == .adam ? "Adam" : "AdamW")' optimizer with GA of \(n) steps"
          + "\n(it steps on every \(n)th step() call; the loss is not divided: `set normalize n` divides it)"
      } else if session.settings.wrap != nil {
        try session.requireClosedWindow("the optimizer")
        s.wrap = nil
        s.accumulation.schedule = AccumulationSchedule(1)
        s.choose(.guide)
        note = "\nthe Run:AI wrapper is gone: accumulate is 1 again, with the tutorial's rules (`set accumulate N` accumulates)"
      }
      s.optimizer.kind = kind
      if trainer != nil && kind != session.settings.optimizer.kind { note = " (a new optimizer: its state starts empty)" + note }
    case .momentum:
      s.optimizer.momentum = try number(value, "momentum", in: 0...1, excludingUpper: true)
      if s.optimizer.kind != .sgd { note = " (used by sgd; the optimizer is \(s.optimizer.kind.rawValue))" }
    case .weightDecay:
      s.optimizer.weightDecay = try number(value, "weight_decay", in: 0...1, excludingUpper: true)
    case .seed:
      s.seed = UInt64(try integer(value, "seed", in: 0...Int.max))
      // A new order restarts the epoch: the window's micro-batches could come round again in it.
      if s.shuffle && s.seed != session.settings.seed { try session.requireClosedWindow("the seed while shuffling") }
      note = " (new weights at the next `model` or `reset`)"
      if let t = trainer, t.nextBatch > 0, s.shuffle { note += "; epoch \(t.epoch + 1) restarts from its first batch in the new order" }
    case .shuffle:
      s.shuffle = try onOff(value, "shuffle")
      if s.shuffle != session.settings.shuffle { try session.requireClosedWindow("shuffling") }
      if let t = trainer, t.nextBatch > 0, s.shuffle != session.settings.shuffle {
        note = " (epoch \(t.epoch + 1) restarts from its first batch)"
      }
    case .threads:
      s.threads = try integer(value, "threads", in: 1...8)
    case .normalize:
      guard let n = LossNormalization(word: value.lowercased()) else {
        let words = LossNormalization.allCases.map(\.word)
        throw ShellError("normalize is \(words.dropLast().joined(separator: ", ")) or \(words.last!), got '\(value)'")
      }
      try session.requireClosedWindow("the normalization")
      s.accumulation.normalization = n
      note = ": " + n.explanation
    case .policy:
      guard let p = AccumulationPolicy(rawValue: value.lowercased()) else {
        throw ShellError("no policy '\(value)'" + suggestion(value, among: AccumulationPolicy.allCases.map(\.rawValue))
          + " — one of " + AccumulationPolicy.allCases.map(\.rawValue).joined(separator: ", "))
      }
      try session.requireClosedWindow("the policy")
      s.choose(p)
      note = ": " + s.ruleText   // `policy = keras: …`, the name said once
      if p == .runai && s.wrap == nil {
        note += "\n(the wrapper's rules for the window; `step` still steps at once — the wrapper itself, which counts "
          + "step() calls, is `set optimizer \(s.optimizer.kind.rawValue) wrap N`)"
      }
    case .clip:
      let words = value.lowercased().split(separator: " ").map(String.init)
      if words == ["off"] {
        s.clipping = nil
      } else {
        guard words.count <= 2, words.count == 1 || words[1] == "micro" else {
          throw ShellError("clip takes a maximum norm, optionally `micro`: `set clip 1.0` or `set clip 1.0 micro`, or off")
        }
        let x = try number(words[0], "clip", in: 0...1e6, excludingLower: true)
        s.clipping = GradientClipping(maxNorm: x, perMicroBatch: words.count == 2)
        note = words.count == 2 ? " per micro-batch (not what a large batch does: clip(g₁) + clip(g₂) ≠ clip(g₁ + g₂))"
          : " on the accumulated gradient, before each step"
      }
    case .scheduler:
      var words = value.lowercased().split(separator: " ").map(String.init)
      if words == ["off"] {
        s.scheduler = nil
        s.schedulerPerMicroBatch = false
      } else {
        let micro = words.last == "micro"
        if micro { words.removeLast() }
        s.scheduler = try LearningRateSchedule.parse(words)
        s.schedulerPerMicroBatch = micro
        let n = s.accumulation.schedule.factor(forEpoch: trainer?.epoch ?? 0)
        note = ": \(s.scheduler!.pytorchName) from lr \(formatHyper(s.optimizer.learningRate)), "
          + (micro ? "stepped after every micro-batch (the pitfall: with accumulate \(n) its steps come \(n)× too fast)"
                   : "stepped after every optimizer step")
      }
    case .autozero:
      s.autozero = try onOff(value, "autozero")
      if !s.autozero { note = " (step no longer zeroes: gradients pile up across steps)" }
    case .memory:
      s.memoryBudget = value.lowercased() == "off" ? nil : try Memory.parse(value)
      if let budget = s.memoryBudget, let t = trainer {
        let r = MemoryReport(trainer: t, batch: s.batch)
        note = " (batch \(s.batch) needs \(formatBytes(r.total)): " + (r.total <= budget ? "fits)" : "does not fit)")
      }
    case .quick:
      s.quick = try onOff(value, "quick")
    }

    // Everything is valid: apply it (the session hands it on to the trainer and the loaders).
    session.settings = s
    session.say("\(setting.rawValue) = \(display(setting, s))\(note)")
  }

  static func display(_ setting: Setting, _ s: Settings) -> String {
    switch setting {
    case .batch: "\(s.batch)"
    case .accumulate: "\(s.accumulation.schedule)"
    case .lr: formatHyper(s.optimizer.learningRate)
    case .optimizer: s.optimizer.kind.rawValue + (s.wrap.map { " wrap \($0)" } ?? "")
    case .momentum: formatHyper(s.optimizer.momentum)
    case .weightDecay: formatHyper(s.optimizer.weightDecay)
    case .seed: "\(s.seed)"
    case .shuffle: s.shuffle ? "on" : "off"
    case .threads: "\(s.threads)"
    case .normalize: s.accumulation.normalization.word
    case .policy: s.currentPolicy?.rawValue ?? "custom"
    case .clip: s.clipping.map { formatHyper($0.maxNorm) + ($0.perMicroBatch ? " micro" : "") } ?? "off"
    case .scheduler: s.scheduler.map { $0.word + (s.schedulerPerMicroBatch ? " micro" : "") } ?? "off"
    case .autozero: s.autozero ? "on" : "off"
    case .memory: s.memoryBudget.map(formatBytes) ?? "off"
    case .quick: s.quick ? "on" : "off"
    }
  }
}
