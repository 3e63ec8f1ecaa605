// PlotCommand.swift — `plot loss|test|grad`: the runs and the gradient history drawn in the
// terminal, and `save plot loss|test|grad FILE.svg` (dispatched from `save`): the same plots as SVG.

import Foundation

extension Command {
  static let plotTopics = ["loss", "test", "grad", "lr"]

  static let plot: Command = Command(
    name: "plot", arguments: "loss|test|grad [LAST]|lr",
    summary: "Draw the loss per step, test results per epoch, ‖g‖ after each backward/step/zero, or the lr per step",
    details: """
      plot loss      training loss per optimizer step of every run, overlaid: batch 64 and
                     batch 16 × 4 take the same steps, so their curves should lie on each other
      plot test      test loss and accuracy after every epoch, every run
      plot grad      ‖g‖ after each backward, step and zero: it climbs while gradients add up
                     and drops to 0 when they are zeroed — the saw-tooth of accumulation
      plot grad 40   only the last 40 of those events
      plot lr        the learning rate each optimizer step used, every run (`set scheduler`)
      save plot loss loss.svg   the same plot as an SVG file
      Each run's curve is marked with its run number; the legend names its settings.
      """,
    complete: { words, _ in words.isEmpty ? .words(plotTopics) : .words([]) },
    run: { session, arguments in
      guard let topic = arguments.first, arguments.count <= 2 else {
        throw UsageError(arguments.isEmpty ? "plot what?" : "too many arguments")
      }
      var last: Int?
      if arguments.count == 2 {
        guard topic == "grad" else { throw UsageError("`plot \(topic)` takes no number") }
        last = try integer(arguments[1], "the number of events", in: 1...History.limit)
      }
      let plots = try makePlots(topic, session, last: last)
      // Wide enough for tick labels and a legend; beyond 160 columns a plot gets no easier to read.
      let width = min(max(session.terminalWidth, 40), 160)
      var text = ""
      for (i, p) in plots.enumerated() {
        if i > 0 { text += "\n" }
        let lines = TerminalPlot(p, width: width, rows: plots.count > 1 ? 8 : 12, colour: session.showsProgress).lines
        for line in lines { text += line + "\n" }
      }
      session.show(Display(text: text, svg: SVGPlot(plots).text))
      if topic == "grad" {
        session.say(gradientCounts(session.history, last: last))
        session.say("each backward adds to ‖g‖; step and zero bring it back to 0")
      }
    })

  /// The plots behind `plot TOPIC` and `save plot TOPIC FILE`, or why there is nothing to draw.
  static func makePlots(_ topic: String, _ session: Session, last: Int?) throws -> [Plot] {
    switch topic {
    case "loss":
      let runs = session.runs.filter { !$0.stepLosses.isEmpty }
      guard !runs.isEmpty else {
        throw ShellError("no loss to plot yet — `train 1` records the loss of every optimizer step"
          + " (`backward` and `step` by hand are not a run: `plot grad` shows them)")
      }
      let series = runs.map { r in
        Plot.Series(name: "run \(r.number): \(r.label)",
                    points: r.stepLosses.enumerated().map { Plot.Point(Double($0 + 1), Double($1)) },
                    marker: runMarker(r.number))
      }
      return [Plot(title: "training loss per optimizer step", xLabel: "optimizer step",
                   yLabel: "loss (mean of the step's micro-batches)", series: series, crowding: .mean)]
    case "test":
      let runs = session.runs.filter { !$0.epochs.isEmpty }
      guard !runs.isEmpty else { throw ShellError("no finished epoch yet — `train 1` tests after every epoch") }
      func perEpoch(_ value: (Run.Epoch) -> Double) -> [Plot.Series] {
        runs.map { r in
          Plot.Series(name: "run \(r.number): \(r.label)",
                      points: r.epochs.map { Plot.Point(Double($0.epoch), value($0)) }, marker: runMarker(r.number))
        }
      }
      return [Plot(title: "test loss after each epoch", xLabel: "epoch", yLabel: "avg loss",
                   series: perEpoch(\.averageLoss)),
              Plot(title: "test accuracy after each epoch", xLabel: "epoch", yLabel: "accuracy %",
                   series: perEpoch { 100 * $0.accuracy })]
    case "grad":
      let events = session.history.gradientNorms
      guard !events.isEmpty else { throw ShellError("no gradient yet — run `backward` (or `train`) first") }
      let first = events.count - min(last ?? events.count, events.count)
      let points = (first..<events.count).map { Plot.Point(Double($0 + 1), Double(events[$0].norm)) }
      let series = Plot.Series(name: "‖g‖ of all parameters together", points: points, marker: "•")
      return [Plot(title: "gradient norm ‖g‖ after every backward, step and zero", xLabel: "event",
                   yLabel: "‖g‖", series: [series])]
    case "lr":
      let runs = session.runs.filter { !$0.stepRates.isEmpty }
      guard !runs.isEmpty else { throw ShellError("no optimizer step in a run yet — `train 1` records the lr of every step") }
      let series = runs.map { r in
        Plot.Series(name: "run \(r.number): \(r.label)",
                    points: r.stepRates.enumerated().map { Plot.Point(Double($0 + 1), Double($1)) },
                    marker: runMarker(r.number))
      }
      return [Plot(title: "learning rate of each optimizer step", xLabel: "optimizer step", yLabel: "lr",
                   series: series)]
    default:
      throw ShellError("cannot plot '\(topic)'" + suggestion(topic, among: plotTopics) + " — loss, test, grad or lr")
    }
  }

  /// Run 3's curve is marked 3 (runs 10 and on get letters), so the plot and `runs` agree.
  private static func runMarker(_ number: Int) -> Character {
    number < 10 ? Character(String(number)) : Array("abcdefghijklmnopqrstuvwxyz")[(number - 10) % 26]
  }

  /// "48 events: 38 backward, 10 step, 0 zero".
  private static func gradientCounts(_ history: History, last: Int?) -> String {
    let events = history.gradientNorms.suffix(last ?? history.gradientNorms.count)
    let counts = ["backward", "step", "zero"].map { kind in "\(grouped(events.filter { $0.event.rawValue == kind }.count)) \(kind)" }
    // Past a few hundred events the saw-tooth is a solid band; the last few windows show its teeth.
    return "\(grouped(events.count)) events: " + counts.joined(separator: ", ")
      + (events.count > 200 ? " (`plot grad 40` shows the last 40)" : "")
  }

  /// `save plot loss|test|grad FILE.svg`: the plot `plot TOPIC` draws, as a standalone SVG.
  static func savePlot(_ session: Session, _ words: [String]) throws {
    guard words.count == 2 else {
      if let only = words.first, only.lowercased().hasSuffix(".svg") {
        throw ShellError("which plot? `save plot loss|test|grad \(only)`")
      }
      throw UsageError(words.isEmpty ? "save which plot?" : "save plot takes a plot and a file")
    }
    let (topic, name) = (words[0], try FileName(words[1]))
    let file = name.typed
    guard plotTopics.contains(topic) else {
      throw ShellError("cannot plot '\(topic)'" + suggestion(topic, among: plotTopics) + " — loss, test or grad")
    }
    guard file.lowercased().hasSuffix(".svg") else {
      throw ShellError("plots are saved as SVG: the file name must end in .svg, e.g. `save plot \(topic) \(topic).svg`")
    }
    let plots = try makePlots(topic, session, last: nil)
    try writeAtomically(SVGPlot(plots).text, to: name.path, shownAs: file)
    let panels = plots.count == 1 ? "" : "\(plots.count) panels, "
    session.say("`plot \(topic)` written to \(file) (SVG, \(panels)\(plots[0].series.count) series)")
  }
}
