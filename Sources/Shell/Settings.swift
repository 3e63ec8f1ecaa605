// Settings.swift — the knobs a learner turns with `set`, their ranges and defaults.
// Defaults are the tutorial's: batch 64, no accumulation, SGD with lr 1e-3, no shuffling.

import Engine

/// How the loss of each micro-batch is divided: `set normalize`.
extension LossNormalization {
  /// The word `set normalize` takes.
  var word: String {
    switch self {
    case .steps: "n"
    case .window: "window"
    case .samples: "samples"
    case .target: "target"
    case .none: "off"
    }
  }
  init?(word: String) {
    guard let m = LossNormalization.allCases.first(where: { $0.word == word }) else { return nil }
    self = m
  }
  var explanation: String {
    switch self {
    case .steps: "loss / N for every micro-batch (the tutorial's loop)"
    case .window: "loss / k, k = micro-batches actually in the window (exact for a short last window)"
    case .samples: "loss × b / S, weighted by the samples in the window (exact for short batches)"
    case .target: "loss × b / (N·B), against a target of N·B samples (fastai)"
    case .none: "no division: the gradient is the sum of N batch means"
    }
  }
}

public struct Settings: Sendable {
  public var batch = 64
  /// accumulate, normalize, policy: how micro-batches make a step (the trainer's accumulator follows it).
  public var accumulation = AccumulationRules()
  /// optimizer, lr, momentum, weight_decay.
  public var optimizer = OptimizerSettings()
  public var seed: UInt64 = 0
  public var shuffle = false
  public var threads = 2
  /// The library whose rules were chosen with `set policy` (their rules can coincide: lightning = guide).
  public var policy: AccumulationPolicy? = .guide
  /// Run:AI's optimizer wrapper: counts step() calls and only steps every `wrap`-th.
  public var wrap: Int?
  public var clipping: GradientClipping?
  /// torch.optim.lr_scheduler: stepped after each optimizer step, or (the pitfall) each micro-batch.
  public var scheduler: LearningRateSchedule?
  public var schedulerPerMicroBatch = false
  public var autozero = true
  /// A simulated device budget in bytes: `set memory 6MB`.
  public var memoryBudget: Int?
  /// Scales `load fashion` and `train` down for demos and tests.
  public var quick = false

  public init() {}

  /// "batch 64" or "batch 16 × 4": what one optimizer step sees.
  public var label: String {
    let schedule = accumulation.schedule
    let n = schedule.isConstant ? schedule.changes[0].factor : 0
    let base = n == 1 ? "batch \(batch)" : n > 1 ? "batch \(batch) × \(n)" : "batch \(batch) × \(schedule)"
    var s = base + ", " + optimizer.kind.rawValue + (wrap.map { " wrapped ×\($0)" } ?? "")
    if optimizer.kind == .sgd && optimizer.momentum != 0 { s += " m\(formatHyper(optimizer.momentum))" }
    s += " lr \(formatHyper(optimizer.learningRate))"
    if optimizer.weightDecay != 0 { s += " wd \(formatHyper(optimizer.weightDecay))" }
    if shuffle { s += ", shuffled" }
    if let p = currentPolicy, p != .guide { s += ", \(p.rawValue) rules" }
    else if currentPolicy == nil { s += ", normalize \(accumulation.normalization.word)" }
    if let c = clipping { s += ", clip \(formatHyper(c.maxNorm))\(c.perMicroBatch ? " micro" : "")" }
    if let schedule = scheduler { s += ", \(schedule.word)\(schedulerPerMicroBatch ? " micro" : "")" }
    if !autozero { s += ", no zero_grad" }
    return s
  }
}

/// One `set NAME VALUE` knob: its name, what it takes, and its help line.
public enum Setting: String, CaseIterable, Sendable {
  case batch, accumulate, lr, optimizer, momentum
  case weightDecay = "weight_decay"
  case seed, shuffle, threads, policy, normalize, clip, scheduler, autozero, memory, quick

  var grammar: String {
    switch self {
    case .batch: "1–60000"
    case .accumulate: "N or {EPOCH: N, …}"
    case .lr: "0 < X ≤ 10"
    case .optimizer: "sgd|adam|adamw [wrap N]"
    case .momentum: "0 ≤ X < 1"
    case .weightDecay: "0 ≤ X < 1"
    case .seed: "0–2^63−1"   // Int.max: Set reads the seed as an Int
    case .shuffle, .quick: "on|off"
    case .threads: "1–8"
    case .policy: AccumulationPolicy.allCases.map(\.rawValue).joined(separator: "|")
    case .normalize: "n|window|samples|target|off"
    case .clip: "X [micro] | off"
    case .scheduler: "steplr S [γ] | warmup S [F] | cosine S [MIN] [micro] | off"
    case .autozero: "on|off"
    case .memory: "SIZE (6MB, 5.5MB) | off"
    }
  }

  var summary: String {
    switch self {
    case .batch: "examples per micro-batch (per backward call)"
    case .accumulate: "micro-batches per optimizer step, or a per-epoch schedule like Lightning's"
    case .lr: "learning rate"
    case .optimizer: "the optimizer (a new one starts with empty state)"
    case .momentum: "SGD momentum"
    case .weightDecay: "weight decay (L2 for sgd/adam, decoupled for adamw)"
    case .seed: "seed for initial weights and shuffling"
    case .shuffle: "shuffle the training set each epoch (the tutorial does not)"
    case .threads: "threads the engine computes with"
    case .policy: "a library's accumulation rules: who divides, what is counted, the last window"
    case .normalize: "who divides the loss, and by what"
    case .clip: "clip the gradient norm before each step (micro: per micro-batch, the pitfall)"
    case .scheduler: "change lr every optimizer step as PyTorch's StepLR, LinearLR, CosineAnnealingLR (micro: the pitfall)"
    case .autozero: "zero the gradients after each step (off: forgetting zero_grad)"
    case .memory: "a simulated device budget: a micro-batch that does not fit fails"
    case .quick: "scale data and epochs down for demos and tests"
    }
  }

  /// Candidate values for completion.
  var values: [String] {
    switch self {
    case .optimizer: OptimizerKind.allCases.map(\.rawValue) + ["sgd wrap 4"]
    case .shuffle, .quick, .autozero: ["on", "off"]
    case .normalize: LossNormalization.allCases.map(\.word)
    case .policy: AccumulationPolicy.allCases.map(\.rawValue)
    case .clip: ["1.0", "off"]
    case .scheduler: ["warmup 100 0.1", "steplr 100 0.5", "cosine 1000", "warmup 100 0.1 micro", "off"]
    case .memory: ["6MB", "off"]
    case .accumulate: ["1", "2", "4", "8", "{0: 8, 4: 2}"]
    case .batch: ["16", "64"]
    default: []
    }
  }
}

extension Settings {
  /// The rules in force, named: "guide: loss / N …", or "custom: …" (`show settings`).
  var rules: String { (currentPolicy.map(\.rawValue) ?? "custom") + ": " + ruleText }

  /// The rules in force, in words: who divides, what is counted, the last window (`set policy`).
  var ruleText: String {
    let last = accumulation.leftover == .stepAtEpochEnd ? "a short last window is stepped at the epoch's end"
      : "leftover micro-batches join the next epoch's first window"
    let counted = accumulation.countsSamples ? "counts samples (a step per N·B)" : "counts micro-batches"
    return accumulation.normalization.explanation + "; " + counted + "; " + last
  }

  /// The chosen policy while its rules are in force, else whichever policy they match
  /// (lightning's rules are the guide's: the name chosen is the one shown).
  var currentPolicy: AccumulationPolicy? {
    let matching = AccumulationPolicy(matching: accumulation)
    if let policy, let matching, AccumulationPolicy(matching: policy.rules) == matching { return policy }
    return matching
  }

  /// `set policy P`: its rules, and its name remembered.
  mutating func choose(_ p: AccumulationPolicy) {
    p.apply(to: &accumulation)
    policy = p
  }
}

extension AccumulationPolicy {
  /// This policy's rules, with the schedule of accumulate 1.
  var rules: AccumulationRules {
    var r = AccumulationRules()
    apply(to: &r)
    return r
  }
}

extension LearningRateSchedule {
  /// The words `set scheduler` takes back: "warmup 100 0.1".
  var word: String {
    switch self {
    case .step(let every, let gamma): "steplr \(every) \(formatHyper(Float(gamma)))"
    case .warmup(let steps, let start): "warmup \(steps) \(formatHyper(Float(start)))"
    case .cosine(let period, let minimum): "cosine \(period) \(formatHyper(Float(minimum)))"
    }
  }

  /// `set scheduler` words after the name: "steplr 30 0.1", "warmup 100", "cosine 1000 1e-5",
  /// with PyTorch's defaults for what is left out (gamma 0.1, start_factor 1/3, eta_min 0).
  static func parse(_ words: [String]) throws -> LearningRateSchedule {
    let kinds = ["steplr", "warmup", "cosine"]
    guard let kind = words.first, kinds.contains(kind) else {
      throw ShellError("no scheduler '\(words.first ?? "")'" + suggestion(words.first ?? "", among: kinds)
        + " — steplr, warmup or cosine, then the steps: `set scheduler warmup 100 0.1`")
    }
    guard words.count >= 2, words.count <= 3 else {
      throw ShellError("\(kind) takes a number of optimizer steps and at most one more number, e.g. `set scheduler \(kind) 100`")
    }
    let steps = try integer(words[1], "the scheduler's steps", in: 1...10_000_000)
    // Decimal text, read as a double: PyTorch's arguments are the floats the learner typed.
    func real(_ name: String, _ range: ClosedRange<Float>, excludingLower: Bool, or fallback: Double) throws -> Double {
      guard words.count == 3 else { return fallback }
      let x = try number(words[2], name, in: range, excludingLower: excludingLower)
      return Double(words[2]) ?? Double(x)
    }
    switch kind {
    case "steplr": return .step(every: steps, gamma: try real("gamma", 0...1, excludingLower: true, or: 0.1))
    case "warmup": return .warmup(steps: steps, startFactor: try real("start_factor", 0...1, excludingLower: true, or: 1.0 / 3))
    default: return .cosine(period: steps, minimum: try real("eta_min", 0...10, excludingLower: false, or: 0))
    }
  }
}
