// Save.swift — `save weights FILE` and `save grads FILE`: safetensors with
// PyTorch's names, written atomically (a temporary file, then a rename). The other
// things `save` writes have their own files: SaveRecords.swift (notebook, transcript),
// PlotCommand.swift (plot) and TrainingState.swift (state).

import Engine
import Foundation

extension Command {
  static let save: Command = Command(
    name: "save", arguments: "weights|grads|state|notebook|transcript|plot … FILE",
    summary: "Write weights, gradients or a training state (safetensors), a plot (SVG), or the session as a notebook or transcript",
    details: """
      save weights run1.safetensors   loads in PyTorch: model.linear_relu_stack.load_state_dict(load_file(…))
      save grads g.safetensors        what `show grad` shows, for inspection elsewhere
      save state run1.state           weights, gradients, optimizer state and the open window: `load state` goes on
      save notebook lesson.ipynb      the session so far as a Jupyter notebook (this line left out)
      save transcript session.txt     the session so far as a transcript: `gashell --check` replays it
      save plot loss loss.svg         what `plot loss` draws, as an SVG file (also `plot test`, `plot grad`)
      """,
    complete: { words, _ in
      if words.first == "plot" { return words.count == 1 ? .words(plotTopics) : words.count == 2 ? .files : .words([]) }
      return words.isEmpty ? .words(["weights", "grads", "state", "plot"] + sessionRecords) : words.count == 1 ? .files : .words([])
    },
    run: { session, arguments in
      if let what = arguments.first, sessionRecords.contains(what) { return try saveSession(session, arguments) }
      if arguments.first == "plot" { return try savePlot(session, Array(arguments.dropFirst())) }
      if arguments.first == "state" { return try saveState(session, Array(arguments.dropFirst())) }
      guard arguments.count == 2, ["weights", "grads"].contains(arguments[0]) else {
        throw UsageError(arguments.first.map { ["weights", "grads"].contains($0) ? (arguments.count < 2 ? "give a file name" : "one file name — put a name with spaces in quotes") : "cannot save '\($0)'" + suggestion($0, among: ["weights", "grads", "state", "plot"] + sessionRecords) } ?? "save what?")
      }
      let t = try session.requireTrainer()
      let file = try FileName(arguments[1])
      if arguments[0] == "weights" {
        try Checkpoint.saveWeights(t.model, to: file.path)
      } else {
        try Checkpoint.saveGradients(t.model, to: file.path)
      }
      let what = arguments[0] == "weights" ? "weights" : "gradients"
      session.say("\(what) of \(t.model.parameters.parameters.count) tensors (\(grouped(t.model.parameterCount)) floats) written to \(arguments[1])")
    })
}
