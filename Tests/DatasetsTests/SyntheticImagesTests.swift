// SyntheticImagesTests.swift — the synthetic set is deterministic, well-formed and learnable.

import Testing

import Datasets

@Test func sameSeedSameImages() {
  let a = SyntheticImages.make(count: 200, seed: 7)
  #expect(a == SyntheticImages.make(count: 200, seed: 7))
  #expect(a != SyntheticImages.make(count: 200, seed: 8))
  #expect((a.count, a.rows, a.columns, a.pixels.count) == (200, 28, 28, 200 * 784))
  #expect(Set(a.labels) == Set(0..<10))
  let small = SyntheticImages.make(count: 30, rows: 8, columns: 6, classes: 3, seed: 1)
  #expect((small.rows, small.columns, small.features) == (8, 6, 48) && Set(small.labels) == [0, 1, 2])
}

@Test func prefixKeepsTheFirstExamples() {
  let a = SyntheticImages.make(count: 20, seed: 7)
  let p = a.prefix(5)
  #expect(p.count == 5 && p.labels == Array(a.labels.prefix(5)) && p.pixels == Array(a.pixels.prefix(5 * 784)))
  #expect(a.prefix(100) == a && a.prefix(0).count == 0)
}

/// Learnable: the nearest class mean of a training set classifies a fresh set almost perfectly.
@Test func classesAreSeparable() {
  let train = SyntheticImages.make(count: 1_000, seed: 1), test = SyntheticImages.make(count: 500, seed: 2)
  let features = train.features
  var means = [[Double]](repeating: [Double](repeating: 0, count: features), count: 10)
  var counts = [Double](repeating: 0, count: 10)
  for i in 0..<train.count {
    let c = Int(train.labels[i])
    counts[c] += 1
    for (j, p) in train.image(i).enumerated() { means[c][j] += Double(p) }
  }
  for c in 0..<10 { means[c] = means[c].map { $0 / counts[c] } }
  let correct = (0..<test.count).filter { i in
    let image = test.image(i).map(Double.init)
    let distances = means.map { mean in zip(mean, image).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } }
    return distances.firstIndex(of: distances.min()!) == Int(test.labels[i])
  }.count
  #expect(Double(correct) / Double(test.count) > 0.95, "nearest-mean accuracy \(correct)/\(test.count)")
}
