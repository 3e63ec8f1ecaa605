// ShellTestSupport.swift — a session on small synthetic data that keeps what it printed, and
// a snapshot of everything a rejected command must leave as it was.

import Datasets
import Engine
import Foundation
@testable import Shell

/// A session printing into `printed`, with 200 training and 50 test images drawn by
/// `SyntheticImages` (no files needed): batches of 16 make 13 per epoch, the last of 8.
final class TestSession {
  let session: Session
  private let box: Printed
  private final class Printed { var text = "" }

  init(data: Bool = true) {
    let box = Printed()
    self.box = box
    session = Session(output: { box.text += $0 })
    if data {
      session.setData(train: SyntheticImages.make(count: 200, seed: 1),
                      test: SyntheticImages.make(count: 50, seed: 2), directory: "synthetic")
    }
  }

  /// Everything printed so far.
  var printed: String { box.text }

  /// Runs one line and returns what it printed; a rejected command throws.
  @discardableResult
  func run(_ line: String) throws -> String {
    box.text = ""
    try session.execute(line)
    return box.text
  }

  /// Runs one line as the prompt does, printing an error instead of throwing it.
  func runReportingErrors(_ line: String) -> (ok: Bool, printed: String) {
    box.text = ""
    let ok = session.executeReportingErrors(line)
    return (ok, box.text)
  }

  /// Runs lines that must all succeed.
  func run(_ lines: [String]) throws {
    for line in lines { try run(line) }
  }

  var trainer: Trainer? { session.trainer }
}

/// Everything a command can change, compared before and after a rejected one.
struct Snapshot: Equatable, CustomStringConvertible {
  var settings: String
  var prompt: String
  var wantsToQuit: Bool
  var data: [Int]                   // training and test images, batches per epoch
  var architecture: String
  var trainer: ObjectIdentifier?    // the same trainer, model and optimizer objects
  var model: ObjectIdentifier?
  var optimizer: ObjectIdentifier?
  var counters: [Int]               // epoch, next batch, micro-batches, samples, planned, steps
  var lastLoss: Float?
  var weights: UInt64               // FNV-1a of the weights' and gradients' bits
  var gradients: UInt64
  var runs: [String]
  var lastTest: Double?
  var gradientEvents: Int

  init(_ t: TestSession) {
    let s = t.session
    settings = String(describing: s.settings)
    prompt = s.prompt
    wantsToQuit = s.wantsToQuit
    data = [s.train?.count ?? -1, s.test?.count ?? -1, s.trainLoader?.batchesPerEpoch ?? -1]
    architecture = String(describing: s.architecture) + ", " + s.weightsOrigin
    trainer = s.trainer.map(ObjectIdentifier.init)
    model = s.trainer.map { ObjectIdentifier($0.model) }
    optimizer = s.trainer.map { ObjectIdentifier($0.optimizer) }
    if let tr = s.trainer {
      let a = tr.accumulator
      counters = [tr.epoch, tr.nextBatch, a.microBatches, a.samples, a.plannedMicroBatches, a.steps]
      lastLoss = tr.lastLoss
      weights = Self.hash(tr.model.parameters.values)
      gradients = Self.hash(tr.model.parameters.grads)
    } else {
      counters = []
      weights = 0
      gradients = 0
    }
    runs = s.runs.map { "\($0.number) \($0.label) open \($0.isOpen) epochs \($0.epochs.map(\.epoch))" }
    lastTest = s.lastTest?.averageLoss
    gradientEvents = s.history.gradientNorms.count
  }

  /// The same counters, weights, gradients and last loss: the same point of training.
  func sameTraining(as other: Snapshot) -> Bool {
    counters == other.counters && weights == other.weights && gradients == other.gradients
      && lastLoss == other.lastLoss
  }

  static func hash(_ t: Tensor) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for x in t.buffer { h = (h ^ UInt64(x.bitPattern)) &* 0x100_0000_01b3 }
    return h
  }

  var description: String {
    "prompt '\(prompt)', counters \(counters), weights \(weights), gradients \(gradients), runs \(runs), settings \(settings)"
  }
}

/// A fresh folder under the system's temporary directory, removed by `remove()`.
struct ScratchFolder {
  let path: String
  init() throws {
    path = FileManager.default.temporaryDirectory.appendingPathComponent("gashell-shelltests-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  }
  func file(_ name: String) -> String { path + "/" + name }
  func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// A fresh directory under the system's temporary one, removed when the value goes away.
final class Scratch {
  let path = FileManager.default.temporaryDirectory.appendingPathComponent("gashell-scratch-\(UUID().uuidString)").path
  init() throws { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
  deinit { try? FileManager.default.removeItem(atPath: path) }
  func file(_ name: String) -> String { path + "/" + name }
  func read(_ name: String) throws -> String { try String(contentsOfFile: file(name), encoding: .utf8) }
  var names: [String] { (try? FileManager.default.contentsOfDirectory(atPath: path).sorted()) ?? [] }

  /// `name` inside the directory as a path relative to the current directory, `../../tmp/…`.
  func relative(_ name: String) -> String {
    let depth = FileManager.default.currentDirectoryPath.split(separator: "/").count
    return String(repeating: "../", count: depth) + file(name).drop { $0 == "/" }
  }
}
