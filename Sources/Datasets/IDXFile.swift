// IDXFile.swift — LeCun's IDX format for MNIST-style images and labels: read with every check, and write.

/// An IDX file is a big-endian header — magic number (0, 0, type 0x08 = unsigned byte,
/// number of dimensions), then each dimension as a UInt32 — followed by the data.
/// Images have three dimensions [count, rows, columns], labels one [count].
public enum IDXFile {
  public static let imageMagic: UInt32 = 0x0000_0803
  public static let labelMagic: UInt32 = 0x0000_0801

  /// The pixels [count, rows, columns] of an IDX image file's `bytes`. Consumes the bytes:
  /// the header is cut off in place instead of copying 47 MB.
  public static func images(_ bytes: consuming [UInt8], file: String)
    throws -> (pixels: [UInt8], count: Int, rows: Int, columns: Int)
  {
    let header = try checkHeader(bytes, magic: imageMagic, kind: "image", file: file)
    let (count, rows, columns) = (header[0], header[1], header[2])
    guard rows > 0 && columns > 0 else {
      throw DatasetError(file: file, "bad dimensions: images of \(rows)×\(columns)")
    }
    let (features, overflow1) = rows.multipliedReportingOverflow(by: columns)
    let (size, overflow2) = count.multipliedReportingOverflow(by: features)
    guard !overflow1 && !overflow2 else {
      throw DatasetError(file: file, "bad dimensions: \(count) images of \(rows)×\(columns) is too large")
    }
    try checkLength(bytes.count - 16, expected: size,
                    says: "\(count) images of \(rows)×\(columns)", file: file)
    var pixels = consume bytes
    pixels.removeFirst(16)
    return (pixels, count, rows, columns)
  }

  /// The labels [count] of an IDX label file's `bytes`.
  public static func labels(_ bytes: consuming [UInt8], file: String) throws -> [UInt8] {
    let count = try checkHeader(bytes, magic: labelMagic, kind: "label", file: file)[0]
    try checkLength(bytes.count - 8, expected: count, says: "\(count) labels", file: file)
    var labels = consume bytes
    labels.removeFirst(8)
    return labels
  }

  /// The IDX image file for `data`'s images.
  public static func bytes(images data: LabeledImages) -> [UInt8] {
    header(imageMagic, [data.count, data.rows, data.columns]) + data.pixels
  }

  /// The IDX label file for `data`'s labels.
  public static func bytes(labels data: LabeledImages) -> [UInt8] {
    header(labelMagic, [data.count]) + data.labels
  }

  /// The dimensions in the header, after checking the magic number.
  private static func checkHeader(_ bytes: [UInt8], magic expected: UInt32, kind: String, file: String)
    throws -> [Int]
  {
    let dimensions = Int(expected & 0xff)
    let headerSize = 4 + 4 * dimensions
    guard bytes.count >= 4 else {
      throw DatasetError(file: file, "not an IDX \(kind) file (\(bytes.count) bytes, shorter than a magic number)")
    }
    let magic = bigEndian(bytes, at: 0)
    guard magic == expected else {
      throw DatasetError(file: file, "not an IDX \(kind) file (magic \(hex(magic)), expected \(hex(expected)))")
    }
    guard bytes.count >= headerSize else {
      throw DatasetError(file: file, "truncated: \(bytes.count) bytes, shorter than the \(headerSize)-byte header")
    }
    return (0..<dimensions).map { Int(bigEndian(bytes, at: 4 + 4 * $0)) }
  }

  private static func checkLength(_ actual: Int, expected: Int, says: String, file: String) throws {
    let claim = "header says \(says) (\(expected) bytes)"
    if actual < expected {
      throw DatasetError(file: file, "truncated: \(claim) but only \(actual) bytes follow")
    }
    if actual > expected {
      throw DatasetError(file: file, "\(claim) but \(actual) bytes follow (\(actual - expected) too many)")
    }
  }

  private static func header(_ magic: UInt32, _ dimensions: [Int]) -> [UInt8] {
    ([magic] + dimensions.map { UInt32($0) }).flatMap { value in
      [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: value >> $0) }
    }
  }

  private static func bigEndian(_ bytes: [UInt8], at offset: Int) -> UInt32 {
    bytes[offset ..< offset + 4].reduce(0) { $0 << 8 | UInt32($1) }
  }

  private static func hex(_ value: UInt32) -> String {
    let digits = String(value, radix: 16)
    return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
  }
}
