// Runs.swift — `runs`: every run's test results side by side per epoch, as the
// tutorial compares batch 64 with batch 16 × 4.

extension Command {
  static let runs: Command = Command(
    name: "runs", summary: "Finished runs side by side per epoch: accuracy, avg loss, time",
    details: "A run starts at the first `train` after `model`, `reset` or `load weights`.",
    run: { session, arguments in
      try noArguments(arguments)
      let runs = session.runs.filter { !$0.epochs.isEmpty }
      guard !runs.isEmpty else { throw ShellError("no finished epoch yet — `train 1` makes one") }
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
      let epochs = Set(runs.flatMap { $0.epochs.map(\.epoch) }).sorted()
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
    })
}

import Foundation
