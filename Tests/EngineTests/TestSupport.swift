// TestSupport.swift — a batch source over arrays and small helpers for engine tests.

import Testing
@testable import Engine

/// Batches of fixed rows over in-memory examples, in order.
final class ArraySource: BatchSource {
  let x: [[Float]]
  let y: [Int32]
  let batchSize: Int
  var epochsStarted: [Int] = []

  init(x: [[Float]], y: [Int32], batchSize: Int) {
    self.x = x; self.y = y; self.batchSize = batchSize
  }

  /// `count` examples of `features` values with a seeded pattern and labels in 0..<classes.
  convenience init(count: Int, features: Int, classes: Int, batchSize: Int, seed: UInt64) {
    var rng = RandomNumbers(seed: seed)
    let x = (0..<count).map { _ in (0..<features).map { _ in rng.nextUnitFloat() } }
    let y = (0..<count).map { _ in Int32(rng.nextIndex(below: classes)) }
    self.init(x: x, y: y, batchSize: batchSize)
  }

  var sampleCount: Int { x.count }
  var features: Int { x.first?.count ?? 0 }
  var batchesPerEpoch: Int { (x.count + batchSize - 1) / batchSize }
  func size(ofBatch index: Int) -> Int { min(batchSize, x.count - index * batchSize) }
  func startEpoch(_ epoch: Int) { epochsStarted.append(epoch) }
  func fill(_ batch: Batch, index: Int) {
    let n = size(ofBatch: index)
    batch.count = n
    for r in 0..<n {
      for c in 0..<features { batch.images[r, c] = x[index * batchSize + r][c] }
      batch.labels[r] = y[index * batchSize + r]
    }
  }
}

/// max |a − b| / max |b|: the relative difference used throughout.
func relativeDifference(_ a: Tensor, _ b: Tensor) -> Double {
  precondition(a.count == b.count)
  var diff: Float = 0, scale: Float = 0
  for i in 0..<a.count { diff = max(diff, abs(a[i] - b[i])); scale = max(scale, abs(b[i])) }
  return scale == 0 ? Double(diff) : Double(diff / scale)
}

func makeTrainer(sizes: [Int], seed: UInt64 = 1, threads: Int = 1, lr: Float = 0.1,
                 accumulate: Int = 1) -> Trainer {
  let model = Sequential(sizes: sizes, seed: seed, threads: threads)
  let sgd = SGD(model.parameters, pool: { model.pool }, learningRate: lr)
  return Trainer(model: model, optimizer: sgd,
                 accumulator: Accumulator(schedule: AccumulationSchedule(accumulate)))
}

/// What both PyTorch fixtures (the MLP's and the CNN's) check, by the fixture's tensor names:
/// `loss`, `logits` and `grad.NAME` for one batch of 64, `accum.losses` and `accum.grad.NAME`
/// for four micro-batches of 16. `close` is the suite's comparison of a tensor with the fixture's.
struct FixtureChecks {
  let file: [String: Tensor]
  let close: (_ tensor: Tensor, _ name: String, _ what: String) -> Void

  /// One batch: the loss within `lossTolerance` (absolute), then the logits and every gradient.
  func forwardLossAndGradients(_ t: Trainer, _ source: ArraySource, lossTolerance: Double) throws {
    let m = try t.backward(source)
    #expect(abs(Double(m.loss) - Double(file["loss"]![0])) <= lossTolerance, "loss \(m.loss) vs \(file["loss"]![0])")
    close((t.model.layers.last as! Linear).output.prefix(rows: 64), "logits", "logits")
    for p in t.model.parameters.parameters { close(p.grad, "grad.\(p.name)", "gradient of \(p.name)") }
  }

  /// Four micro-batches into one window: each one's loss, then the accumulated gradients.
  func fourMicroBatches(_ t: Trainer, _ source: ArraySource) throws {
    for k in 0..<4 {
      let m = try t.backward(source)
      #expect(abs(m.loss - file["accum.losses"]![k]) <= 1e-5, "micro-batch \(k + 1) loss")
    }
    for p in t.model.parameters.parameters { close(p.grad, "accum.grad.\(p.name)", "accumulated gradient of \(p.name)") }
  }
}

/// Trains `t` on `source` for `epochs`: the optimizer steps of each epoch, and the loss scale of
/// every micro-batch (1/N, 1/k, 1: what the window's rules divided it by).
func stepsAndScales(_ t: Trainer, _ source: ArraySource, epochs: Int) throws -> (steps: [Int], scales: [Float]) {
  var steps: [Int] = [], scales: [Float] = [], last = 0
  _ = try t.train(source, epochs: epochs) { event in
    switch event {
    case .backward(let m): scales.append(m.scale)
    case .epochEnded: steps.append(t.accumulator.steps - last); last = t.accumulator.steps
    default: break
    }
  }
  return (steps, scales)
}
