// Load.swift — `load fashion` (the data set) and `load weights FILE` (a checkpoint).

import Datasets
import Engine
import Foundation

extension Command {
  static let load: Command = Command(
    name: "load", arguments: "fashion [train N] [test N] [from DIR] | weights FILE | state FILE",
    summary: "Load FashionMNIST, or weights or a training state from a safetensors file",
    details: """
      load fashion                       60,000 training and 10,000 test images
      load fashion train 6000 test 1000  the first 6,000 and 1,000 of them
      load fashion from ~/data           IDX files (.gz or not) in that folder
      load weights tutorial.safetensors  weights named as PyTorch's Sequential (0.weight, …)
      load state run1.state              go on where `save state` was: same model and window rules first;
                                         lr, momentum and weight decay are the current settings
      The data is looked for in DIR, $GASHELL_DATA, ./data/FashionMNIST/raw,
      then /usr/share/datasets/fashion-mnist (apt-get install dataset-fashion-mnist).
      """,
    complete: { words, _ in
      switch words.count {
      case 0: return .words(["fashion", "weights", "state"])
      case _ where words[0] == "weights" || words[0] == "state": return words.count == 1 ? .files : .words([])
      case _ where words.last == "from": return .files
      default: return .words(["train", "test", "from"])
      }
    },
    run: { session, arguments in
      switch arguments.first {
      case "fashion": try loadFashion(session, Array(arguments.dropFirst()))
      case "weights": try loadWeights(session, Array(arguments.dropFirst()))
      case "state": try loadState(session, Array(arguments.dropFirst()))
      case nil: throw UsageError("load what?")
      case let other?:
        throw ShellError("cannot load '\(other)'" + suggestion(other, among: ["fashion", "weights", "state"])
          + " — `load fashion`, `load weights FILE` or `load state FILE`")
      }
    })

  /// Training and test images in quick mode: enough for a demo to learn something in seconds.
  static let quickSizes = (train: 3000, test: 500)

  private static func loadFashion(_ session: Session, _ words: [String]) throws {
    var trainCount: Int?, testCount: Int?, directory: String?
    var i = 0
    let keywords = ["train", "test", "from"]
    while i < words.count {
      guard keywords.contains(words[i]) else {
        throw UsageError("unexpected '\(words[i])'" + suggestion(words[i], among: keywords))
      }
      guard i + 1 < words.count else { throw UsageError("'\(words[i])' needs a value") }
      switch words[i] {
      case "train": trainCount = try integer(words[i + 1], "train", in: 1...60_000)
      case "test": testCount = try integer(words[i + 1], "test", in: 1...10_000)
      case "from": directory = words[i + 1]
      default: break
      }
      i += 2
    }
    try session.requireClosedWindow("the data")
    if session.settings.quick {
      trainCount = min(trainCount ?? quickSizes.train, quickSizes.train)
      testCount = min(testCount ?? quickSizes.test, quickSizes.test)
    }
    let start = now()
    let data: (train: LabeledImages, test: LabeledImages, directory: String)
    data = try FashionMNIST.load(from: directory)
    let elapsed = now() - start
    let train = trainCount.map { data.train.prefix($0) } ?? data.train
    let test = testCount.map { data.test.prefix($0) } ?? data.test
    session.setData(train: train, test: test, directory: data.directory)
    session.say("FashionMNIST from \(data.directory) in \(seconds(elapsed))")
    session.say("  training \(grouped(train.count)) images, test \(grouped(test.count)), \(train.rows)×\(train.columns) pixels, 10 classes"
      + (session.settings.quick ? " (quick mode)" : ""))
    session.say("  classes: " + FashionMNIST.classNames.enumerated().map { "\($0) \($1)" }.joined(separator: ", "))
  }

  private static func loadWeights(_ session: Session, _ words: [String]) throws {
    let file = try FileName.only(words)
    let name = file.typed, path = file.path
    let t: Trainer
    // Into the model there is, if the file fits it (batch norm and dropout models load only so) …
    if let current = session.trainer, (try? Checkpoint.loadWeights(into: current.model, from: path)) != nil {
      current.zeroGrad()
      current.optimizer.reset()
      t = current
    } else {
      // … else a plain model of the file's shape, installed only once the weights are in.
      let architecture = try Checkpoint.architecture(in: path, image: Architecture.image)
      guard architecture.inputs == Session.inputs, architecture.classes == Session.classes else {
        let shape = if case .mlp(let sizes) = architecture.kind { sizes.map(String.init).joined(separator: "-") + " network" } else { "CNN" }
        throw ShellError("\(name) holds a \(shape); gashell's models take \(Session.inputs) inputs and give \(Session.classes) classes")
      }
      t = session.newTrainer(architecture)
      try Checkpoint.loadWeights(into: t.model, from: path)
    }
    session.install(t, origin: "weights from \(name)")
    session.say("weights of \(t.model.architecture.title) loaded from \(name); gradients and optimizer state cleared")
  }
}
