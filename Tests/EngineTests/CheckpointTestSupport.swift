// CheckpointTestSupport.swift — what the checkpoint suites share: a scratch directory, bit-exact
// fingerprints of tensors and trainers, a small model and its data, and the error check.
import Foundation
import Testing
@testable import Engine

let torchFixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
  .deletingLastPathComponent().appendingPathComponent("Fixtures/torch_mlp.safetensors").path

/// Runs `body` with a new empty directory, removed afterwards.
func withDirectory(_ body: (String) throws -> Void) throws {
  let path = FileManager.default.temporaryDirectory.appendingPathComponent("checkpoint-\(UUID())").path
  try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
  defer { try? FileManager.default.removeItem(atPath: path) }
  try body(path)
}

/// A tensor's bit patterns, compared exactly and printed short: "74 floats #3f0a…" (FNV-1a).
struct Bits: Equatable, CustomStringConvertible, CustomDebugStringConvertible {
  let values: [UInt32]
  var debugDescription: String { description }
  var description: String {
    let hash = values.reduce(UInt64(0xcbf2_9ce4_8422_2325)) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
    return "\(values.count) floats #" + String(hash, radix: 16)
  }
}

func fingerprint(_ t: Tensor) -> Bits { Bits(values: t.array.map(\.bitPattern)) }

/// Every number a trainer's training depends on: weights, gradients, optimizer buffers and step count,
/// the cursor and the accumulator's counters.
func snapshot(_ trainer: Trainer) -> [Bits] {
  let p = TrainingPosition(trainer)
  let counters = [trainer.optimizer.stepCount, p.epoch, p.nextBatch, p.steps, p.microBatches, p.samples,
                  p.plannedMicroBatches, p.plannedSamples]
  return [fingerprint(trainer.model.parameters.values), fingerprint(trainer.model.parameters.grads)]
    + trainer.optimizer.state.map { fingerprint($0.tensor) } + [Bits(values: counters.map(UInt32.init))]
}

/// Expects `action` to throw a CheckpointError reading `"\(path): \(message)"`.
func expectCheckpointError(_ path: String, _ message: String, sourceLocation: SourceLocation = #_sourceLocation,
                         _ action: () throws -> Void) {
  let error = #expect(throws: CheckpointError.self, sourceLocation: sourceLocation) { try action() }
  #expect(error?.description == "\(path): \(message)", sourceLocation: sourceLocation)
}

let sizes = [6, 5, 4, 3]
func source() -> ArraySource { ArraySource(count: 20, features: 6, classes: 3, batchSize: 4, seed: 7) }

enum OptimizerKind: String, CaseIterable { case sgdMomentum, adam }

func trainer(_ kind: OptimizerKind, seed: UInt64) -> Trainer {
  let t = makeTrainer(sizes: sizes, seed: seed, accumulate: 2)
  let model = t.model
  switch kind {
  case .sgdMomentum: t.optimizer = SGD(model.parameters, pool: { model.pool }, learningRate: 0.1, momentum: 0.9)
  case .adam: t.optimizer = Adam(model.parameters, pool: { model.pool }, learningRate: 1e-2)
  }
  return t
}
