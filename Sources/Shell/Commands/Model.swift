// Model.swift — `model mlp 512`: the tutorial's network, fresh from the seed.

import Engine

extension Command {
  static let model: Command = Command(
    name: "model", arguments: "mlp WIDTH [WIDTH …] [batchnorm] [dropout P]",
    summary: "Make a fresh MLP from the seed (784 inputs, 10 classes)",
    details: """
      model mlp 512        the tutorial's 784 → 512 → 512 → 10 (two hidden layers of 512)
      model mlp 256 128    hidden layers of 256 and 128
      model mlp 512 batchnorm     BatchNorm1d after each hidden Linear (statistics per micro-batch)
      model mlp 512 dropout 0.2   Dropout(0.2) after each hidden ReLU
      Weights are uniform in ±1/√fan_in, as PyTorch's nn.Linear; `set seed` changes them.
      """,
    complete: { words, _ in
      words.isEmpty ? .words(["mlp"]) : words.last == "dropout" ? .words(["0.2", "0.5"])
        : .words(["512", "256", "128", "batchnorm", "dropout"])
    },
    run: { session, arguments in
      guard arguments.first == "mlp" else {
        throw UsageError(arguments.isEmpty ? "model what?" : "unknown model '\(arguments[0])'"
          + suggestion(arguments[0], among: ["mlp"]))
      }
      var a = Session.Architecture(hidden: [])
      var words = Array(arguments.dropFirst())[...]
      while let word = words.popFirst() {
        switch word {
        case "batchnorm":
          guard !a.batchNorm else { throw ShellError("batchnorm is given twice — once puts it after every hidden layer") }
          a.batchNorm = true
        case "dropout":
          guard a.dropout == 0 else { throw ShellError("dropout is given twice — one probability applies to every hidden layer") }
          guard let p = words.popFirst() else { throw ShellError("dropout needs a probability, e.g. `dropout 0.2`") }
          a.dropout = try number(p, "dropout", in: 0...1, excludingUpper: true)
        default:
          guard Int(word) != nil else {
            throw UsageError("unexpected '\(word)'" + suggestion(word, among: ["batchnorm", "dropout"]))
          }
          a.hidden.append(try integer(word, "a hidden width", in: 1...8192))
        }
      }
      guard !a.hidden.isEmpty else { throw UsageError("give the hidden widths") }
      guard a.hidden.count <= 8 else { throw ShellError("at most 8 hidden layers, got \(a.hidden.count)") }
      if a.hidden.count == 1 { a.hidden.append(a.hidden[0]) }  // `mlp 512`: the tutorial's two layers of 512
      session.install(session.newTrainer(a), a, origin: "seed \(session.settings.seed)")
      describeModel(session)
    })

  static func describeModel(_ session: Session) {
    guard let model = session.trainer?.model else { return }
    session.say("MLP " + model.sizes.map(String.init).joined(separator: " → ") + ", \(session.weightsOrigin)")
    let rows = model.summary
    let w0 = rows.map(\.layer.count).max()!, w1 = rows.map(\.shape.count).max()!
    for r in rows {
      let count = r.parameters > 0 ? pad(grouped(r.parameters), 9, left: true) : ""
      let line = "  " + pad(r.layer, w0) + "  " + pad(r.shape, w1) + count
      session.say(String(line.reversed().drop(while: { $0 == " " }).reversed()))
    }
    session.say("parameters: \(grouped(model.parameterCount)) (\(formatBytes(model.parameterCount * 4))), and as many gradients")
  }
}
