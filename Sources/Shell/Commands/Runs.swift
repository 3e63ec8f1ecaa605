// Runs.swift — `runs`: every run's test results side by side per epoch, as the
// tutorial compares batch 64 with batch 16 × 4.

extension Command {
  static let runs: Command = Command(
    name: "runs", summary: "Finished runs side by side per epoch: accuracy, avg loss, time",
    details: "A run starts at the first `train` after `model`, `reset` or `load weights`.",
    run: { session, arguments in
      guard arguments.isEmpty else { throw Command.runs.usageError("runs takes no argument") }
      let runs = session.runs.filter { !$0.epochs.isEmpty }
      guard !runs.isEmpty else { throw ShellError("no finished epoch yet — `train 1` makes one") }
      for r in runs {
        let steps = r.epochs.reduce(0) { $0 + $1.steps }
        session.say("run \(r.number): \(r.label) — \(r.epochs.count) epoch\(r.epochs.count == 1 ? "" : "s"), \(grouped(steps)) steps")
      }
      let column = 25
      session.say(pad("epoch", 7) + runs.map { pad("run \($0.number): acc  avg loss  time", column) }.joined())
      let epochs = Set(runs.flatMap { $0.epochs.map(\.epoch) }).sorted()
      for epoch in epochs {
        var line = pad(String(epoch), 5, left: true) + "  "
        for r in runs {
          if let e = r.epochs.last(where: { $0.epoch == epoch }) {
            line += pad(pad(fixed(100 * e.accuracy, 1) + "%", 6, left: true) + "  " + fixed(e.averageLoss, 6) + "  "
              + fixed(e.seconds, 1) + "s", column)
          } else {
            line += pad("", column)
          }
        }
        session.say(line.replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression))
      }
    })
}

import Foundation
