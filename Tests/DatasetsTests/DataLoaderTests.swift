// DataLoaderTests.swift — batch counts and sizes as PyTorch's DataLoader, order, shuffling, and ToTensor's scaling.

import Engine
import Testing

import Datasets

/// `count` images of 1×2 pixels that spell their own index (high byte, low byte),
/// so a filled batch says which samples it holds.
private func indexImages(_ count: Int) -> LabeledImages {
  LabeledImages(pixels: (0..<count).flatMap { [UInt8($0 >> 8), UInt8($0 & 0xff)] },
                labels: (0..<count).map { UInt8($0 % 10) }, rows: 1, columns: 2)
}

/// The sample indices of every batch of one epoch, in order.
private func epochOrder(_ loader: DataLoader, epoch: Int) -> [Int] {
  loader.startEpoch(epoch)
  let batch = Batch(capacity: loader.batchSize, features: loader.features)
  var indices: [Int] = []
  for b in 0..<loader.batchesPerEpoch {
    loader.fill(batch, index: b)
    for row in 0..<batch.count {
      indices.append(Int((batch.x[row, 0] * 255).rounded()) << 8 | Int((batch.x[row, 1] * 255).rounded()))
    }
  }
  return indices
}

@Test func batchCountsAndSizesAsPyTorch() {
  let data = indexImages(60_000)
  let loader = DataLoader(data, batchSize: 64)
  #expect(loader.batchesPerEpoch == 938)  // len(DataLoader(train, batch_size=64))
  #expect(loader.size(ofBatch: 0) == 64 && loader.size(ofBatch: 936) == 64 && loader.size(ofBatch: 937) == 32)
  #expect(loader.sampleCount == 60_000 && loader.features == 2)

  let dropping = DataLoader(data, batchSize: 64, dropLast: true)
  #expect(dropping.batchesPerEpoch == 937 && dropping.size(ofBatch: 936) == 64)
  #expect(DataLoader(indexImages(128), batchSize: 64).batchesPerEpoch == 2)
  #expect(DataLoader(indexImages(10), batchSize: 64, dropLast: true).batchesPerEpoch == 0)
}

@Test func theShortLastBatchFillsOnlyItsRows() {
  let loader = DataLoader(indexImages(100), batchSize: 64)
  let batch = Batch(capacity: 64, features: 2)
  loader.fill(batch, index: 1)
  #expect(batch.count == 36 && batch.x.rows == 36 && batch.y.count == 36)
  #expect(Array(batch.y) == (64..<100).map { Int32($0 % 10) })
}

@Test func withoutShufflingTheOrderIsNatural() {
  let loader = DataLoader(indexImages(1_000), batchSize: 64)
  #expect(epochOrder(loader, epoch: 0) == Array(0..<1_000))
  #expect(epochOrder(loader, epoch: 5) == Array(0..<1_000))
  #expect(epochOrder(DataLoader(indexImages(1_000), batchSize: 64, dropLast: true), epoch: 0) == Array(0..<960))
}

@Test func shufflingIsAPermutationReproducibleFromTheSeed() {
  let data = indexImages(1_000)
  let loader = DataLoader(data, batchSize: 64, shuffle: true, seed: 42)
  let epoch0 = epochOrder(loader, epoch: 0), epoch1 = epochOrder(loader, epoch: 1)
  #expect(epoch0.sorted() == Array(0..<1_000) && epoch1.sorted() == Array(0..<1_000))
  #expect(epoch0 != Array(0..<1_000) && epoch0 != epoch1)

  let again = DataLoader(data, batchSize: 32, shuffle: true, seed: 42)  // batch size does not change the order
  #expect(epochOrder(again, epoch: 1) == epoch1)
  #expect(epochOrder(again, epoch: 0) == epoch0)  // an epoch's order depends on (seed, epoch) only

  let other = DataLoader(data, batchSize: 64, shuffle: true, seed: 43)
  #expect(epochOrder(other, epoch: 0) != epoch0)
  // Seeds next to each other do not replay each other's epochs, as seed + epoch would.
  #expect(epochOrder(DataLoader(data, batchSize: 64, shuffle: true, seed: 0), epoch: 1)
          != epochOrder(DataLoader(data, batchSize: 64, shuffle: true, seed: 1), epoch: 0))

  let dropping = DataLoader(data, batchSize: 64, shuffle: true, seed: 42, dropLast: true)
  #expect(epochOrder(dropping, epoch: 0) == Array(epoch0.prefix(960)))
}

/// torchvision's ToTensor() is `img.float().div(255)`; on the CPU that is a true division,
/// which is not the same as multiplying by 1/255.
@Test func pixelsScaleAsToTensor() {
  let data = LabeledImages(pixels: (0...255).map(UInt8.init), labels: [0], rows: 16, columns: 16)
  let batch = Batch(capacity: 1, features: 256)
  DataLoader(data, batchSize: 1).fill(batch, index: 0)
  let mismatches = (0...255).filter { batch.x[0, $0].bitPattern != (Float($0) / 255).bitPattern }
  #expect(mismatches.isEmpty, "pixels not equal to Float(p) / 255: \(mismatches)")
  #expect(batch.x[0, 0] == 0 && batch.x[0, 255] == 1)
  let differ = (0...255).filter { Float($0) / 255 != Float($0) * (1 / 255 as Float) }.count
  #expect(differ == 126)  // why `fill` divides
}
