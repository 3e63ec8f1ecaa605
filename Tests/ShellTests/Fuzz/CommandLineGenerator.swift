// CommandLineGenerator.swift — seeded command lines for the session fuzzer, built from the command
// table's own grammar (`Command.all`, its completion, `Setting.allCases` and their values), values at
// and past every limit, hostile text (unicode, quotes, control characters, very long words), and
// mutations of valid lines. The same seed gives the same lines, on every machine.

import Datasets
import Engine
import Foundation
@testable import Shell

/// Where the fuzzer's files live: every file argument it generates is inside `path`.
struct FuzzFiles {
  let path: String
  /// Small FashionMNIST-shaped IDX files: 300 training and 100 test images.
  var fashion: String { path + "/fashion" }
  /// IDX files of 27×28 images: `load fashion from` it must be refused.
  var badFashion: String { path + "/fashion-27" }

  /// Names `save` and `load` are given: weights, gradients, states, plots, records, odd names.
  var files: [String] {
    ["w1.safetensors", "w2.safetensors", "g.safetensors", "s1.state", "s2.state", "text.safetensors",
     "empty.safetensors", "five.safetensors", "huge.safetensors", "big.safetensors", "nan.safetensors", "plot.svg", "loss.SVG", "nb.ipynb", "t.txt", "t2.txt",
     "my run.safetensors", "é-批量-🙂.safetensors", "dir", "missing/w.safetensors", "w1.safetensors/x"]
      .map { path + "/" + $0 }
  }

  /// Writes the fixture files (IDX sets, a text file posing as safetensors, an empty file, a
  /// five-class network, a directory). Called again before each replay of a finding.
  func prepare() throws {
    let fm = FileManager.default
    try? fm.removeItem(atPath: path)
    try fm.createDirectory(atPath: path + "/dir", withIntermediateDirectories: true)
    try writeIDX(to: fashion, train: SyntheticImages.make(count: 300, seed: 11),
                 test: SyntheticImages.make(count: 100, seed: 12))
    try writeIDX(to: badFashion, train: SyntheticImages.make(count: 20, rows: 27, columns: 28, seed: 13),
                 test: SyntheticImages.make(count: 10, rows: 27, columns: 28, seed: 14))
    try Data("not a safetensors file".utf8).write(to: URL(fileURLWithPath: path + "/text.safetensors"))
    try Data().write(to: URL(fileURLWithPath: path + "/empty.safetensors"))
    try Checkpoint.saveWeights(Sequential(sizes: [784, 8, 5], seed: 0), to: path + "/five.safetensors")
    // Finite weights so large that the first forward pass overflows: the NaN path, without diverging first.
    let huge = Sequential(sizes: [784, 8, 8, 10], seed: 0)
    for i in 0..<huge.parameters.values.count { huge.parameters.values[i] = i % 2 == 0 ? 3e37 : -3e37 }
    try Checkpoint.saveWeights(huge, to: path + "/huge.safetensors")
    // Weights of 1e10 with zero biases: the logits stay finite (about 1e34), the loss too, but the
    // last layer's gradient is about 1e22, whose square no Float holds (Adam's second moment).
    let big = Sequential(sizes: [784, 8, 8, 10], seed: 0)
    for p in big.parameters.parameters { for i in 0..<p.value.count { p.value[i] = p.name.hasSuffix("weight") ? 1e10 : 0 } }
    try Checkpoint.saveWeights(big, to: path + "/big.safetensors")
    let nan = Sequential(sizes: [784, 8, 8, 10], seed: 0)
    nan.parameters.values[5] = .nan
    try Checkpoint.saveWeights(nan, to: path + "/nan.safetensors")
  }

  private func writeIDX(to directory: String, train: LabeledImages, test: LabeledImages) throws {
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let files: [(String, [UInt8])] = [
      ("train-images-idx3-ubyte", IDXFile.bytes(images: train)), ("train-labels-idx1-ubyte", IDXFile.bytes(labels: train)),
      ("t10k-images-idx3-ubyte", IDXFile.bytes(images: test)), ("t10k-labels-idx1-ubyte", IDXFile.bytes(labels: test)),
    ]
    for (name, bytes) in files { try Data(bytes).write(to: URL(fileURLWithPath: directory + "/" + name)) }
  }

  /// Whether a `save` of `word` would write inside the scratch folder (`~`, `..` and links resolved).
  func contains(_ word: String) -> Bool {
    let root = Command.canonicalPath(path)
    return Command.canonicalPath(word).hasPrefix(root + "/")
  }
}

/// Command lines, one `next()` at a time.
struct CommandLineGenerator {
  private var random: RandomNumbers
  let files: FuzzFiles
  /// The session the lines are for: completion of parameter names reads its model.
  var session: Session?

  init(seed: UInt64, files: FuzzFiles) {
    random = RandomNumbers(seed: seed)
    self.files = files
  }

  // MARK: - Choosing

  mutating func chance(_ p: Double) -> Bool { Double(random.nextUnitFloat()) < p }
  mutating func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + random.nextIndex(below: range.count) }
  mutating func pick<T>(_ items: [T]) -> T { items[random.nextIndex(below: items.count)] }

  /// One of `choices`, chosen with probability proportional to its weight.
  mutating func weighted<T>(_ choices: [(Int, T)]) -> T {
    var r = random.nextIndex(below: choices.reduce(0) { $0 + $1.0 })
    for (w, value) in choices {
      if r < w { return value }
      r -= w
    }
    return choices.last!.1
  }

  // MARK: - Lines

  enum Kind: String, CaseIterable { case grammar, microBatch, setting, structured, hostile, mutated, blank }

  /// The next line, and what kind of line it was made as.
  mutating func next() -> (line: String, kind: Kind) {
    let kind = weighted([(10, Kind.grammar), (30, .microBatch), (16, .setting), (22, .structured),
                         (7, .hostile), (12, .mutated), (3, .blank)])
    switch kind {
    case .grammar: return (grammarLine(), kind)
    case .microBatch: return (microBatchLine(), kind)
    case .setting: return (settingLine(), kind)
    case .structured: return (structuredLine(), kind)
    case .hostile: return (hostileLine(), kind)
    case .mutated: return (mutate(validLine()), kind)
    case .blank: return (pick(["", " ", "\t", "   \t ", "# a comment", "  # indented comment", "#", "#\u{1B}[2J"]), kind)
    }
  }

  /// What a fresh session starts with, most of the time: a small model, perhaps data and a window size.
  mutating func prologue() -> [String] {
    guard chance(0.75) else { return [] }
    var lines = [pick(["model mlp 8", "model mlp 16 8", "model mlp 8", "model mlp 8 batchnorm", "model mlp 4 4 4",
                       "model mlp 8 dropout 0.2"])]
    if chance(0.3) { lines.insert("load fashion from \(files.fashion) train \(pick(["100", "300", "64"])) test 100", at: 0) }
    if chance(0.5) { lines.append("set batch \(pick(["16", "8", "50", "64", "1", "2"]))") }
    if chance(0.5) { lines.append("set accumulate \(pick(["2", "4", "3", "8", "{0: 8, 4: 2}", "{0: 2, 1: 3}"]))") }
    if chance(0.3) { lines.append("set policy \(pick(AccumulationPolicy.allCases).rawValue)") }
    return lines
  }

  /// A line that fits the grammar (though the session may still refuse it).
  mutating func validLine() -> String {
    switch int(0...3) {
    case 0: grammarLine()
    case 1: microBatchLine()
    case 2: settingLine()
    default: structuredLine()
    }
  }

  /// A command from `Command.all` (or an alias), its words chosen by the table's own completion.
  mutating func grammarLine() -> String {
    let command = pick(Command.all.filter { $0.name != "quit" || chance(0.05) })
    var words = [chance(0.8) || command.aliases.isEmpty ? command.name : pick(command.aliases)]
    for _ in 0..<int(0...4) {
      let line = words.joined(separator: " ") + " "
      switch Command.candidates(line: line, wordStart: line.count, session: session) {
      case .files: words.append(fileWord())
      case .words(let candidates) where !candidates.isEmpty: words.append(quotedIfNeeded(pick(candidates)))
      case .words: if chance(0.3) { words.append(pick(Self.numbers)) }
      }
      if chance(0.3) { break }
    }
    return words.joined(separator: " ")
  }

  /// `forward`, `backward` (mostly), `step`, `zero`: what opens and closes windows.
  mutating func microBatchLine() -> String {
    weighted([(3, "forward"), (12, "backward"), (6, "step"), (2, "zero"), (2, "train 1 steps"),
              (1, "train 2 steps"), (1, "train 3 step"), (1, "train 1"), (1, "show grad"), (1, "test")])
  }

  /// `set SETTING VALUE` from `Setting.allCases`: completion values, and values at and past the limits.
  mutating func settingLine() -> String {
    let setting = pick(Setting.allCases)
    let value = chance(0.35) && !setting.values.isEmpty ? pick(setting.values) : pick(Self.edges(setting))
    return "set \(setting.rawValue) \(value)"
  }

  /// Commands with arguments the completion cannot give: data subsets, models, files, counts.
  mutating func structuredLine() -> String {
    switch int(0...15) {
    case 0, 1:
      var line = "load fashion"
      if chance(0.85) { line += " from \(files.fashion)" } else if chance(0.3) { line += " from \(files.badFashion)" }
      if chance(0.9) { line += " train \(pick(["1", "2", "15", "16", "17", "63", "64", "65", "100", "299", "300", "301", "60000", "60_000"]))" }
      if chance(0.9) { line += " test \(pick(["1", "10", "64", "100", "101", "10000"]))" }
      if chance(0.05) { line = "load fashion train 300 test 100" }   // the real files, a small subset
      return line
    case 2:
      return "model " + pick(["mlp 8", "mlp 16 8", "mlp 4 4 4", "mlp 1", "mlp 2 3", "mlp 8 batchnorm", "mlp 8 dropout 0.2",
                              "mlp 16 8 batchnorm dropout 0.5", "mlp 8 dropout 0.999", "mlp 0", "mlp 8193", "mlp -1",
                              "mlp 1 1 1 1 1 1 1 1", "mlp 1 1 1 1 1 1 1 1 1", "mlp 8 dropout 1", "mlp 8 dropout -0",
                              "mlp 8 dropout nan", "mlp 8_0", "mlp", "cnn 8", "mlp 8 batchnorm batchnorm",
                              "mlp 8 dropout", "mlp 8 dropout 0.1 dropout 0.2", "mlp batchnorm", "mlp 9223372036854775808"])
    case 3:
      let what = pick(["weights", "weights", "state", "state"])
      return "load \(what) \(fileWord(for: what))"
    case 4, 5:
      let what = pick(["weights", "grads", "state", "state", "notebook", "transcript", "plot loss", "plot test", "plot grad"])
      return "save \(what) \(fileWord(for: what))"
    case 6:
      return "train " + pick(["1", "2", "1 steps", "2 steps", "3 steps", "1 step", "0", "0 steps", "1001", "-1", "x",
                              "1 stpes", "1 2 3", "10000001 steps", "1_0 steps", "1.5", "", "steps", "１ steps"])
    case 7:
      return "show " + pick(["settings", "grad", "grads", "gradients", "weights", "loss", "model", "data", "memory",
                             "image 0", "image 1", "image 99", "image 199", "image 200", "image 299", "image 300",
                             "image -1", "image x", "grad 0.weight", "weights 2.bias", "grad 4.bias", "weights 9.bias",
                             "grad 1.weight", "weights fc1", "grad 0.weight 0.bias", "everything", "image", "settings now"])
    case 8:
      return "profile" + pick(["", " 1", " 2", " 5", " 0", " 10001", " x", " 1 2", " 16 4x2 samples 32", " 8x0", " 64x",
                               " 1 2 3 4 5", " 2 samples", " 3x3 samples 0"])
    case 9:
      return "plot " + pick(["loss", "test", "grad", "lr", "lr 2", "grad 1", "grad 40", "grad 200000", "grad 200001", "grad 0",
                             "loss 5", "", "everything", "grad x"])
    case 10:
      return pick(["compare", "compare 2", "runs", "runs 2", "test", "test 2", "reset", "reset 2"])
    case 11:
      return pick(["help", "?", "help set", "help train", "? save", "help nosuch", "help set x", "help help"])
    case 12:
      return pick(["pause", "pause 2", "clear", "clear 1", "quit 1", "exit now", "quit", "exit"])
    case 13 where chance(0.4):
      // A run put aside and taken up again, mid-window or not.
      return pick(["save state", "load state", "load state", "save weights", "load weights"]) + " " + files.path + "/" + pick(["s1.state", "w1.safetensors"])
    case 13:
      // What the lessons do, in a line: a window by hand.
      return pick(["set batch 16", "set accumulate 4", "set batch 64", "set accumulate 1", "set lr 0.1", "set lr 10",
                   "set optimizer adam", "set optimizer sgd", "set policy keras", "set normalize window"])
    default:
      return microBatchLine()
    }
  }

  /// A file name inside the scratch folder (sometimes written as a shell would quote it); for
  /// `what` is saved or loaded, mostly one that suits it, so saved states and weights load again.
  mutating func fileWord(for what: String = "") -> String {
    let suited: [String] = switch what {
    case "state": ["s1.state", "s2.state"]
    case "weights": ["w1.safetensors", "w2.safetensors", "huge.safetensors", "big.safetensors", "my run.safetensors"]
    case "grads": ["g.safetensors"]
    case "notebook": ["nb.ipynb"]
    case "transcript": ["t.txt", "t2.txt"]
    case _ where what.hasPrefix("plot"): ["plot.svg", "loss.SVG"]
    default: []
    }
    let file = !suited.isEmpty && chance(0.7) ? files.path + "/" + pick(suited) : pick(files.files)
    if file.contains(" ") { return chance(0.5) ? "\"\(file)\"" : file.replacingOccurrences(of: " ", with: "\\ ") }
    return chance(0.1) ? "'\(file)'" : file
  }

  func quotedIfNeeded(_ word: String) -> String {
    word.contains(" ") && !word.hasPrefix("{") && !word.hasPrefix("sgd") ? "\"\(word)\"" : word
  }

  // MARK: - Hostile text

  static let numbers = ["0", "1", "2", "3", "-1", "-0", "+1", "01", "1.0", "1e3", "1e-3", "0x10", "nan", "inf", "-inf",
                        "NaN", "Infinity", "9223372036854775807", "9223372036854775808", "-9223372036854775808",
                        "18446744073709551616", "1_000", "_1", "1_", "1__0", "60_000", "6_0_0_0_1", "１６", "٣", "1e400",
                        "0.1", ".5", "5.", "1,5", "1e", "0x1p-3", "4294967296"]

  static let oddPieces = ["é", "e\u{301}", "批量", "🙂", "👩‍👩‍👧", "\u{200F}", "\u{202E}", "\u{2028}", "\u{FEFF}", "\u{00A0}",
                          "\0", "\t", "\u{1B}[2J", "\u{1B}]0;title\u{07}", "\r", "\u{7F}", "\u{08}", "\u{85}",
                          "\"", "'", "\\", "\\ ", "\"a b\"", "'x", "\"\"", "''", "\\\"", ";", "{", "}", ":", ",",
                          "~", "$HOME", "%s%n", "-", "--", "*", "\u{301}", "İ", "ß", "ﬃ", "Σ"]

  /// Unicode, quotes, control characters, long words and lines at and past the 4096-character limit.
  mutating func hostileLine() -> String {
    switch int(0...7) {
    case 0:   // a command followed by odd pieces
      return pick(Command.all).name + " " + (0..<int(1...4)).map { _ in pick(Self.oddPieces) }.joined(separator: pick(["", " "]))
    case 1:   // odd pieces inside a known command or setting
      let base = validLine()
      let i = int(0...base.count)
      let index = base.index(base.startIndex, offsetBy: i)
      return String(base[..<index]) + pick(Self.oddPieces) + String(base[index...])
    case 2:   // a line of exactly the limit, or just past it
      let n = pick([4095, 4096, 4097, 5000])
      let head = pick(["set batch ", "frobnicate ", "save weights ", "help ", "show grad "])
      let fill = pick(["9", "a", "é", "e\u{301}", "🙂", " "])
      return head + String(repeating: fill, count: max(0, n - head.count))
    case 3:   // a very long word where a number or a name goes
      return pick(["set batch ", "set lr ", "set accumulate ", "model mlp ", "train ", "show image ", "load weights ",
                   "set policy ", "unknown"]) + String(repeating: pick(["1", "9", "x", "_", "{0: 1, ", "批"]), count: int(100...3000))
    case 4:   // unbalanced quotes and backslashes
      return pick(["set optimizer \"sgd", "save weights 'x", "load weights \"a b", "show \"", "'", "\"", "\\",
                   "set batch 1\\", "set clip '1 micro'", "set \"batch\" 16", "\"backward\"", "back\\ward", "'step'",
                   "set batch \"\"", "set accumulate \"{0: 8, 4: 2}\"", "model mlp '8'", "help \\?", "\"\" backward",
                   "set optimizer \"\"", "save \"\" \"\"", "show grad \"0.weight\"", "load \"state\" \"\""])
    case 5:   // control characters and terminal escapes
      return pick(["\u{1B}[A", "step\u{1B}[2J", "backward\r", "\rstep", "step\0", "\0", "set\tbatch\t16", "backward\u{7F}",
                   "\u{1B}]0;pwned\u{07}help", "set batch 1\u{08}6", "set lr \u{1B}[31m0.1", "zero\u{85}", "step\u{2028}zero",
                   "show\u{00A0}grad", "\u{FEFF}help", "help\u{200F}", "set batch \u{202E}61"])
    case 6:   // unicode in commands and names
      return pick(["ｓｔｅｐ", "STEP", "Step", "backwärd", "train 一", "set 批量 16", "set batch 🙂", "model mlp ８",
                   "show image ٣", "set policy KERAS", "set normalize N", "set memory 6 MB", "set memory 6mb",
                   "set shuffle ON", "set optimizer ADAM", "load fashion from /nonexistent-é", "help ßet",
                   "set lr 1e-3\u{301}", "set batch 1\u{301}6", "İ", "e\u{301}"])
    default:  // random bytes as characters
      return String((0..<int(1...40)).map { _ in Character(Unicode.Scalar(UInt8(pick(Array(0...9) + Array(11...127))))) })  // no \n: a line never holds one
    }
  }

  // MARK: - Values at and past the limits

  static func edges(_ setting: Setting) -> [String] {
    switch setting {
    case .batch: ["0", "1", "2", "15", "16", "17", "64", "199", "200", "201", "299", "300", "301", "60000", "60001",
                  "60_000", "6_0_0_0_1", "1.5", "-1", "1e3", "x", "9223372036854775808", "16 16"]
    case .accumulate: ["0", "1", "2", "3", "4", "8", "13", "10000", "10001", "{0: 8, 4: 2}", "{0:2,1:3}", "{}",
                       "{0: 8,}", "{0: 8, 0: 2}", "{-1: 2}", "{1: 4}", "{0: 10000}", "{0: 10001}",
                       "{9223372036854775807: 2}", "{0: 8, 4: 2", "0:2,1:1", "{ 0 : 2 }", "{0:1}", "{0 : 3, 2 : 1}",
                       "{0:8,,}", "{,}", "{:}", "{0: 2, 1: 0}", "1_0", "{0: 1_0}", "-0", "{0: 9223372036854775807}"]
    case .lr: ["0", "1e-45", "1.4e-45", "1e-46", "1e-3", "0.001", "0.1", "1", "10", "10.0", "10.0001", "10.000001",
               "11", "nan", "inf", "-inf", "-0", "-1", "0x1p-3", "1e", ".5", "5.", "1,5", "fast", "1e-3 1e-3"]
    case .optimizer: ["sgd", "adam", "adamw", "sgd wrap 4", "adam wrap 1", "sgd wrap 0", "sgd wrap 10000", "sgd wrap 10001",
                      "SGD", "lbfgs", "sgd wrap", "sgd wrap 4 5", "sgd twice", "adamw wrap 2", "sgd wrap 2", "sgd wrap x"]
    case .momentum: ["0", "0.9", "0.99", "0.999999", "1", "0.99999999", "-0", "-0.5", "nan", "0.5"]
    case .weightDecay: ["0", "0.1", "0.5", "0.9999", "1", "-0", "1e-45", "-1e-45"]
    case .seed: ["0", "1", "42", "9223372036854775807", "9223372036854775808", "-1", "1_0", "18446744073709551615", "x"]
    case .shuffle, .quick, .autozero: ["on", "off", "yes", "no", "true", "false", "1", "0", "ON", "maybe", "2"]
    case .threads: ["0", "1", "2", "8", "9", "-1", "1_0"]
    case .policy: AccumulationPolicy.allCases.map(\.rawValue) + ["pytorch", "KERAS", "Lightning", ""]
    case .normalize: LossNormalization.allCases.map(\.word) + ["mean", "N", "OFF", "none"]
    case .clip: ["1.0", "off", "1 micro", "0", "1e6", "1e6 micro", "1000001", "big", "1 macro", "1 micro extra", "inf",
                 "OFF", "1e-45", "0.5 MICRO", "-1"]
    case .scheduler: ["off", "warmup 10 0.1", "warmup 3", "warmup 3 micro", "steplr 2 0.5", "steplr 1 1", "steplr 1 0",
                      "cosine 5", "cosine 5 1e-5 micro", "cosine 1 10", "cosine 1 11", "warmup 0", "warmup 10000000",
                      "warmup 10000001", "fast", "warmup", "warmup x", "warmup 2 0", "warmup 2 2", "steplr 2 0.5 micro extra",
                      "micro", "WARMUP 4", "cosine 3 -0", "cosine 3 nan"]
    case .memory: ["0B", "1B", "0.4B", "0.5B", "1000GB", "1000.0001GB", "2000GB", "6MB", "5.5MB", "1KB", "6 MB", "off",
                   "1e3B", "nanMB", "infGB", "-1MB", "1.5", "MB", "1e-3GB", "9e18B", "100KB", "20KB", "1 KB"]
    default: setting.values + ["x"]
    }
  }

  // MARK: - Mutations

  /// One to three edits of a valid line: words dropped, doubled, swapped or replaced; characters
  /// flipped, inserted or deleted; the line cut short.
  mutating func mutate(_ line: String) -> String {
    var line = line
    for _ in 0..<int(1...3) {
      var words = line.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
      var chars = Array(line)
      switch int(0...9) {
      case 0 where words.count > 1: words.remove(at: int(0...(words.count - 1))); line = words.joined(separator: " ")
      case 1: let i = int(0...(words.count - 1)); words.insert(words[i], at: i); line = words.joined(separator: " ")
      case 2 where words.count > 1:
        words.swapAt(int(0...(words.count - 1)), int(0...(words.count - 1))); line = words.joined(separator: " ")
      case 3 where !chars.isEmpty: chars[int(0...(chars.count - 1))] = pick(Array("0123456789_-.xX{}:,\"'\\ é;~/"))
        line = String(chars)
      case 4: chars.insert(pick(Array("0123456789_-. \t\"'\\{}é🙂\u{301}")), at: int(0...chars.count)); line = String(chars)
      case 5 where !chars.isEmpty: chars.remove(at: int(0...(chars.count - 1))); line = String(chars)
      case 6: line = String(chars.prefix(int(0...chars.count)))
      case 7: let i = int(0...(words.count - 1)); words[i] = pick(Self.numbers); line = words.joined(separator: " ")
      case 8: words.insert(pick(["train", "steps", "from", "wrap", "micro", "batchnorm", "dropout", "mlp", "off", "on",
                                 "weights", "state", "plot", "loss", "grad", "fashion", "test"]),
                           at: int(0...words.count)); line = words.joined(separator: " ")
      default: let i = int(0...(words.count - 1)); words[i] = words[i].uppercased(); line = words.joined(separator: " ")
      }
    }
    return line
  }
}
