// Session.swift — everything a gashell session holds: data, model, trainer,
// settings and finished runs, and how one command line is executed.
//
// The session never touches the terminal: it writes to `output` (stdout in the
// program, a buffer in tests) and asks `isInterrupted` between micro-batches.

import Datasets
import Engine
import Foundation

public final class Session {
  /// What `set` changed reaches the trainer and the data loaders here, and only here.
  public var settings = Settings() {
    didSet { settingsChanged(from: oldValue) }
  }
  /// Where everything is printed.
  public var output: (String) -> Void
  /// Polled between micro-batches: true stops `train` at the next boundary.
  public var isInterrupted: () -> Bool = { false }
  /// A terminal shows a live progress bar during `train`; elsewhere, plain lines.
  public var showsProgress = false
  /// Columns for `plot`: the terminal's width when there is one.
  public var terminalWidth = 80
  /// `pause`: waits for Enter on a terminal, nothing otherwise.
  public var waitForEnter: () -> Void = {}
  /// `clear`: clears a terminal's screen; nothing elsewhere.
  public var clearScreen: () -> Void = {}
  /// A front end that shows pictures and displays updated in place (the Jupyter kernel);
  /// nil: their text is printed to `output`.
  public var display: ((Display) -> Void)?
  /// Set by `quit`.
  public private(set) var wantsToQuit = false

  // Data
  var train: LabeledImages?
  var test: LabeledImages?
  var dataDirectory = ""
  private(set) var trainLoader: DataLoader?
  private(set) var testLoader: DataLoader?

  // Model and training state
  /// Replaced only by `install`, which keeps everything that depends on the model consistent.
  private(set) var trainer: Trainer?
  /// The model's shape, for `reset` and training states: the model knows its own.
  var architecture: Architecture? { trainer?.model.architecture }
  /// Where the model's weights came from, for `show model`: "seed 0", or the weights file loaded.
  private(set) var weightsOrigin = ""
  var runs: [Run] = []
  /// Where the wrapped optimizer's last `step` call was made. Cleared whenever the model, weights
  /// or window are replaced: a new window can reach the same counters (a reset cursor counts from
  /// 0 again) without that call having been made in it.
  var lastWrapperCall: WrapperCall?
  struct WrapperCall: Equatable {
    let epoch, nextBatch, steps, microBatches: Int
    init(_ t: Trainer) {
      (epoch, nextBatch, steps, microBatches) = (t.epoch, t.nextBatch, t.accumulator.steps, t.accumulator.microBatches)
    }
  }
  var lastTest: Trainer.Evaluation?

  // What the session remembers of itself (notebooks, transcripts, plots)
  public private(set) var cells: [Cell] = []
  /// Quick mode was on before the first cell (`gashell --quick`): the notebook's first code cell says so.
  private(set) var startedQuick = false
  /// The cells whose command failed: a notebook writes them as `! command`, an error on purpose,
  /// so that running it again shows the error and goes on, as the session did.
  private(set) var failedCells: Set<Int> = []
  public internal(set) var history = History()

  public init(output: @escaping (String) -> Void = { print($0, terminator: "") }) {
    self.output = output
  }

  /// Prints one line, and keeps it in the current command's cell.
  public func say(_ line: String = "") { write(line + "\n") }

  /// Prints text as it is (the progress bar redraws with \r: that is not kept).
  func write(_ text: String) {
    output(text)
    keep(text)
  }

  /// A plot, a picture or a progress display: to `display` if a front end takes it, else printed.
  /// Its text is kept in the command's cell unless it is `transient` (a progress update).
  func show(_ d: Display, transient: Bool = false) {
    if !transient, let svg = d.svg, case .code(let prompt, let command, let out, let pictures)? = cells.last {
      let picture = Picture(offset: out.utf8.count, text: d.text, svg: svg)
      cells[cells.count - 1] = .code(prompt: prompt, command: command, output: out, pictures: pictures + [picture])
    }
    guard let display else { write(d.text); return }
    display(d)
    if !transient { keep(d.text) }
  }

  private func keep(_ text: String) {
    if !text.hasPrefix("\r"), case .code(let prompt, let command, let out, let pictures)? = cells.last {
      cells[cells.count - 1] = .code(prompt: prompt, command: command, output: out + text, pictures: pictures)
    }
  }

  /// Prints lesson narration and keeps it as a Markdown cell.
  public func narrate(_ text: String) {
    if cells.isEmpty { startedQuick = settings.quick }
    output(text + "\n")
    if case .markdown(let previous)? = cells.last {
      cells[cells.count - 1] = .markdown(previous + "\n" + text)
    } else {
      cells.append(.markdown(text))
    }
  }

  // MARK: - Executing a line

  /// Runs one line: a command, a comment, or nothing. Errors come back thrown, state unchanged.
  public func execute(_ line: String) throws {
    let before = cells.count
    do { try executeLine(line) } catch {
      if cells.count > before { failedCells.insert(cells.count - 1) }
      throw error
    }
  }

  private func executeLine(_ line: String) throws {
    let trimmed = line.trimmingCharacters(in: .whitespaces)
    if trimmed.isEmpty || trimmed.hasPrefix("#") { return }  // an empty line never repeats a command
    if cells.isEmpty { startedQuick = settings.quick }
    // No command takes a control character, and one echoed back in an error would break the line
    // (a carriage return, a form feed) or drive the terminal (an escape sequence). Nor a combining
    // mark with no letter before it: after a space it joins the space into one character, which a
    // transcript's reader trims away, so the line would replay as another command. Kept as typed
    // but for those characters, shown as �, so a transcript or notebook of the session reads back.
    let unreadable = Session.unreadable(trimmed)
    if let i = unreadable.first {
      var kept = Array(trimmed.unicodeScalars)
      let scalar = kept[i]
      for j in unreadable { kept[j] = "\u{FFFD}" }
      cells.append(.code(prompt: prompt, command: String(String.UnicodeScalarView(kept)), output: ""))
      let code = "U+\(String(format: "%04X", scalar.value))"
      throw ShellError(Session.isControl(scalar)
        ? "the line holds a control character (\(code)) — commands are plain text: retype the line"
        : "the line holds a combining mark (\(code)) with no letter before it — retype the line")
    }
    cells.append(.code(prompt: prompt, command: trimmed, output: ""))
    // No command needs more; a pasted megabyte would otherwise be echoed and spell-checked.
    guard trimmed.count <= Session.longestLine else {
      throw ShellError("a line of \(grouped(trimmed.count)) characters is too long — commands take at most \(grouped(Session.longestLine))")
    }
    let words = try Words.split(trimmed)
    guard let first = words.first else { throw ShellError("an empty command — type `help` for the commands") }
    guard let command = Command.named(first) else {
      throw ShellError("unknown command '\(first)'" + suggestion(first, among: Command.all.map(\.name))
        + " — `help` lists the commands")
    }
    do {
      try command.run(self, Array(words.dropFirst()))
    } catch let e as NonFiniteError {
      throw ShellError(e.userMessage + " — " + divergenceHint)
    } catch let e as UsageError {
      throw command.usageError(e.problem ?? "\(command.name) takes no argument")
    } catch let e as UserFacingError where !(e is ShellError) {
      throw ShellError(e.userMessage)   // the engine's and the data's errors are phrased for the learner already
    }
  }

  static let longestLine = 4096

  /// Where the line's control characters are, and its combining marks that follow white space or
  /// another such mark (none combines with a letter), as positions among its scalars.
  static func unreadable(_ line: String) -> [Int] {
    var found: [Int] = [], previousIsSpace = true
    for (i, scalar) in line.unicodeScalars.enumerated() {
      let stray = scalar.properties.isGraphemeExtend && previousIsSpace
      if isControl(scalar) || stray { found.append(i) }
      previousIsSpace = stray || scalar.properties.isWhitespace
    }
    return found
  }

  /// C0 and C1 controls, DEL, and the Unicode line and paragraph separators; a tab is white space.
  static func isControl(_ scalar: Unicode.Scalar) -> Bool {
    scalar != "\t" && (scalar.properties.generalCategory == .control || scalar == "\u{2028}" || scalar == "\u{2029}")
  }
  /// What every gashell model takes and gives: a FashionMNIST image's pixels, and its classes.
  static let inputs = FashionMNIST.imageRows * FashionMNIST.imageColumns
  static let classes = FashionMNIST.classNames.count

  /// Runs a line and prints an error instead of throwing it; returns whether it succeeded.
  @discardableResult
  public func executeReportingErrors(_ line: String) -> Bool {
    do { try execute(line); return true } catch let e as ShellError {
      say(e.description); return false
    } catch {
      say("error: \(error)"); return false
    }
  }

  /// `ga> `, or `ga 2/4> ` while an accumulation window is open. A window that counts samples
  /// shows the micro-batches it will take to reach its target (`ga 1/4> ` for 3 × 64 samples when a
  /// short batch of 40 is among them), so the prompt keeps the one form transcripts and scripts read.
  public var prompt: String {
    guard let t = trainer, t.accumulator.isWindowOpen else { return "ga> " }
    return "ga \(t.accumulator.microBatches)/\(t.accumulator.plannedMicroBatches)> "
  }

  // MARK: - What commands need

  func requireData() throws -> (train: DataLoader, test: DataLoader) {
    guard let trainLoader, let testLoader else { throw ShellError.noData }
    return (trainLoader, testLoader)
  }

  func requireTrainer() throws -> Trainer {
    guard let trainer else { throw ShellError.noModel }
    return trainer
  }

  /// Data, a model, and room in the memory budget for the next micro-batch: what
  /// `forward` and `backward` need before they touch anything.
  func requireNextMicroBatch(training: Bool) throws -> (train: DataLoader, trainer: Trainer) {
    let loaders = try requireData()
    let t = try requireTrainer()
    // A state loaded over a smaller data set can leave the cursor past its epoch's end.
    let size = loaders.train.size(ofBatch: t.nextPosition(in: loaders.train).batch)
    if training { try requireBatchNormSamples(t, size, "the next micro-batch") }
    try Memory.check(self, batch: size)
    return (loaders.train, t)
  }

  /// Batch norm in training divides by a batch's variance, which one sample does not have:
  /// PyTorch raises "Expected more than 1 value per channel when training", and so do we.
  func requireBatchNormSamples(_ t: Trainer, _ smallest: Int, _ which: String) throws {
    guard t.model.batchNorm, smallest < 2 else { return }
    throw ShellError("batch norm needs at least 2 samples per micro-batch in training (PyTorch refuses 1 too), "
      + "and \(which) holds 1 — " + (settings.batch < 2 ? "set batch 2 or more" : "choose a batch size that does not leave 1 sample over"))
  }

  /// Changing how a window is made, or what data it draws from, while one is open would mix two
  /// kinds of micro-batch in one step.
  func requireClosedWindow(_ what: String) throws {
    guard let t = trainer, t.accumulator.isWindowOpen else { return }
    let k = t.accumulator.microBatches
    throw ShellError("\(k) micro-batch\(k == 1 ? " is" : "es are") accumulated — run `step` or `zero` before changing \(what)")
  }

  /// Loaders for the current batch size and shuffling; the test loader uses the
  /// training batch size, as the tutorial does (so its average loss depends on it).
  func rebuildLoaders() {
    guard let train, let test else { return }
    trainLoader = DataLoader(train, batchSize: settings.batch, shuffle: settings.shuffle, seed: settings.seed)
    testLoader = DataLoader(test, batchSize: settings.batch)
  }

  func setData(train: LabeledImages, test: LabeledImages, directory: String) {
    self.train = train
    self.test = test
    dataDirectory = directory
    rebuildLoaders()
    trainer?.resetCursor()
    lastWrapperCall = nil
  }

  // MARK: - The model

  /// A fresh model of architecture `a` from the seed, with a new optimizer; not installed yet.
  func newTrainer(_ a: Architecture) -> Trainer {
    let model = Sequential(a, seed: settings.seed, threads: settings.threads)
    return Trainer(model: model, optimizer: makeOptimizer(for: model), accumulator: Accumulator(rules: settings.accumulation))
  }

  /// The one place a model takes effect: fresh from the seed (`model`, `reset`), with loaded
  /// weights, or with a loaded training state (`keepsCursor`: the state says where it was).
  /// What depended on the model before is forgotten: the open run closes, the last test and the
  /// wrapper's call count are cleared, and the cursor goes back to epoch 1, batch 1.
  func install(_ t: Trainer, origin: String, keepsCursor: Bool = false) {
    trainer = t
    weightsOrigin = origin
    configure(t, optimizerReplaced: false)
    if !keepsCursor { t.resetCursor() }
    closeRun()
    lastTest = nil
    lastWrapperCall = nil
  }

  func makeOptimizer(for model: Sequential) -> Optimizer {
    settings.optimizer.makeOptimizer(model.parameters, pool: { [unowned model] in model.pool })
  }

  /// Hands the settings to a trainer: the accumulation rules, clipping, zeroing, threads, and the
  /// optimizer's hyper-parameters (a new optimizer when its kind changed).
  private func configure(_ t: Trainer, optimizerReplaced: Bool) {
    t.accumulator.rules = settings.accumulation
    t.clipping = settings.clipping
    t.zeroAfterStep = settings.autozero
    t.model.setThreads(settings.threads)
    if optimizerReplaced { t.optimizer = makeOptimizer(for: t.model) } else { t.optimizer.adopt(settings.optimizer) }
    // A new schedule, a new base rate, a new optimizer or the scheduler moved to another place in
    // the loop starts it again, as a new torch.optim.lr_scheduler object would; any other setting
    // leaves it where it is.
    let moved = t.schedulerStepsPerMicroBatch != settings.schedulerPerMicroBatch
    t.schedulerStepsPerMicroBatch = settings.schedulerPerMicroBatch
    if let schedule = settings.scheduler {
      // The decimal the learner typed (Float's shortest form), as PyTorch's Python float holds it.
      let base = Double("\(settings.optimizer.learningRate)") ?? Double(settings.optimizer.learningRate)
      if optimizerReplaced || moved || t.scheduler?.schedule != schedule || t.scheduler?.baseRate != base {
        t.scheduler = LearningRateScheduler(schedule, baseRate: base)
      }
      t.applyScheduledRate()
    } else {
      t.scheduler = nil
    }
  }

  private func settingsChanged(from old: Settings) {
    if let t = trainer { configure(t, optimizerReplaced: settings.optimizer.kind != old.optimizer.kind) }
    let s = settings
    if s.batch != old.batch || s.shuffle != old.shuffle || s.seed != old.seed {
      rebuildLoaders()
      // Another batch size or order: the epoch's batches are not the ones the cursor counted.
      if s.batch != old.batch || s.shuffle != old.shuffle || (s.shuffle && s.seed != old.seed) {
        trainer?.restartEpoch()
      }
    }
  }

  /// The run that `train` and `test` add to: opened lazily, so settings at the first epoch label it.
  func currentRun() -> Run {
    if let last = runs.last, last.isOpen { return last }
    let run = Run(number: runs.count + 1, label: settings.label)
    runs.append(run)
    return run
  }

  /// Closes the current run: the next training starts a new one (after `model`, `reset`, `load weights`).
  func closeRun() { runs.last?.isOpen = false }

  public func quit() { wantsToQuit = true }

  /// Remembers ‖g‖ after a backward, step or zero, for `plot grad`.
  func noteGradient(_ event: History.GradientEvent) {
    guard let t = trainer else { return }
    history.record(event, t.model.gradientNorm)
  }

  /// What most likely made a loss or a gradient NaN or infinite, from the settings in force.
  var divergenceHint: String {
    let s = settings, n = s.accumulation.schedule.factor(forEpoch: trainer?.epoch ?? 0)
    var causes: [String] = []
    if s.optimizer.learningRate >= 0.1 { causes.append("lr \(formatHyper(s.optimizer.learningRate)) is large (the tutorial's is 0.001)") }
    if s.optimizer.weightDecay >= 0.1 { causes.append("weight_decay \(formatHyper(s.optimizer.weightDecay)) is large") }
    if s.accumulation.normalization == .none && n > 1 { causes.append("the loss is not divided (`normalize off`), so each step is \(n)× larger") }
    if s.optimizer.kind == .sgd && s.optimizer.momentum >= 0.95 { causes.append("momentum \(formatHyper(s.optimizer.momentum)) is close to 1") }
    let why = causes.isEmpty ? "the weights have diverged" : "likely cause: " + causes.joined(separator: "; ")
    return why + "; `reset` (or `load weights`) starts again from good weights"
  }
}
