// Batch.swift — one batch of examples in a buffer sized once, and where batches come from.

/// A reusable batch: images [capacity, features] as Float in [0, 1], labels as Int32.
public final class Batch: @unchecked Sendable {
  public let capacity: Int
  public let features: Int
  public let images: Tensor                      // [capacity, features]
  public let labels: UnsafeMutablePointer<Int32> // [capacity]
  public var count: Int = 0                      // rows filled, ≤ capacity

  public init(capacity: Int, features: Int) {
    self.capacity = capacity
    self.features = features
    images = Tensor(rows: capacity, columns: features)
    labels = .allocate(capacity: max(capacity, 1))
    labels.initialize(repeating: 0, count: max(capacity, 1))
  }

  deinit { labels.deallocate() }

  /// The filled rows: [count, features].
  public var x: Tensor { images.prefix(rows: count) }
  public var y: UnsafeMutableBufferPointer<Int32> { .init(start: labels, count: count) }
}

/// Where an epoch's batches come from: a data loader, or a synthetic set in tests.
public protocol BatchSource: AnyObject {
  var sampleCount: Int { get }
  var batchSize: Int { get }
  var features: Int { get }
  var batchesPerEpoch: Int { get }
  /// Examples in batch `index` of an epoch (the last one may be short).
  func size(ofBatch index: Int) -> Int
  /// Starts epoch `epoch` (0-based): fixes the order, reshuffling when shuffling is on.
  func startEpoch(_ epoch: Int)
  /// Fills `batch` with batch `index` of the current epoch.
  func fill(_ batch: Batch, index: Int)
}

extension BatchSource {
  /// The rows a batch of this source can hold: its first batch, which no later one exceeds (a
  /// batch size of 60,000 over 2 images holds 2, and needs room for 2, not 60,000).
  public var largestBatch: Int { batchesPerEpoch > 0 ? size(ofBatch: 0) : 0 }
}
