// ThreadDeterminismTests.swift — training on 1 thread and on 2 is bit-identical: every loss,
// gradient and weight, with accumulation and with batches that do not split evenly.

import Testing
@testable import Engine

@Suite struct ThreadDeterminismTests {
  struct Case: Sendable, CustomTestStringConvertible {
    var sizes: [Int]
    var batch: Int
    var batchNorm = false
    var dropout: Float = 0
    var testDescription: String { "\(sizes) batch \(batch)\(batchNorm ? " batchnorm" : "")\(dropout > 0 ? " dropout \(dropout)" : "")" }
  }

  static let cases: [Case] = [
    Case(sizes: [784, 64, 64, 10], batch: 16),
    Case(sizes: [784, 64, 64, 10], batch: 13),                 // 13 rows: no split into equal halves
    Case(sizes: [100, 70, 90, 10], batch: 13),                 // 70 and 90 features split 48 + 22, 48 + 42
    Case(sizes: [100, 70, 90, 10], batch: 13, batchNorm: true, dropout: 0.25),
  ]

  func trainer(_ c: Case, threads: Int) -> Trainer {
    let model = Sequential(sizes: c.sizes, seed: 11, threads: threads, batchNorm: c.batchNorm, dropout: c.dropout)
    let sgd = SGD(model.parameters, pool: { model.pool }, learningRate: 0.05)
    return Trainer(model: model, optimizer: sgd, accumulator: Accumulator(schedule: AccumulationSchedule(4)))
  }

  /// Where two tensors differ bit for bit: how many floats, the first index and the largest gap.
  func bitDifference(_ a: Tensor, _ b: Tensor) -> (count: Int, first: Int?, largest: Float) {
    var count = 0, first: Int?, largest: Float = 0
    for i in 0..<a.count where a[i].bitPattern != b[i].bitPattern {
      count += 1
      if first == nil { first = i }
      largest = max(largest, abs(a[i] - b[i]))
    }
    return (count, first, largest)
  }

  @Test(arguments: cases)
  func oneAndTwoThreadsTrainBitIdentically(_ c: Case) throws {
    // 5 batches of `batch` and a short sixth of 7 per epoch: windows of 4, then 2 at the epoch's end.
    let source = ArraySource(count: 5 * c.batch + 7, features: c.sizes[0], classes: c.sizes.last!,
                             batchSize: c.batch, seed: 21)
    let one = trainer(c, threads: 1), two = trainer(c, threads: 2)
    #expect(one.model.threads == 1 && two.model.threads == 2)
    #expect(bitDifference(one.model.parameters.values, two.model.parameters.values).count == 0)
    var steps = 0
    func compare(_ when: String) {
      for (name, a, b) in [("weights", one.model.parameters.values, two.model.parameters.values),
                           ("gradients", one.model.parameters.grads, two.model.parameters.grads)] {
        let d = bitDifference(a, b)
        #expect(d.count == 0, "\(when): \(d.count) \(name) differ, first at \(d.first ?? -1), largest by \(d.largest)")
      }
    }
    for microBatch in 1...14 {  // two epochs and two micro-batches into a third
      let a = try one.backward(source), b = try two.backward(source)
      #expect(a.loss.bitPattern == b.loss.bitPattern, "micro-batch \(microBatch): loss \(a.loss) vs \(b.loss)")
      #expect(a.samples == b.samples)
      compare("after backward \(microBatch)")  // the gradient mid-window, before any step zeroes it
      let stepped = try one.stepIfWindowFull()
      #expect(try two.stepIfWindowFull() == stepped)
      if stepped { steps += 1; compare("after step \(steps)") }
    }
    #expect(steps == 4)  // 4 + 2 per epoch
    #expect(one.model.parameters.grads.maxAbs > 0, "an open window of 2 micro-batches")
    try one.step(); try two.step()  // the open window stepped by hand
    compare("after the final step")
    #expect(one.model.parameters.grads.maxAbs == 0)
  }
}
