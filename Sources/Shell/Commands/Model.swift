// Model.swift — `model mlp 512` (the tutorial's network) and `model cnn` (the convolutional one), fresh from the seed.

import Engine

extension Command {
  static let model: Command = Command(
    name: "model", arguments: "mlp WIDTH [WIDTH …] | cnn [C1 C2] … [batchnorm] [dropout P]",
    summary: "Make a fresh MLP or CNN from the seed (28×28 images in, 10 classes out)",
    details: """
      model mlp 512        the tutorial's 784 → 512 → 512 → 10 (two hidden layers of 512)
      model mlp 256 128    hidden layers of 256 and 128
      model mlp 512 batchnorm     BatchNorm1d after each hidden Linear (statistics per micro-batch)
      model mlp 512 dropout 0.2   Dropout(0.2) after each hidden ReLU
      model cnn            Conv2d(1, 32, 3, padding=1), ReLU, MaxPool2d(2), Conv2d(32, 64, 3, padding=1),
                           ReLU, MaxPool2d(2), Flatten, Linear(3136, 128), ReLU, Linear(128, 10)
      model cnn 16 32      the same with 16 and 32 channels
      model cnn batchnorm  BatchNorm2d after each convolution; `dropout P` after the hidden ReLU
      Weights are uniform in ±1/√fan_in (fan_in = in·kH·kW for a convolution), as PyTorch's defaults;
      `set seed` changes them. A CNN's activations, not its weights, fill its memory: `show memory`.
      """,
    complete: { words, _ in
      words.isEmpty ? .words(["mlp", "cnn"]) : words.last == "dropout" ? .words(["0.2", "0.5"])
        : words.first == "cnn" ? .words(["32", "64", "16", "batchnorm", "dropout"])
        : .words(["512", "256", "128", "batchnorm", "dropout"])
    },
    run: { session, arguments in
      guard let kind = arguments.first, kind == "mlp" || kind == "cnn" else {
        throw UsageError(arguments.isEmpty ? "model what?" : "unknown model '\(arguments[0])'"
          + suggestion(arguments[0], among: ["mlp", "cnn"]))
      }
      var widths: [Int] = [], batchNorm = false, dropout: Float = 0
      var words = Array(arguments.dropFirst())[...]
      while let word = words.popFirst() {
        switch word {
        case "batchnorm":
          guard !batchNorm else { throw ShellError("batchnorm is given twice — once puts it after every hidden layer") }
          batchNorm = true
        case "dropout":
          guard dropout == 0 else { throw ShellError("dropout is given twice — one probability applies to every hidden layer") }
          guard let p = words.popFirst() else { throw ShellError("dropout needs a probability, e.g. `dropout 0.2`") }
          dropout = try number(p, "dropout", in: 0...1, excludingUpper: true)
        default:
          guard Int(word) != nil else {
            throw UsageError("unexpected '\(word)'" + suggestion(word, among: ["batchnorm", "dropout"]))
          }
          widths.append(kind == "mlp" ? try integer(word, "a hidden width", in: 1...8192)
                                      : try integer(word, "a channel count", in: 1...256))
        }
      }
      let a: Architecture
      if kind == "mlp" {
        guard !widths.isEmpty else { throw UsageError("give the hidden widths") }
        guard widths.count <= 8 else { throw ShellError("at most 8 hidden layers, got \(widths.count)") }
        if widths.count == 1 { widths.append(widths[0]) }  // `mlp 512`: the tutorial's two layers of 512
        a = .mlp(hidden: widths, batchNorm: batchNorm, dropout: dropout)
      } else {
        guard widths.isEmpty || widths.count == 2 else {
          throw ShellError("a CNN takes the channels of its two convolutions, e.g. `model cnn 32 64`, or none")
        }
        a = .cnn(channels: widths.isEmpty ? [32, 64] : widths, batchNorm: batchNorm, dropout: dropout)
      }
      session.install(session.newTrainer(a), origin: "seed \(session.settings.seed)")
      describeModel(session)
    })

  static func describeModel(_ session: Session) {
    guard let model = session.trainer?.model else { return }
    session.say(model.architecture.title + ", \(session.weightsOrigin)")
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
