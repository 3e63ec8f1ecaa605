// Runs.swift — `runs`: every run's test results side by side per epoch, as the
// tutorial compares batch 64 with batch 16 × 4.

extension Command {
  static let runs: Command = Command(
    name: "runs", arguments: "[all | RUN …]", summary: "Finished runs side by side per epoch: accuracy, avg loss, time",
    details: """
      A run starts at the first `train` after `model`, `reset` or `load weights`.
      runs        the last \(runsShown) runs and their last \(epochsShown) epochs: a screenful
      runs 1 3 4  only those runs, side by side
      runs all    every run and every epoch
      More than \(runsPerBlock) runs are shown \(runsPerBlock) at a time, one table under the other.
      """,
    complete: { words, _ in words.isEmpty ? .words(["all"]) : .words([]) },
    run: { session, arguments in
      let finished = session.runs.filter { !$0.epochs.isEmpty }
      let all = arguments == ["all"]
      let chosen = try all ? [] : selection(arguments, finished: finished)
      guard !finished.isEmpty else {
        guard let line = underWay(session) else { throw ShellError("no finished epoch yet — `train 1` makes one") }
        session.say(line)
        return
      }
      let runs = all ? finished[...] : !chosen.isEmpty ? chosen[...] : finished.suffix(runsShown)
      if chosen.isEmpty && runs.count < finished.count {
        session.say("(runs 1–\(runs.first!.number - 1) not shown: `runs all` shows every run)")
      }
      for r in runs {
        let steps = r.epochs.reduce(0) { $0 + $1.steps }
        session.say("run \(r.number): \(r.label) — \(counted(r.epochs.count, "epoch")), \(counted(steps, "step"))")
      }
      let every = Set(runs.flatMap { $0.epochs.map(\.epoch) }).sorted()
      let epochs = all ? every[...] : every.suffix(epochsShown)
      if epochs.count < every.count {
        session.say("(epochs \(every.first!)–\(every[every.count - epochs.count - 1]) not shown: `runs all` shows every epoch)")
      }
      // A table wider than a terminal wraps into nonsense: at most `runsPerBlock` runs side by side.
      let blocks = stride(from: runs.startIndex, to: runs.endIndex, by: runsPerBlock).map {
        Array(runs[$0..<min($0 + runsPerBlock, runs.endIndex)])
      }
      for (b, block) in blocks.enumerated() {
        if b > 0 { session.say("") }
        table(session, block, epochs: Array(epochs))
      }
      if chosen.isEmpty, let line = underWay(session) { session.say(line) }
    })

  /// `runs 1 3 4`: those finished runs, in the order typed.
  private static func selection(_ arguments: [String], finished: [Run]) throws -> [Run] {
    try arguments.map { word in
      guard let n = Int(word), n > 0 else {
        if word == "all" { throw UsageError("`all` comes alone: `runs all`, or run numbers such as `runs 1 3`") }
        let close = suggestion(word, among: ["all"])
        throw UsageError("unexpected '\(word)'" + (close.isEmpty ? " — `runs all`, or run numbers such as `runs 1 3`" : close))
      }
      guard let r = finished.first(where: { $0.number == n }) else {
        let numbers = finished.map { String($0.number) }
        throw ShellError("no finished run \(n)" + (numbers.isEmpty ? " — `train 1` makes one"
          : " — the finished runs are " + numbers.joined(separator: ", ")))
      }
      return r
    }
  }

  /// Two header lines (run numbers, then the columns under each) and a row per epoch.
  private static func table(_ session: Session, _ runs: [Run], epochs: [Int]) {
    let column = 27
    func trimmed(_ s: String) -> String { s.replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression) }
    func cell(_ acc: String, _ loss: String, _ time: String) -> String {
      pad(pad(acc, 6, left: true) + "  " + pad(loss, 8, left: true) + "  " + pad(time, 6, left: true), column)
    }
    session.say(trimmed(pad("", 7) + runs.map { pad("    run \($0.number)", column) }.joined()))
    session.say(trimmed(pad("epoch", 7) + runs.map { _ in cell("acc", "avg loss", "time") }.joined()))
    for epoch in epochs {
      var line = pad(String(epoch), 5, left: true) + "  "
      for r in runs {
        if let e = r.epochs.last(where: { $0.epoch == epoch }) {
          line += cell(fixed(100 * e.accuracy, 1) + "%", fixed(e.averageLoss, 6), fixed(e.seconds, 1) + "s")
        } else {
          line += pad("", column)
        }
      }
      session.say(trimmed(line))
    }
  }

  /// A run's epoch cut short (`train N steps`, Ctrl-C) has no row until it ends and is tested.
  private static func underWay(_ session: Session) -> String? {
    guard let r = session.runs.last, r.isOpen, let u = r.unfinished else { return nil }
    return "run \(r.number): \(r.label) — epoch \(u.epoch + 1) under way, \(counted(u.steps, "step")) and "
      + "\(grouped(u.samples)) samples so far; its row comes when the epoch ends and is tested (`train 1` finishes it)"
  }

  /// What `runs` shows without `all`: a screenful, however long the session trained.
  static let runsShown = 8, epochsShown = 30
  /// Runs side by side in one table: 7 + 4 × 27 = 115 columns.
  static let runsPerBlock = 4
}

import Foundation
