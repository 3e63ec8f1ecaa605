// Show.swift — `show settings|grad|weights|loss|model|data|image`: look without changing anything.

import Engine

extension Command {
  static let showTopics = ["settings", "grad", "weights", "loss", "model", "data", "memory", "image"]

  static let show: Command = Command(
    name: "show", arguments: "settings|grad [PARAM]|weights [PARAM]|loss|model|data|memory|image N",
    summary: "Show settings, gradients, weights, losses, the model or the data",
    details: """
      show grad            per parameter: shape, L2 norm, max |g| and the first values,
                           with how many micro-batches are accumulated
      show grad 0.weight   one parameter in more detail (names as PyTorch: 0.weight, 0.bias, 2.weight, …)
      show weights 4.bias  the same for the weights
      show loss            last micro-batch loss and the last test results
      show image 0         training image 0 (0-based, as training_data[0]), its label and the model's guess
      """,
    complete: { words, session in
      switch words.count {
      case 0: return .words(Command.showTopics)
      case 1 where words[0] == "grad" || words[0] == "weights":
        return .words(session?.trainer?.model.parameters.names ?? ["0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"])
      default: return .words([])
      }
    },
    run: { session, arguments in
      guard let topic = arguments.first else { throw UsageError("show what?") }
      let rest = Array(arguments.dropFirst())
      guard rest.isEmpty || ["grad", "weights", "image"].contains(topic) else {
        throw UsageError("`show \(topic)` takes no argument")
      }
      switch topic {
      case "settings": showSettings(session)
      case "grad", "grads", "gradients": try showTensors(session, gradients: true, rest)
      case "weights": try showTensors(session, gradients: false, rest)
      case "loss": try showLoss(session)
      case "model":
        guard session.trainer != nil else { throw ShellError.noModel }
        describeModel(session)
      case "data": try showData(session)
      case "memory": try Memory.show(session)
      case "image": try showImage(session, rest)
      default:
        throw ShellError("cannot show '\(topic)'" + suggestion(topic, among: showTopics)
          + " — one of " + showTopics.joined(separator: ", "))
      }
    })

  private static func showSettings(_ session: Session) {
    let s = session.settings
    for setting in Setting.allCases {
      session.say(pad(setting.rawValue, 14) + pad(display(setting, s), 16) + setting.summary)
    }
    let schedule = s.accumulation.schedule
    let n = schedule.isConstant ? "\(schedule.changes[0].factor)" : "N"
    session.say("one optimizer step sees \(schedule.isConstant ? grouped(s.batch * schedule.changes[0].factor) : "batch × N") samples (batch \(s.batch) × accumulate \(n))")
    session.say("rules: " + s.rules)
    if let w = s.wrap { session.say("optimizer wrapped Run:AI-style: a real step on every \(w)th step() call") }
    if let t = session.trainer, let line = scheduledRate(t) { session.say(line) }
  }

  /// "lr now 0.00028: LinearLR(…) after 3 of its steps, stepped after every optimizer step".
  static func scheduledRate(_ t: Trainer) -> String? {
    guard let s = t.scheduler else { return nil }
    return "lr now \(formatRate(t.optimizer.learningRate)): \(s.schedule.pytorchName) after \(grouped(s.steps)) "
      + "of its steps, stepped after every \(t.schedulerStepsPerMicroBatch ? "micro-batch" : "optimizer step")"
  }

  /// Parameters named in `words`, or all of them; a misspelt name gets a suggestion.
  static func parameters(_ model: Sequential, _ words: [String]) throws -> [Parameter] {
    guard let name = words.first else { return model.parameters.parameters }
    guard words.count == 1 else { throw ShellError("one parameter at a time, e.g. `show grad 0.weight`") }
    guard let p = model.parameters[name] else {
      throw ShellError("no parameter '\(name)'" + suggestion(name, among: model.parameters.names)
        + " — the model has " + model.parameters.names.joined(separator: ", "))
    }
    return [p]
  }

  private static func showTensors(_ session: Session, gradients: Bool, _ words: [String]) throws {
    let t = try session.requireTrainer()
    let selected = try parameters(t.model, words)
    if gradients { session.say(windowLine(t)) }
    let values = selected.count == 1 ? 8 : 3
    // A convolution's [32, 16, 3, 3] is wider than a Linear's [512, 784]: the column grows to fit.
    let shapeWidth = max(12, selected.map { shapeText($0.value.shape).count + 2 }.max() ?? 0)
    session.say(pad("param", 10) + pad("shape", shapeWidth) + pad("norm", 11) + pad("max |\(gradients ? "g" : "w")|", 11) + "first values")
    for p in selected {
      let x = gradients ? p.grad : p.value
      let first = (0..<min(values, x.count)).map { significant(x[$0]) }.joined(separator: " ")
      session.say(pad(p.name, 10) + pad(shapeText(p.value.shape), shapeWidth) + pad(significant(x.norm), 11)
        + pad(significant(x.maxAbs), 11) + first + (x.count > values ? " …" : ""))
    }
    if selected.count > 1 {
      let all = gradients ? t.model.parameters.grads : t.model.parameters.values
      session.say("total norm \(significant(all.norm))")
    }
  }

  /// "2 of 4 micro-batches accumulated (32 samples); step pending" — what learners most often miscount.
  static func windowLine(_ t: Trainer) -> String {
    let a = t.accumulator
    // With autozero off a step leaves its gradient in the buffers: the window's counters start
    // again, the buffers do not — the header must not call them empty.
    let kept = !t.zeroAfterStep && a.steps > 0
    guard a.isWindowOpen else {
      if kept && t.model.parameters.grads.norm > 0 {
        return "gradients: no micro-batch since step \(a.steps), but not zero: autozero is off, "
          + "so the buffers still hold what the earlier windows added"
      }
      return "gradients: nothing accumulated" + (a.steps > 0 ? " since step \(a.steps)" : "")
        + (t.zeroAfterStep ? "" : " (zeroing after step is off)")
    }
    let state = a.isWindowFull ? "full: `step` applies it" : "step pending"
    return "gradients: \(a.microBatches) of \(a.plannedMicroBatches) micro-batch\(a.plannedMicroBatches == 1 ? "" : "es") accumulated (\(grouped(a.samples)) samples)"
      + (kept ? " since step \(a.steps), on top of what earlier windows left unless `zero` cleared it (autozero off)" : "") + "; \(state)"
  }

  private static func showLoss(_ session: Session) throws {
    let t = try session.requireTrainer()
    if let loss = t.lastLoss { session.say("last micro-batch loss \(fixed(loss, 6))") } else { session.say("no micro-batch yet") }
    if let e = session.lastTest {
      session.say("last test: accuracy \(fixed(100 * e.accuracy, 1))%, avg loss \(fixed(e.averageLoss, 6))")
    }
    session.say("position: epoch \(t.epoch + 1), next batch \(t.nextBatch + 1); \(counted(t.accumulator.steps, "step")) taken")
  }

  private static func showData(_ session: Session) throws {
    let loaders = try session.requireData()
    session.say("FashionMNIST from \(session.dataDirectory)")
    session.say("  training \(grouped(loaders.train.sampleCount)) images: \(grouped(loaders.train.batchesPerEpoch)) batches of \(session.settings.batch)"
      + (loaders.train.sampleCount % session.settings.batch == 0 ? "" : " (the last has \(loaders.train.size(ofBatch: loaders.train.batchesPerEpoch - 1)))")
      + (session.settings.shuffle ? ", shuffled" : ", in file order"))
    session.say("  test \(grouped(loaders.test.sampleCount)) images: \(grouped(loaders.test.batchesPerEpoch)) batches")
  }
}
