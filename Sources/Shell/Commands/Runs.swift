// Runs.swift — `runs`: every run's test results side by side per epoch, as the
// tutorial compares batch 64 with batch 16 × 4.

extension Command {
  static let runs: Command = Command(
    name: "runs", arguments: "[all]", summary: "Finished runs side by side per epoch: accuracy, avg loss, time",
    details: """
      A run starts at the first `train` after `model`, `reset` or `load weights`.
      runs        the last \(runsShown) runs and their last \(epochsShown) epochs: a screenful
      runs all    every run and every epoch
      """,
    complete: { words, _ in words.isEmpty ? .words(["all"]) : .words([]) },
    run: { session, arguments in
      guard arguments.isEmpty || arguments == ["all"] else {
        throw UsageError("unexpected '\(arguments[0])'" + suggestion(arguments[0], among: ["all"]))
      }
      let finished = session.runs.filter { !$0.epochs.isEmpty }
      guard !finished.isEmpty else {
        guard let line = underWay(session) else { throw ShellError("no finished epoch yet — `train 1` makes one") }
        session.say(line)
        return
      }
      let all = arguments == ["all"]
      let runs = all ? finished[...] : finished.suffix(runsShown)
      if runs.count < finished.count {
        session.say("(runs 1–\(runs.first!.number - 1) not shown: `runs all` shows every run)")
      }
      for r in runs {
        let steps = r.epochs.reduce(0) { $0 + $1.steps }
        session.say("run \(r.number): \(r.label) — \(counted(r.epochs.count, "epoch")), \(counted(steps, "step"))")
      }
      // Two header lines: run numbers, then the columns under each.
      let column = 27
      func trimmed(_ s: String) -> String { s.replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression) }
      func cell(_ acc: String, _ loss: String, _ time: String) -> String {
        pad(pad(acc, 6, left: true) + "  " + pad(loss, 8, left: true) + "  " + pad(time, 6, left: true), column)
      }
      session.say(trimmed(pad("", 7) + runs.map { pad("    run \($0.number)", column) }.joined()))
      session.say(trimmed(pad("epoch", 7) + runs.map { _ in cell("acc", "avg loss", "time") }.joined()))
      let every = Set(runs.flatMap { $0.epochs.map(\.epoch) }).sorted()
      let epochs = all ? every[...] : every.suffix(epochsShown)
      if epochs.count < every.count {
        session.say("(epochs \(every.first!)–\(every[every.count - epochs.count - 1]) not shown: `runs all` shows every epoch)")
      }
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
      if let line = underWay(session) { session.say(line) }
    })

  /// A run's epoch cut short (`train N steps`, Ctrl-C) has no row until it ends and is tested.
  private static func underWay(_ session: Session) -> String? {
    guard let r = session.runs.last, r.isOpen, let u = r.unfinished else { return nil }
    return "run \(r.number): \(r.label) — epoch \(u.epoch + 1) under way, \(counted(u.steps, "step")) and "
      + "\(grouped(u.samples)) samples so far; its row comes when the epoch ends and is tested (`train 1` finishes it)"
  }

  /// What `runs` shows without `all`: a screenful, however long the session trained.
  static let runsShown = 8, epochsShown = 30
}

import Foundation
