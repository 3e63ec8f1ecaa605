// LabeledImages.swift — a set of same-sized grey images and their class labels, as bytes.

/// Images and labels as they are stored on disk: one byte a pixel, one byte a label.
/// The set stays in bytes (47 MB for FashionMNIST's training set, not 188 MB of Float);
/// a `DataLoader` converts one batch at a time.
public struct LabeledImages: Sendable, Equatable {
  public let pixels: [UInt8]  // [count, rows·columns], row-major, 0 = background
  public let labels: [UInt8]  // [count]
  public let rows: Int
  public let columns: Int

  public init(pixels: [UInt8], labels: [UInt8], rows: Int, columns: Int) {
    precondition(rows > 0 && columns > 0, "images of \(rows)×\(columns)")
    precondition(pixels.count == labels.count * rows * columns,
                 "\(pixels.count) pixels for \(labels.count) images of \(rows)×\(columns)")
    self.pixels = pixels
    self.labels = labels
    self.rows = rows
    self.columns = columns
  }

  public var count: Int { labels.count }

  /// Pixels per image: the length of one input row for the model.
  public var features: Int { rows * columns }

  /// Image `index`'s pixels, row-major.
  public func image(_ index: Int) -> ArraySlice<UInt8> {
    pixels[index * features ..< (index + 1) * features]
  }

  /// The first `n` examples (all of them if there are fewer), like `Collection.prefix`.
  public func prefix(_ n: Int) -> LabeledImages {
    let n = max(0, min(n, count))
    return LabeledImages(pixels: Array(pixels[..<(n * features)]), labels: Array(labels[..<n]),
                         rows: rows, columns: columns)
  }
}
