// CNNTests.swift — the convolutional model against PyTorch (Tests/Fixtures/torch_cnn.safetensors,
// made by make_cnn_fixture.py), against a naive convolution, and against finite differences;
// and the rules every layer keeps: gradients add up, and the thread count changes nothing.

import Foundation
import Testing
@testable import Engine

@Suite struct CNNTests {
  static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Fixtures/torch_cnn.safetensors").path
  /// The bound: max |Δ| / max |g| per tensor.
  static let tolerance = 1e-5

  let file: [String: Tensor]
  init() throws { file = try SafeTensors.read(Self.fixture).tensors }

  static func cnn(_ channels: [Int], hidden: Int = 128, image: Architecture.Image = .init(channels: 1, height: 28, width: 28),
                  classes: Int = 10, batchNorm: Bool = false, dropout: Float = 0, threads: Int = 1, seed: UInt64 = 0) -> Sequential {
    Sequential(Architecture(kind: .cnn(channels: channels, hidden: hidden, image: image), classes: classes,
                            batchNorm: batchNorm, dropout: dropout), seed: seed, threads: threads)
  }

  /// The fixture's model and its 64 images, the weights under `prefix` ("" or "bn.").
  func trainer(_ prefix: String = "", batchNorm: Bool = false, threads: Int = 1, batch: Int = 64, accumulate: Int = 1)
    -> (Trainer, ArraySource) {
    let model = Self.cnn([4, 8], batchNorm: batchNorm, threads: threads)
    for p in model.parameters.parameters { p.value.copy(from: file[prefix + p.name]!) }
    let x = file["x"]!, y = file["y"]!
    let rows = (0..<x.rows).map { r in (0..<x.columns).map { x[r, $0] } }
    let source = ArraySource(x: rows, y: (0..<y.count).map { Int32(y[$0]) }, batchSize: batch)
    let sgd = SGD(model.parameters, pool: { model.pool }, learningRate: 0.1)
    return (Trainer(model: model, optimizer: sgd, accumulator: Accumulator(schedule: AccumulationSchedule(accumulate))), source)
  }

  /// max |Δ| / max |g| within the tolerance; for a gradient that is zero up to rounding (≤ 1e-4 of the largest: the biases
  /// of convolutions right before a batch norm, which subtracts the batch mean and so cancels any bias), |Δ| against the
  /// model's largest.
  func expectClose(_ a: Tensor, _ name: String, _ what: String, tolerance: Double = CNNTests.tolerance, largest: Float? = nil) {
    let reference = file[name]!
    if let largest, reference.maxAbs <= 1e-4 * largest {
      let d = Double(zip(a.array, reference.array).map { abs($0 - $1) }.max() ?? 0) / Double(largest)
      // Both sides are the rounding of a sum that cancels over B·H·W values (50,176 for the first
      // convolution's maps): noise of ~1e-4 of the largest gradient, on either side.
      print("CNN \(what) (no gradient up to rounding): max |Δ| / the model's max |g| \(d)")
      #expect(d <= 1e-3, "\(what): max |Δ| \(d) of the model's largest gradient")
      return
    }
    let d = relativeDifference(a, reference)
    print("CNN \(what): maxdiff/max \(d)")
    #expect(d <= tolerance, "\(what): max |Δ| / max |g| \(d) against PyTorch's \(name)")
  }

  /// The largest |g| of the fixture's gradients named `prefix` + parameter.
  func largestGradient(_ prefix: String, _ model: Sequential) -> Float {
    model.parameters.parameters.map { file[prefix + $0.name]!.maxAbs }.max()!
  }

  @Test func namesShapesAndCountAsPyTorch() {
    let model = Self.cnn([32, 64])
    #expect(model.parameterCount == 421_642)
    #expect(model.parameters.parameters.map(\.name) == ["0.weight", "0.bias", "3.weight", "3.bias", "7.weight", "7.bias", "9.weight", "9.bias"])
    #expect(model.parameters["0.weight"]!.value.shape == [32, 1, 3, 3] && model.parameters["7.weight"]!.value.shape == [128, 3136])
    let bn = Self.cnn([32, 64], batchNorm: true)
    #expect(bn.parameters.names == ["0.weight", "0.bias", "1.weight", "1.bias", "4.weight", "4.bias", "5.weight", "5.bias",
                                    "9.weight", "9.bias", "11.weight", "11.bias"])
    #expect(bn.buffers.map(\.name) == ["1.running_mean", "1.running_var", "5.running_mean", "5.running_var"])
    #expect(Self.cnn([32, 64], dropout: 0.5).parameters.names.suffix(2) == ["10.weight", "10.bias"])
  }

  @Test(arguments: [1, 2])
  func forwardLossAndGradientsMatchPyTorch(threads: Int) throws {
    let (t, source) = trainer(threads: threads)
    try checks.forwardLossAndGradients(t, source, lossTolerance: 1e-5 * Double(file["loss"]![0]))
  }

  @Test func fourMicroBatchesMatchPyTorchsAccumulation() throws {
    let (t, source) = trainer(batch: 16, accumulate: 4)
    try checks.fourMicroBatches(t, source)
  }

  var checks: FixtureChecks { FixtureChecks(file: file) { expectClose($0, $1, $2) } }

  @Test func batchNormMatchesPyTorchAndIsNotEquivalentAccumulated() throws {
    let (t, source) = trainer("bn.", batchNorm: true)
    let m = try t.backward(source)
    #expect(abs(Double(m.loss) - Double(file["bn.loss"]![0])) <= 1e-5 * Double(file["bn.loss"]![0]))
    expectClose((t.model.layers.last as! Linear).output.prefix(rows: 64), "bn.logits", "batch-norm logits")
    let largest = largestGradient("bn.grad.", t.model)
    for p in t.model.parameters.parameters {
      expectClose(p.grad, "bn.grad.\(p.name)", "batch-norm gradient of \(p.name)", largest: largest)
    }
    for (name, tensor) in t.model.buffers { expectClose(tensor, "bn." + name, name) }
    let (a, micro) = trainer("bn.", batchNorm: true, batch: 16, accumulate: 4)
    for _ in 0..<4 { _ = try a.backward(micro) }
    let largestAccumulated = largestGradient("bn.accum.grad.", a.model)
    for p in a.model.parameters.parameters {
      expectClose(p.grad, "bn.accum.grad.\(p.name)", "batch-norm accumulated \(p.name)", largest: largestAccumulated)
    }
    // Not the large batch's gradient: the same measure as the fixture's, max |Δ| / max |g| over the model.
    let difference = zip(a.model.parameters.grads.array, t.model.parameters.grads.array).map { abs($0 - $1) }.max()!
    let ours = Double(difference / t.model.parameters.grads.maxAbs), theirs = Double(file["bn.relative_difference"]![0])
    print("CNN batch norm: accumulated 4 × 16 vs batch 64, ours \(ours), PyTorch's \(theirs)")
    #expect(ours > 1e-2 && abs(ours - theirs) <= 1e-3 * theirs)
  }

  @Test func maxPoolRoutesATieToTheFirstMaximumAsPyTorch() {
    let pool = MaxPool2d(channels: 1, height: 4, width: 4)
    pool.prepare(capacity: 1, needsInputGradient: true)
    let x = file["pool.x"]!, parallel = Parallel(pool: WorkerPool(threads: 1))
    let input = Tensor(rows: 1, columns: 16)
    input.copy(from: x)
    let y = pool.forward(input, training: true, parallel)
    #expect(y.array == file["pool.y"]!.array)
    let ones = Tensor(rows: 1, columns: 4); ones.fill(1)
    #expect(pool.backward(ones, needsInputGradient: true, parallel)!.array == file["pool.grad_x"]!.array)
  }

  /// The vectorised windows (rows of 8 or more, and short rows read on into the next ones) decide
  /// as the window-by-window definition: row order, a later value winning only if larger or NaN.
  /// Values from five levels make ties common; a few NaNs, and sizes with odd edges, all in a
  /// batch of two images so a plane's last windows meet the next image.
  @Test(arguments: [(28, 28), (14, 14), (15, 13), (4, 20), (6, 6)])
  func maxPoolDecidesEveryWindowAsTheDefinition(_ size: (Int, Int)) {
    let (h, w, channels, batch) = (size.0, size.1, 3, 2)
    let pool = MaxPool2d(channels: channels, height: h, width: w)
    pool.prepare(capacity: batch, needsInputGradient: true)
    var rng = RandomNumbers(seed: 7)
    let x = Tensor(rows: batch, columns: channels * h * w)
    for i in 0..<x.count { x[i] = rng.nextIndex(below: 50) == 0 ? .nan : Float(rng.nextIndex(below: 5)) }
    let y = pool.forward(x, training: true, Parallel(pool: WorkerPool(threads: 2)))
    let (oh, ow) = (h / 2, w / 2)
    var expected: [Float] = [], expectedWinners: [Int] = []
    for b in 0..<batch {
      for c in 0..<channels {
        for r in 0..<oh {
          for q in 0..<ow {
            let at = b * channels * h * w + c * h * w + 2 * r * w + 2 * q
            var best = at
            for i in [at + 1, at + w, at + w + 1] where x[i] > x[best] || x[i].isNaN { best = i }
            expected.append(x[best]); expectedWinners.append(best)
          }
        }
      }
    }
    #expect(y.array.map(\.bitPattern) == expected.map(\.bitPattern))
    // The winners, seen through backward: a distinct gradient per window lands on its winner.
    let dy = Tensor(rows: batch, columns: channels * oh * ow)
    for i in 0..<dy.count { dy[i] = Float(i + 1) }
    let dx = pool.backward(dy, needsInputGradient: true, Parallel(pool: WorkerPool(threads: 2)))!
    var expectedDx = [Float](repeating: 0, count: x.count)
    for (o, winner) in expectedWinners.enumerated() { expectedDx[winner] += Float(o + 1) }
    #expect(dx.array == expectedDx)
  }

  /// The convolution by its definition, loops only: the reference of the im2col one.
  static func naiveConv(_ x: [Float], _ w: Tensor, _ b: Tensor, c: Int, h: Int, width: Int, out: Int) -> [Float] {
    var y = [Float](repeating: 0, count: out * h * width)
    for o in 0..<out {
      for r in 0..<h {
        for q in 0..<width {
          var s = Double(b[o])
          for ch in 0..<c {
            for i in 0..<3 {
              for j in 0..<3 {
                let (rr, qq) = (r + i - 1, q + j - 1)
                guard rr >= 0 && rr < h && qq >= 0 && qq < width else { continue }
                s += Double(w[((o * c + ch) * 3 + i) * 3 + j]) * Double(x[(ch * h + rr) * width + qq])
              }
            }
          }
          y[(o * h + r) * width + q] = Float(s)
        }
      }
    }
    return y
  }

  @Test func im2colConvolutionMatchesTheNaiveOne() {
    let (c, h, w, out, batch) = (3, 5, 7, 4, 3)
    let p = ParameterSet([("weight", [out, c, 3, 3]), ("bias", [out])])
    let conv = Conv2d(inChannels: c, outChannels: out, height: h, width: w, weight: p["weight"]!, bias: p["bias"]!)
    var rng = RandomNumbers(seed: 5)
    conv.initialize(&rng)
    conv.prepare(capacity: batch, needsInputGradient: true)
    let x = Tensor(rows: batch, columns: c * h * w)
    for i in 0..<x.count { x[i] = rng.uniform(1) }
    let y = conv.forward(x, training: true, Parallel(pool: WorkerPool(threads: 2)))
    var worst: Float = 0
    for b in 0..<batch {
      let image = (0..<(c * h * w)).map { x[b, $0] }
      let reference = Self.naiveConv(image, p["weight"]!.value, p["bias"]!.value, c: c, h: h, width: w, out: out)
      for i in 0..<reference.count { worst = max(worst, abs(y[b, i] - reference[i])) }
    }
    print("conv vs naive: max |Δ| \(worst)")
    #expect(worst < 1e-5)
  }

  /// Batch norm is checked alone: normalised values crowd around 0, where the ReLUs after it bend
  /// within a finite difference's step. The loss is a fixed weighting of its outputs.
  @Test func batchNorm2dMatchesFiniteDifferences() {
    let (channels, pixels, batch) = (3, 10, 4)
    let p = ParameterSet([("weight", [channels]), ("bias", [channels])])
    let bn = BatchNorm2d(channels: channels, pixels: pixels, weight: p["weight"]!, bias: p["bias"]!)
    var rng = RandomNumbers(seed: 2)
    bn.initialize(&rng)
    for i in 0..<channels { p["weight"]!.value[i] = 0.5 + rng.uniform(0.4); p["bias"]!.value[i] = rng.uniform(1) }
    bn.prepare(capacity: batch, needsInputGradient: true)
    let x = Tensor(rows: batch, columns: channels * pixels), mix = Tensor(rows: batch, columns: channels * pixels)
    for i in 0..<x.count { x[i] = rng.uniform(2); mix[i] = rng.uniform(1) }
    let parallel = Parallel(pool: WorkerPool(threads: 2))
    func loss() -> Double {
      let y = bn.forward(x, training: true, parallel)
      return (0..<y.count).reduce(0.0) { $0 + Double(y[$1] * mix[$1]) }
    }
    _ = loss()
    let dy = mix.clone()
    _ = bn.backward(dy, needsInputGradient: true, parallel)
    FiniteDifference(step: 1e-2).check(p.parameters, "BatchNorm2d", loss: loss)
  }

  @Test func everyParameterMatchesFiniteDifferences() throws {
    let model = Self.cnn([2, 3], hidden: 6, image: .init(channels: 1, height: 8, width: 8), classes: 3, seed: 4)
    let source = ArraySource(count: 5, features: 64, classes: 3, batchSize: 5, seed: 9)
    let b = Batch(capacity: 5, features: 64)
    source.fill(b, index: 0)
    let g = Tensor(rows: 5, columns: 3)
    _ = CrossEntropy.evaluate(logits: model.forward(b.x), labels: b.y, gradient: g)
    model.backward(g)
    FiniteDifference(step: 1e-3).check(model.parameters.parameters, "cnn") {
      Double(CrossEntropy.evaluate(logits: model.forward(b.x), labels: b.y).loss)
    }
  }

  @Test func gradientsAddUpAcrossBackwardCalls() throws {
    let (t, source) = trainer(batch: 16, accumulate: 4)
    _ = try t.backward(source)
    let once = t.model.parameters.grads.clone()
    t.zeroGrad()
    t.restartEpoch()
    _ = try t.backward(source)
    #expect(fingerprint(t.model.parameters.grads) == fingerprint(once))
    _ = try t.backward(source)
    #expect(relativeDifference(t.model.parameters.grads, once) > 1e-3)   // added, not overwritten
  }

  @Test func oneAndTwoThreadsTrainBitIdentically() throws {
    let (one, source) = trainer(threads: 1, batch: 13, accumulate: 2)
    let (two, _) = trainer(threads: 2, batch: 13, accumulate: 2)
    for _ in 0..<5 {
      let a = try one.backward(source), b = try two.backward(source)
      #expect(a.loss.bitPattern == b.loss.bitPattern)
      for (p, q) in zip(one.model.parameters.parameters, two.model.parameters.parameters) {
        #expect(fingerprint(p.grad) == fingerprint(q.grad), "\(p.name)")
      }
      #expect(try one.stepIfWindowFull() == two.stepIfWindowFull())
      #expect(fingerprint(one.model.parameters.values) == fingerprint(two.model.parameters.values))
    }
  }
}

/// The memory report counts what the layers declare; this counts what they hold, by looking into
/// each layer's stored tensors (Mirror), so declaration and allocation cannot drift apart.
@Suite struct WorkspaceAccountingTests {
  /// Floats in every distinct storage the layers keep, but the parameters' and the small
  /// per-channel statistics of batch norm; a MaxPool2d's Int32 winners count as floats.
  static func heldFloats(_ model: Sequential, input: Tensor) -> Int {
    var seen = Set<ObjectIdentifier>([ObjectIdentifier(model.parameters.values.storage), ObjectIdentifier(model.parameters.grads.storage),
                                      ObjectIdentifier(input.storage)])   // the batch: the trainer's, counted apart
    var floats = 0
    func visit(_ object: Any) {
      for child in Mirror(reflecting: object).children {
        if let t = child.value as? Tensor {
          guard !["runningMean", "runningVariance", "inverseStd"].contains(child.label ?? "") else { continue }
          if seen.insert(ObjectIdentifier(t.storage)).inserted && t.count > 0 { floats += t.storage.count }
        } else if let winners = child.value as? [Int32] {
          floats += winners.count
        } else if let norm = child.value as? BatchNorm {
          visit(norm)
        }
      }
    }
    for layer in model.layers { visit(layer) }
    return floats
  }

  @Test(arguments: [false, true])
  func whatTheLayersHoldIsWhatTheyDeclare(batchNorm: Bool) throws {
    for model in [CNNTests.cnn([8, 16], batchNorm: batchNorm, dropout: batchNorm ? 0 : 0.5),
                  Sequential(sizes: [784, 64, 32, 10], seed: 0, batchNorm: batchNorm)] {
      let batch = 12
      let source = ArraySource(count: batch, features: 784, classes: 10, batchSize: batch, seed: 1)
      let b = Batch(capacity: batch, features: 784)
      source.fill(b, index: 0)
      let g = Tensor(rows: batch, columns: 10)
      _ = CrossEntropy.evaluate(logits: model.forward(b.x), labels: b.y, gradient: g)
      model.backward(g)
      let declared = model.workspaces(rows: batch).reduce(0) { $0 + $1.workspace.floats }
      let held = Self.heldFloats(model, input: b.x)
      #expect(held == declared, "\(model.architecture.kind): held \(held) floats, declared \(declared)")
      #expect(model.workspaceFloats == declared)
    }
  }
}
