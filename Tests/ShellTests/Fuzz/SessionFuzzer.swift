// SessionFuzzer.swift — runs generated lines through a Session and checks, after each one, what
// every line must keep true: one ShellError of one line or a success, the prompt agreeing with the
// accumulator, zero gradients after a step that applied, a rejected command changing nothing,
// finite weights. A finding is shrunk to a short sequence from a fresh session that still shows it.

import Engine
import Foundation
import FuzzSupport
import Glibc
@testable import Shell

/// Everything a line can change, bit for bit: the shared `Snapshot` and what it leaves out
/// (optimizer buffers, batch norm statistics, the wrapper's call, the data's folder, the trainer's switches).
struct FuzzState: Equatable {
  var snapshot: Snapshot
  var extra: [String]

  init(_ t: TestSession) {
    snapshot = Snapshot(t)
    let s = t.session
    // A test of weights that overflow has a NaN average loss, and NaN ≠ NaN: compared as bits.
    let losses = "last loss \(snapshot.lastLoss.map { String($0.bitPattern, radix: 16) } ?? "none"), "
      + "last test \(snapshot.lastTest.map { String($0.bitPattern, radix: 16) } ?? "none")"
    (snapshot.lastLoss, snapshot.lastTest) = (nil, nil)
    extra = [s.lastWrapperCall.map { "\($0)" } ?? "no wrapper call", s.dataDirectory, losses]
    if let tr = s.trainer {
      extra += ["optimizer \(tr.optimizer.description) steps \(tr.optimizer.stepCount)",
                "state " + tr.optimizer.state.map { "\($0.name) \(Snapshot.hash($0.tensor))" }.joined(separator: " "),
                "buffers " + tr.model.buffers.map { "\($0.name) \(Snapshot.hash($0.tensor))" }.joined(separator: " "),
                "zero \(tr.zeroAfterStep) clip \(String(describing: tr.clipping)) threads \(tr.model.threads)",
                "rules \(tr.accumulator.rules)"]
    }
  }

  var weights: UInt64 { snapshot.weights }
  var gradients: UInt64 { snapshot.gradients }
  /// epoch, next batch, micro-batches, samples, planned, steps (as `Snapshot.counters`).
  var counters: [Int] { snapshot.counters }
}

/// A line's result as the checks see it.
struct FuzzOutcome {
  /// The session's state after the line: taken once, as hashing the weights is the fuzzer's main cost.
  var after: FuzzState!
  var printed = ""
  var error: (any Error)?
  var seconds = 0.0
}

/// An invariant a line broke.
struct FuzzViolation: Hashable {
  let kind: String
  let detail: String
}

struct FuzzFinding: CustomStringConvertible {
  let seed: UInt64
  let lineNumber: Int
  let line: String
  let violation: FuzzViolation
  var repeats = 0
  /// Other commands that broke it too: the first line of each.
  var alsoOn: [String: (number: Int, line: String)] = [:]
  /// The lines from a fresh session (with or without the synthetic data) that show it again.
  var reproduction: [String]?
  var freshSessionHasData = true

  var description: String {
    var s = "[\(violation.kind)] seed \(seed) line \(lineNumber): \(visible(line))\n    \(violation.detail)"
    if repeats > 0 { s += "\n    (\(repeats) more lines broke it" + (alsoOn.isEmpty ? ")" : "; the first on other commands:") }
    for (command, first) in alsoOn.sorted(by: { $0.value.number < $1.value.number }) {
      s += "\n      `\(command)` line \(first.number): \(visible(first.line))"
    }
    if let r = reproduction {
      s += "\n    reproduce from a fresh TestSession(data: \(freshSessionHasData)):"
      for l in r { s += "\n      " + visible(l) }
    }
    return s
  }
}

/// A line as Swift would write it in a string literal, so control characters show.
func visible(_ line: String) -> String {
  let shown = line.count > 160 ? String(line.prefix(120)) + "…(\(line.count) characters)" : line
  return "\"" + shown.unicodeScalars.map { $0.isASCII && $0.value >= 0x20 && $0 != "\\" && $0 != "\"" ? String($0) : $0.escaped(asASCII: true) }.joined() + "\""
}

/// The first word as `execute` reads it, lowercased for grouping; "?" for none.
func commandWord(_ line: String) -> String {
  (try? Words.split(line.trimmingCharacters(in: .whitespaces)))?.first.flatMap { Command.named($0)?.name ?? "unknown" } ?? "?"
}

struct FuzzReport: CustomStringConvertible {
  var seed: UInt64 = 0
  var lines = 0, succeeded = 0, rejected = 0, blank = 0, skipped = 0, rewritten = 0, sessions = 0, avoided = 0
  var seconds = 0.0, shrinkSeconds = 0.0
  var slowest = (seconds: 0.0, line: "")
  var errorsByCommand: [String: Int] = [:]
  var secondsByCommand: [String: Double] = [:]
  /// The slowest lines, with the model they ran on: where a long run's time goes.
  var slowLines: [(seconds: Double, line: String, model: String)] = []
  var successesByCommand: [String: Int] = [:]
  /// How deep the lines went: steps applied, windows opened, divergences caught, states loaded.
  var milestones: [String: Int] = [:]
  var findings: [FuzzFinding] = []
  /// What is worth a look but breaks no invariant: kind → (count, first line number, line, detail).
  var observations: [String: (count: Int, number: Int, line: String, detail: String)] = [:]

  var description: String {
    var s = "session fuzz, seed \(seed): \(lines) lines in \(String(format: "%.1f", seconds)) s "
      + "(\(String(format: "%.0f", Double(lines) / max(seconds - shrinkSeconds, 1e-9))) lines/s not counting "
      + "\(String(format: "%.1f", shrinkSeconds)) s of shrinking findings), \(sessions) sessions\n"
    s += "  \(succeeded) succeeded, \(rejected) errors seen, \(blank) blank or comments; \(rewritten) rewritten and \(skipped) skipped to stay cheap or inside the scratch folder\n"
    if avoided > 0 { s += "  \(avoided) of the skipped lines would have walked into a known crash (GASHELL_FUZZ_AVOID)\n" }
    s += "  successes by command: " + successesByCommand.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + "\n"
    s += "  milestones: " + milestones.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + "\n"
    s += "  errors by command: " + errorsByCommand.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + "\n"
    s += "  seconds by command: " + secondsByCommand.sorted { $0.value > $1.value }.prefix(8).map { "\($0.key) \(String(format: "%.1f", $0.value))" }.joined(separator: ", ") + "\n"
    for l in slowLines { s += "  slow: \(String(format: "%.2f", l.seconds)) s \(visible(l.line)) on \(l.model)\n" }
    s += "  slowest line \(String(format: "%.2f", slowest.seconds)) s: \(visible(slowest.line))\n"
    for (kind, o) in observations.sorted(by: { $0.key < $1.key }) {
      s += "  observation [\(kind)] \(o.count) lines, first line \(o.number): \(visible(o.line))\n    \(o.detail)\n"
    }
    s += findings.isEmpty ? "  findings: none" : "  findings: \(findings.count) kinds\n  " + findings.map(\.description).joined(separator: "\n  ")
    return s
  }
}

final class SessionFuzzer {
  let seed: UInt64
  let files: FuzzFiles
  private var generator: CommandLineGenerator
  private var t: TestSession
  private var sessionHasData = true
  /// Lines run since the current session began, as run (after rewriting).
  private var sessionLines: [String] = []
  /// What each file saved in this session holds: the state of the session when it was written.
  private var saved: SavedFiles = [:]
  /// The state after the last line run in this session, which is the state before the next.
  private var lastState: FuzzState?
  typealias SavedFiles = [String: (what: String, state: FuzzState)]
  /// Time given to shrinking findings, in all.
  var shrinkBudget = 60.0
  /// A line running longer than this is stopped, as Ctrl-C would, at the next micro-batch.
  var lineTimeLimit = 10.0
  /// Work a line may cost: samples × parameters × 3 (forward and backward), and micro-batches.
  var workLimit = 3e8
  var microBatchLimit = 4000
  /// The seconds a line may be expected to take, once the model's speed is measured.
  var secondsLimit = 0.4
  /// The current model's measured seconds per unit of work (samples × parameters × 3), from its last `backward`.
  private var speed: (model: ObjectIdentifier, secondsPerWork: Double)?
  /// Known crashes not to walk into again (GASHELL_FUZZ_AVOID=cursor-past-epoch), so a long run
  /// explores past them; off by default, so the fuzz still finds them.
  var avoid: Set<String> = []

  init(seed: UInt64, files: FuzzFiles) throws {
    self.seed = seed
    self.files = files
    generator = CommandLineGenerator(seed: seed, files: files)
    t = TestSession()
    try files.prepare()
  }

  // MARK: - Running

  func run(lines count: Int, progress: ((FuzzReport) -> Void)? = nil) throws -> FuzzReport {
    var report = FuzzReport(seed: seed)
    var findings: [String: Int] = [:]   // kind + command → index in report.findings
    let start = now()
    var shrinkUsed = 0.0
    var pending: [String] = []   // a session's prologue, still to run
    try newSession(&report, data: true)
    for n in 1...max(1, count) {
      if sessionLines.count > 2500 || (sessionLines.count > 50 && generator.chance(1.0 / 1500)) {
        try newSession(&report, data: generator.chance(0.75))
      }
      generator.session = t.session
      if sessionLines.isEmpty { pending = generator.prologue() }
      let generated = pending.isEmpty ? generator.next().line : pending.removeFirst()
      CrashNote.set("session fuzz crashed: seed \(seed) line \(n), while checking whether to run it: \(visible(generated))\n")
      guard let line = guarded(generated, &report) else { report.skipped += 1; continue }
      logLine(line)
      CrashNote.set("session fuzz crashed: seed \(seed) line \(n): \(visible(line)); this session's lines are in \(logPath)\n")
      let before = lastState ?? FuzzState(t)
      let outcome = execute(line, in: t)
      if outcome.error == nil, commandWord(line) == "backward", let tr = t.session.trainer, let train = t.session.train {
        let work = Double(min(t.session.settings.batch, train.count)) * Double(tr.model.parameterCount) * 3
        speed = (ObjectIdentifier(tr.model), max(outcome.seconds, 1e-6) / work)
      }
      sessionLines.append(line)
      report.lines += 1
      if outcome.seconds > report.slowest.seconds { report.slowest = (outcome.seconds, line) }
      report.secondsByCommand[commandWord(line), default: 0] += outcome.seconds
      if outcome.seconds > (report.slowLines.count < 5 ? 0 : report.slowLines.last!.seconds) {
        let model = t.session.trainer.map { "\($0.model.parameterCount) parameters, batch \(t.session.settings.batch), accumulate \(t.session.settings.accumulation.schedule), data \(t.session.train?.count ?? 0)" } ?? "no model"
        report.slowLines = Array((report.slowLines + [(outcome.seconds, line, model)]).sorted { $0.seconds > $1.seconds }.prefix(5))
      }
      if isBlank(line) { report.blank += 1 } else if outcome.error == nil {
        report.succeeded += 1
        report.successesByCommand[commandWord(line), default: 0] += 1
      } else {
        report.rejected += 1
        report.errorsByCommand[commandWord(line), default: 0] += 1
      }
      lastState = outcome.after
      note(line, before: before, outcome: outcome, in: &report)
      if outcome.error == nil, let shown = outcome.printed.replacingOccurrences(of: "nan.safetensors", with: "").split(whereSeparator: \.isNewline).first(where: { row in
        row.split(whereSeparator: { !$0.isLetter }).contains { ["nan", "inf"].contains($0.lowercased()) } }) {
        let o = report.observations["a success printed nan or inf", default: (0, n, line, String(shown))]
        report.observations["a success printed nan or inf"] = (o.count + 1, o.number, o.line, o.detail)
      }
      CrashNote.set("session fuzz crashed: seed \(seed) line \(n), while checking after it: \(visible(line))\n")
      for v in violations(line, before: before, outcome: outcome, in: t) + fileViolations(line, outcome: outcome, in: t, saved: &saved) {
        let key = v.kind
        if let i = findings[key] {
          report.findings[i].repeats += 1
          let command = commandWord(line)
          if command != commandWord(report.findings[i].line) && report.findings[i].alsoOn[command] == nil {
            report.findings[i].alsoOn[command] = (n, line)
          }
          continue
        }
        var finding = FuzzFinding(seed: seed, lineNumber: n, line: line, violation: v, freshSessionHasData: sessionHasData)
        if shrinkUsed < shrinkBudget {
          let t0 = now()
          finding.reproduction = shrink(sessionLines, kind: v.kind, data: sessionHasData, budget: shrinkBudget - shrinkUsed)
          shrinkUsed += now() - t0
          try files.prepare()
          try replayQuietly(sessionLines, data: sessionHasData)  // the session goes on where it was
        }
        findings[key] = report.findings.count
        report.findings.append(finding)
      }
      if t.session.wantsToQuit { try newSession(&report, data: generator.chance(0.75)) }
      if n % 10_000 == 0 { (report.seconds, report.shrinkSeconds) = (now() - start, shrinkUsed); progress?(report) }
    }
    CrashNote.set("")
    report.seconds = now() - start
    report.shrinkSeconds = shrinkUsed
    return report
  }

  /// The current session's lines, one JSON string a line after a header, kept beside the scratch
  /// folder: if the process crashes, `GASHELL_FUZZ_REPLAY=that-file` runs them again.
  var logPath: String { files.path + "-session.log" }
  private var log: FileHandle?

  private func logLine(_ line: String) {
    let line = line.replacingOccurrences(of: files.path, with: "$FUZZ")   // the scratch folder's path, on replay another
    guard let data = try? JSONSerialization.data(withJSONObject: [line], options: [.fragmentsAllowed]) else { return }
    log?.write(data.dropFirst().dropLast() + Data("\n".utf8))
  }

  private func newSession(_ report: inout FuzzReport, data: Bool) throws {
    try files.prepare()
    FileManager.default.createFile(atPath: logPath, contents: Data("# gashell session fuzz, seed \(seed): a fresh TestSession(data: \(data)), then these lines ($FUZZ: the scratch folder)\n".utf8))
    log = FileHandle(forWritingAtPath: logPath)
    _ = try? log?.seekToEnd()
    t = TestSession(data: data)
    sessionHasData = data
    sessionLines = []
    saved = [:]
    lastState = nil
    report.sessions += 1
  }

  func isBlank(_ line: String) -> Bool {
    let trimmed = line.trimmingCharacters(in: .whitespaces)
    return trimmed.isEmpty || trimmed.hasPrefix("#")
  }

  func execute(_ line: String, in t: TestSession) -> FuzzOutcome {
    var outcome = FuzzOutcome()
    let start = now(), limit = lineTimeLimit
    t.session.isInterrupted = { now() - start > limit }
    do { outcome.printed = try t.run(line) } catch {
      outcome.error = error
      outcome.printed = t.printed
    }
    outcome.seconds = now() - start
    outcome.after = FuzzState(t)
    return outcome
  }

  // MARK: - Staying cheap, and inside the scratch folder

  /// The line to run, or a cheaper one, or nil when it would write outside the scratch folder
  /// or cost more than the limits (a mutation can turn `train 1 steps` into `train 1000`).
  func guarded(_ line: String, _ report: inout FuzzReport) -> String? {
    let trimmed = line.trimmingCharacters(in: .whitespaces)
    guard trimmed.count <= Session.longestLine, let words = try? Words.split(trimmed), let first = words.first,
          let command = Command.named(first) else { return line }   // refused before it runs anything
    let s = t.session
    switch command.name {
    case "save":
      // Only the last word is ever written to; every name a `save` could take must be ours.
      let keywords = Set(["weights", "grads", "state", "plot", "loss", "test", "grad"] + Command.sessionRecords)
      let names = words.dropFirst().enumerated().filter { $0.offset == words.count - 2 || !keywords.contains($0.element) }
      return words.count < 3 || names.allSatisfy({ files.contains($0.element) }) ? line : nil
    case "model":
      let widths = words.dropFirst(2).compactMap { Int($0.replacingOccurrences(of: "_", with: "")) }.filter { $0 > 0 && $0 <= 8192 }
      let sizes = [784] + (widths.count == 1 ? widths + widths : widths) + [10]
      let parameters = zip(sizes, sizes.dropFirst()).reduce(0) { $0 + $1.0 * $1.1 + $1.1 }
      return parameters <= 200_000 ? line : nil
    case "train", "profile", "compare", "test", "forward", "backward":
      guard let trainer = s.trainer, let train = s.train, let test = s.test else { return line }
      // `load state` can put the cursor past the end of a smaller data set's epoch; the trainer
      // wraps it, but `forward`, `backward` and `compare` ask the loader for that batch first and trap.
      if avoid.contains("cursor-past-epoch"), ["forward", "backward", "compare"].contains(command.name),
         let loader = s.trainLoader, trainer.nextBatch >= loader.batchesPerEpoch {
        report.avoided += 1
        return nil
      }
      // Work is samples × parameters × 3; a convolution does far more per parameter than a Linear
      // layer, and once a `backward` of this model was timed, its measured speed is used instead.
      let measured = speed.flatMap { $0.model == ObjectIdentifier(trainer.model) ? $0.secondsPerWork : nil }
      let p = Double(trainer.model.parameterCount) * (measured == nil && trainer.model.layers.contains { $0 is Conv2d } ? 40 : 1)
      let workLimit = measured.map { secondsLimit / $0 } ?? workLimit
      let b = min(s.settings.batch, train.count), nb = (train.count + b - 1) / b
      let n = max(s.settings.wrap ?? 1, s.settings.accumulation.schedule.changes.map(\.factor).max() ?? 1)
      // Each epoch's test allocates a batch of the nominal size (60000 × 784 floats at batch 60000).
      // About 3 ns a float, in the units of the limit: the work's when measured, else nanoseconds.
      let perEpoch = Double(s.settings.batch) * 784 * 3 * (measured.map { 1e-9 / $0 } ?? 1)
      func cost(_ line: [String]) -> (work: Double, microBatches: Double) {
        let count = line.count > 1 ? Int(line[1].replacingOccurrences(of: "_", with: "")) ?? 1 : 1
        switch command.name {
        case "train" where line.count == 3:
          // A window counting samples (fastai) aims at N·B samples of the nominal batch B, however
          // few the data holds: with batch 60000 on 2 images one step takes 30,000 epochs.
          let perStep = s.settings.accumulation.countsSamples
            ? (Double(n) * Double(s.settings.batch) / (Double(train.count) / Double(nb))).rounded(.up) + 1 : Double(n + 1)
          let mbs = Double(max(1, count)) * perStep + perStep
          let epochs = mbs / Double(nb) + 1
          return ((mbs * Double(b) * 3 + epochs * Double(test.count)) * p + epochs * perEpoch, mbs)
        case "train":
          let epochs = Double(max(1, count)) + 1
          return ((epochs * Double(train.count) * 3 + epochs * Double(test.count)) * p + epochs * perEpoch, epochs * Double(nb))
        case "profile": return (Double(line.count > 1 ? count : 20) * Double(b) * 3 * p, Double(line.count > 1 ? count : 20))
        case "compare": return (Double(2 * min(n, nb) * b) * 3 * p, Double(2 * min(n, nb)))
        case "test": return (Double(test.count) * p, 0)
        default: return (Double(b) * 3 * p, 1)
        }
      }
      let c = cost(words)
      if c.work <= workLimit && c.microBatches <= Double(microBatchLimit) { return line }
      guard command.name == "train" else { return nil }
      let cheaper = cost(["train", "1", "steps"])
      guard cheaper.work <= workLimit && cheaper.microBatches <= Double(microBatchLimit) else { return nil }
      report.rewritten += 1
      return "train 1 steps"
    default:
      return line
    }
  }

  /// Counts what shows the fuzz reached deep states, not just error paths.
  private func note(_ line: String, before: FuzzState, outcome: FuzzOutcome, in report: inout FuzzReport) {
    let after: FuzzState = outcome.after
    let (b, a) = (before.counters, after.counters)
    func count(_ what: String) { report.milestones[what, default: 0] += 1 }
    if b.count == 6 && a.count == 6 {
      if a[5] > b[5] { count("steps applied") }
      if a[2] > 0 && a[4] > 1 && a[2] == a[4] { count("lines ending on a full window") }
      if a[0] > b[0] { count("epochs crossed") }
    }
    if let e = outcome.error as? ShellError, e.message.hasSuffix("starts again from good weights") { count("non-finite caught") }
    if outcome.error == nil {
      if outcome.printed.hasPrefix("training state loaded") { count("states loaded") }
      if outcome.printed.hasPrefix("weights of MLP") { count("weights loaded") }
      if outcome.printed.hasPrefix("wrapper: step()") { count("wrapper calls without update") }
      if outcome.printed.hasPrefix("FashionMNIST from") { count("data loaded") }
    }
  }

  /// A file `save` wrote loads back as it was: `load state` restores the counters, weights,
  /// gradients and optimizer buffers bit for bit, `load weights` the weights.
  func fileViolations(_ line: String, outcome: FuzzOutcome, in t: TestSession, saved: inout SavedFiles) -> [FuzzViolation] {
    guard outcome.error == nil, let words = try? Words.split(line.trimmingCharacters(in: .whitespaces)),
          words.count >= 3, let verb = words.first, verb == "save" || verb == "load" else { return [] }
    let path = Command.canonicalPath(words.last!)
    let now: FuzzState = outcome.after
    if verb == "save" {
      saved[path] = (words[1], now)
      return recordViolations(words[1], file: FileName.expanded(words.last!), in: t)
    }
    guard let (what, then) = saved[path], what == words[1], words[1] == "state" || words[1] == "weights" else { return [] }
    var found: [FuzzViolation] = []
    if now.weights != then.weights { found.append(FuzzViolation(kind: "loaded weights differ from the saved ones", detail: "\(words[1]) \(visible(words.last!))")) }
    if what == "state" {
      let optimizerState = { (s: FuzzState) in s.extra.first { $0.hasPrefix("state ") } ?? "" }
      if now.counters != then.counters || now.gradients != then.gradients || optimizerState(now) != optimizerState(then) {
        found.append(FuzzViolation(kind: "a loaded state differs from the saved one",
                                   detail: "saved \(then.counters) \(optimizerState(then)), loaded \(now.counters) \(optimizerState(now)), gradients equal \(now.gradients == then.gradients)"))
      }
    }
    return found
  }

  /// A saved notebook is JSON that Jupyter can read; a saved transcript reads back as the commands
  /// of the session, at the prompts they were typed at (but the `save` lines to that same file).
  func recordViolations(_ what: String, file: String, in t: TestSession) -> [FuzzViolation] {
    guard let data = FileManager.default.contents(atPath: file) else {
      return what == "notebook" || what == "transcript" ? [FuzzViolation(kind: "a saved record is not there", detail: file)] : []
    }
    switch what {
    case "notebook":
      guard let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any], json["cells"] is [Any] else {
        return [FuzzViolation(kind: "a saved notebook is not JSON", detail: "\(data.count) bytes in \(file)")]
      }
      return []
    case "transcript":
      let text = String(decoding: data, as: UTF8.self)
      let parsed = Transcript.parse(text)
      let typed = t.session.cells.dropLast().compactMap { cell -> (prompt: String, command: String)? in
        guard case .code(let prompt, let command, _, _) = cell else { return nil }
        if let saved = Command.fileSaved(by: command), Command.sameFile(saved, file) { return nil }
        return (prompt, command)
      }
      let read = parsed.entries.map { ($0.prompt, $0.command) }
      if !parsed.problems.isEmpty || read.count != typed.count || zip(read, typed).contains(where: { $0.0 != $1.0 || $0.1 != $1.1 }) {
        let k = Array(zip(read, typed)).firstIndex { $0.0 != $1.0 || $0.1 != $1.1 } ?? min(read.count, typed.count)
        let was = k < typed.count ? visible(typed[k].prompt + typed[k].command) : "nothing"
        let now = k < read.count ? visible(read[k].0 + read[k].1) : "nothing"
        return [FuzzViolation(kind: "a saved transcript does not read back as the session",
                              detail: "command \(k + 1) of \(typed.count) was \(was), reads back as \(now)"
                                + (parsed.problems.first.map { "; \($0)" } ?? ""))]
      }
      return []
    default:
      return []
    }
  }

  // MARK: - The invariants

  /// What `line` broke, given the state before it and what it did.
  func violations(_ line: String, before: FuzzState, outcome: FuzzOutcome, in t: TestSession) -> [FuzzViolation] {
    var found: [FuzzViolation] = []
    func fail(_ kind: String, _ detail: String) { found.append(FuzzViolation(kind: kind, detail: detail)) }
    let s = t.session
    let after: FuzzState = outcome.after
    let command = commandWord(line)
    let words = (try? Words.split(line.trimmingCharacters(in: .whitespaces))) ?? []

    // One ShellError of one line, or a success that printed something (nothing for a blank line).
    if let error = outcome.error {
      if let e = error as? ShellError {
        let text = e.description
        if !text.hasPrefix("error: ") { fail("error not prefixed", "description \(visible(text))") }
        if e.message.trimmingCharacters(in: .whitespaces).isEmpty { fail("empty error message", "description \(visible(text))") }
        if text.contains(where: \.isNewline) { fail("error of several lines", "description \(visible(text))") }
      } else {
        fail("not a ShellError", "\(type(of: error)): \(visible("\(error)"))")
      }
    } else if isBlank(line) {
      if !outcome.printed.isEmpty { fail("blank line printed", visible(outcome.printed)) }
      if after != before { fail("blank line changed the session", "before \(before.snapshot)\n    after  \(after.snapshot)") }
    } else if outcome.printed.isEmpty && !["pause", "clear", "quit"].contains(command) {
      fail("success printed nothing", "")
    }

    // The prompt's window counters are the accumulator's.
    if let tr = s.trainer {
      let a = tr.accumulator
      let expected = a.microBatches > 0 ? "ga \(a.microBatches)/\(a.plannedMicroBatches)> " : "ga> "
      if s.prompt != expected { fail("prompt disagrees with the accumulator", "prompt \(visible(s.prompt)), accumulator \(a.microBatches)/\(a.plannedMicroBatches)") }
      let consistent = a.microBatches > 0
        ? a.samples >= a.microBatches && a.plannedMicroBatches >= 1 && a.plannedSamples >= 1 && a.plannedFactor >= 1
        : a.samples == 0 && a.plannedMicroBatches == 0 && a.plannedSamples == 0 && a.plannedFactor == 0
      if !consistent || a.microBatches < 0 || a.steps < 0 || tr.epoch < 0 || tr.nextBatch < 0 {
        fail("accumulator counters inconsistent", "counters \(after.counters), planned samples \(a.plannedSamples), factor \(a.plannedFactor)")
      }
      // Weights, and what the optimizer will add to them, stay finite.
      if let i = tr.model.parameters.values.firstNonFinite {
        fail("non-finite weights", "weight \(i) is \(tr.model.parameters.values[i]) after \(visible(line))")
      }
      for (name, tensor) in tr.optimizer.state {
        if let i = tensor.firstNonFinite { fail("non-finite optimizer state", "\(name)[\(i)] is \(tensor[i])") }
      }
    } else if s.prompt != "ga> " {
      fail("prompt disagrees with the accumulator", "no model, prompt \(visible(s.prompt))")
    }

    let gradientsZero = s.trainer.map { $0.model.parameters.grads.buffer.allSatisfy { $0 == 0 } } ?? true
    let windowClosed = s.trainer.map { !$0.accumulator.isWindowOpen } ?? true
    guard let error = outcome.error else {
      guard !isBlank(line) else { return found }
      let (b, a) = (before.counters, after.counters)
      switch command {
      case "step" where a.count == 6 && b.count == 6 && a[5] == b[5] + 1:
        if s.settings.autozero && !gradientsZero { fail("gradients not zero after a step", "autozero on, step applied: \(outcome.printed.prefix(80))") }
        if !windowClosed { fail("window open after a step", "counters \(a)") }
      case "step" where a.count == 6 && b.count == 6:
        if after.weights != before.weights { fail("weights changed by a step that did not apply", "counters \(b) → \(a)") }
        // Only Run:AI's wrapper takes a step() call without stepping, and only before its Nth call.
        if !outcome.printed.hasPrefix("wrapper: ") || (s.settings.wrap ?? 0) <= b[2] {
          fail("a step neither applied nor was a wrapper's call", "wrap \(String(describing: s.settings.wrap)), counters \(b) → \(a): \(visible(String(outcome.printed.prefix(120))))")
        }
      case "zero":
        if !gradientsZero || !windowClosed { fail("gradients left after zero", "counters \(a)") }
        if after.weights != before.weights { fail("zero changed the weights", "") }
      case "backward":
        if a.count == 6 && b.count == 6 {
          if a[2] != b[2] + 1 { fail("backward did not add one micro-batch", "counters \(b) → \(a)") }
          if b[2] > 0 && a[4] != b[4] { fail("backward re-planned an open window", "counters \(b) → \(a)") }
          if a[5] != b[5] { fail("backward stepped", "counters \(b) → \(a)") }
          // The cursor moves on by one batch, into the next epoch after the last.
          if let nb = s.trainLoader?.batchesPerEpoch, b[1] < nb {
            let expected = b[1] + 1 == nb ? [b[0] + 1, 0] : [b[0], b[1] + 1]
            if [a[0], a[1]] != expected { fail("backward moved the cursor elsewhere", "\(nb) batches an epoch, counters \(b) → \(a)") }
          }
        }
        if after.weights != before.weights { fail("backward changed the weights", "") }
      case "train" where a.count == 6 && b.count == 6 && outcome.seconds < lineTimeLimit && words.count >= 2:
        let n = Int(words[1].replacingOccurrences(of: "_", with: "")) ?? 0
        if words.count == 3 {
          if a[5] != b[5] + n { fail("train N steps took another number of steps", "\(n) steps asked, counters \(b) → \(a)") }
        } else if b[1] < (s.trainLoader?.batchesPerEpoch ?? 0) {
          let epochs = s.settings.quick ? min(n, Command.quickEpochs) : n
          if a[0] != b[0] + epochs || a[1] != 0 { fail("train E ended elsewhere than E epochs on", "\(epochs) epochs asked, counters \(b) → \(a)") }
        }
      case "set":
        if after.weights != before.weights || after.gradients != before.gradients { fail("set changed weights or gradients", "") }
      case "model", "reset":
        if !gradientsZero || !windowClosed || a.count != 6 || a[0] != 0 || a[1] != 0 || a[5] != 0 {
          fail("a fresh model is not fresh", "counters \(a), gradients zero \(gradientsZero)")
        }
      case "load" where words.dropFirst().first == "weights":
        if !gradientsZero || !windowClosed { fail("loaded weights kept gradients", "counters \(a)") }
      case "compare" where s.settings.accumulation.normalization == .samples && s.trainer.map({ !$0.model.batchNorm && $0.model.dropout == 0 }) == true
        && !(s.settings.clipping?.perMicroBatch ?? false) && outcome.printed.contains("NOT the same gradient"):
        // Weighting each micro-batch by its samples makes the accumulated gradient the large batch's exactly.
        fail("compare: accumulation with normalize samples is not exact", visible(String(outcome.printed.suffix(200))))
        fallthrough
      case "show", "plot", "help", "runs", "compare", "profile", "forward", "pause", "clear", "save":
        // Looking (and writing files) changes nothing; `compare` and `profile` work on copies.
        if after != before {
          fail("`\(command)` changed the session", "before \(before.snapshot)\n      \(before.extra)\n    after  \(after.snapshot)\n      \(after.extra)")
        }
      default: break
      }
      return found
    }

    // A rejected command changes nothing, except that a NaN or an infinity drops the open window
    // (and `train` keeps the epoch so far): then the gradients are zero and the weights finite.
    let message = (error as? ShellError)?.message ?? ""
    if message.hasSuffix("`reset` (or `load weights`) starts again from good weights") {
      if !gradientsZero || !windowClosed { fail("non-finite error left a window", "counters \(after.counters), gradients zero \(gradientsZero)") }
      if command != "train" && after.weights != before.weights { fail("non-finite error changed the weights", visible(message)) }
    } else {
      if after != before {
        fail("rejected command changed the session",
             "\(visible(message))\n    before \(before.snapshot)\n      \(before.extra)\n    after  \(after.snapshot)\n      \(after.extra)")
      }
      if !outcome.printed.isEmpty { fail("rejected command printed", visible(String(outcome.printed.prefix(200)))) }
    }
    return found
  }

  // MARK: - Replaying a log

  /// The session a log holds: whether it starts with data, and its lines.
  static func readLog(_ path: String) throws -> (data: Bool, lines: [String]) {
    let text = try String(contentsOfFile: path, encoding: .utf8)
    var lines: [String] = [], data = true
    for row in text.split(separator: "\n", omittingEmptySubsequences: false) where !row.isEmpty {
      if row.hasPrefix("#") { data = row.contains("data: true"); continue }
      if let s = try JSONSerialization.jsonObject(with: Data(("[" + row + "]").utf8)) as? [String], let line = s.first { lines.append(line) }
    }
    return (data, lines)
  }

  /// Runs a log's lines in a fresh session, printing each line, what it printed and what it broke.
  func replayLog(_ path: String) throws -> [FuzzViolation] {
    let (data, logged) = try Self.readLog(path)
    let lines = logged.map { $0.replacingOccurrences(of: "$FUZZ", with: files.path) }
    try files.prepare()
    let r = TestSession(data: data)
    var all: [FuzzViolation] = [], saved: SavedFiles = [:]
    for (i, line) in lines.enumerated() {
      print("ga[\(i + 1)]> \(visible(line))")
      let before = FuzzState(r)
      let outcome = execute(line, in: r)
      print(outcome.printed + (outcome.error.map { "\($0)\n" } ?? ""), terminator: "")
      let broken = violations(line, before: before, outcome: outcome, in: r) + fileViolations(line, outcome: outcome, in: r, saved: &saved)
      for v in broken { print("  !! [\(v.kind)] \(v.detail)") }
      all += broken
    }
    return all
  }

  // MARK: - Shrinking

  /// Runs `lines` in a fresh session on fresh files; the violations of the last line.
  func replay(_ lines: [String], data: Bool) -> Set<String> {
    try? files.prepare()
    let r = TestSession(data: data)
    var kinds: Set<String> = [], saved: SavedFiles = [:]
    for (i, line) in lines.enumerated() {
      let before = FuzzState(r)
      let outcome = execute(line, in: r)
      let found = fileViolations(line, outcome: outcome, in: r, saved: &saved)
      if i == lines.count - 1 { kinds = Set((violations(line, before: before, outcome: outcome, in: r) + found).map(\.kind)) }
      if r.session.wantsToQuit && i < lines.count - 1 { return [] }
    }
    return kinds
  }

  private func replayQuietly(_ lines: [String], data: Bool) throws {
    t = TestSession(data: data)
    saved = [:]
    lastState = nil
    for line in lines { _ = fileViolations(line, outcome: execute(line, in: t), in: t, saved: &saved) }
  }

  /// The shortest sequence found (removing chunks, then single lines) whose last line still breaks `kind`.
  func shrink(_ lines: [String], kind: String, data: Bool, budget: Double) -> [String]? {
    let start = now()
    guard let last = lines.last else { return nil }
    func shows(_ prefix: [String]) -> Bool { replay(prefix + [last], data: data).contains(kind) }
    // The shortest tail that shows it first (most findings need few lines before them), then chunks out of that.
    let all = Array(lines.dropLast())
    guard var prefix = ([0, 1, 3, 10, 30, 100, 300].filter { $0 < all.count } + [all.count])
      .lazy.map({ Array(all.suffix($0)) }).first(where: shows) else { return nil }
    var chunk = max(1, prefix.count / 2)
    while chunk >= 1 && now() - start < budget {
      var i = 0, removed = false
      while i < prefix.count && now() - start < budget {
        var candidate = prefix
        candidate.removeSubrange(i..<min(prefix.count, i + chunk))
        if shows(candidate) { prefix = candidate; removed = true } else { i += chunk }
      }
      if !removed { chunk /= 2 }
    }
    return prefix + [last]
  }
}
