// DataLoader.swift — an epoch's batches in PyTorch DataLoader order, converted to Float one batch at a time.

import Engine

/// Batches of `batchSize` examples, like `torch.utils.data.DataLoader(data, batch_size,
/// shuffle, drop_last)` over a dataset with torchvision's `ToTensor()`: the last, short
/// batch is kept unless `dropLast`, and pixels become `Float(p) / 255`.
///
/// Shuffled order: epoch `e` under seed `s` is a Fisher–Yates shuffle of 0..<count by
/// `RandomNumbers(seed: d)`, where `d` is the (e+1)-th number drawn from `RandomNumbers(seed: s)`.
/// So an epoch's order depends only on (seed, epoch) — resuming at epoch 3 sees epoch 3's
/// order — and seed 1 does not replay seed 0's second epoch, as `seed + epoch` would.
public final class DataLoader: BatchSource {
  public let data: LabeledImages
  public let batchSize: Int
  public let shuffle: Bool
  public let seed: UInt64
  public let dropLast: Bool
  /// The sample indices of the current epoch, in the order batches take them.
  public private(set) var order: [Int]
  public private(set) var epoch = 0

  public init(_ data: LabeledImages, batchSize: Int, shuffle: Bool = false, seed: UInt64 = 0, dropLast: Bool = false) {
    precondition(batchSize > 0, "batch size \(batchSize)")
    self.data = data
    self.batchSize = batchSize
    self.shuffle = shuffle
    self.seed = seed
    self.dropLast = dropLast
    order = Array(0..<data.count)
    startEpoch(0)
  }

  public var sampleCount: Int { data.count }
  public var features: Int { data.features }

  public var batchesPerEpoch: Int {
    dropLast ? data.count / batchSize : (data.count + batchSize - 1) / batchSize
  }

  public func size(ofBatch index: Int) -> Int {
    precondition(index >= 0 && index < batchesPerEpoch, "batch \(index) of \(batchesPerEpoch)")
    return min(batchSize, data.count - index * batchSize)
  }

  public func startEpoch(_ epoch: Int) {
    precondition(epoch >= 0, "epoch \(epoch)")
    self.epoch = epoch
    guard shuffle else { return }
    var seeds = RandomNumbers(seed: seed)
    for _ in 0..<epoch { _ = seeds.next() }
    var random = RandomNumbers(seed: seeds.next())
    for i in order.indices { order[i] = i }  // refilled in place: no allocation per epoch
    random.shuffle(&order)
  }

  public func fill(_ batch: Batch, index: Int) {
    let n = size(ofBatch: index)
    let features = data.features
    precondition(batch.features == features, "batch of \(batch.features) features for images of \(features)")
    precondition(batch.capacity >= n, "batch of capacity \(batch.capacity) for \(n) examples")
    let first = index * batchSize
    data.pixels.withUnsafeBufferPointer { pixels in
      for row in 0..<n {
        let sample = order[first + row]
        let source = pixels.baseAddress! + sample * features
        let target = batch.images.pointer + row * features  // [n, features]
        // Division, not multiplication by 1/255: that differs in the last bit for 126 of
        // the 256 byte values, and PyTorch's CPU `x.float().div(255)` divides.
        for j in 0..<features { target[j] = Float(source[j]) / 255 }
        batch.labels[row] = Int32(data.labels[sample])
      }
    }
    batch.count = n
  }
}
