// IDXFileTests.swift — IDX files round-trip, and every malformed header or length throws a message naming the file.

import Testing

import Datasets

private let small = SyntheticImages.make(count: 5, seed: 1)  // 5 images of 28×28

@Test func headersAreBigEndianWithTheMagicNumbers() {
  let data = LabeledImages(pixels: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], labels: [7, 3], rows: 2, columns: 3)
  #expect(IDXFile.bytes(images: data) == [0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 3] + data.pixels)
  #expect(IDXFile.bytes(labels: data) == [0, 0, 8, 1, 0, 0, 0, 2, 7, 3])
}

@Test func imagesAndLabelsRoundTrip() throws {
  let images = try IDXFile.images(IDXFile.bytes(images: small), file: "f")
  #expect(images.count == 5 && images.rows == 28 && images.columns == 28)
  #expect(images.pixels == small.pixels)
  #expect(try IDXFile.labels(IDXFile.bytes(labels: small), file: "f") == small.labels)
}

@Test func wrongMagicNumberIsNamed() {
  #expect(message { try IDXFile.images(IDXFile.bytes(labels: small), file: "train-images-idx3-ubyte.gz") }
          == "train-images-idx3-ubyte.gz: not an IDX image file (magic 0x00000801, expected 0x00000803)")
  #expect(message { try IDXFile.labels(IDXFile.bytes(images: small), file: "labels") }
          == "labels: not an IDX label file (magic 0x00000803, expected 0x00000801)")
  #expect(message { try IDXFile.images(Array("<html>".utf8), file: "page") }
          == "page: not an IDX image file (magic 0x3c68746d, expected 0x00000803)")
  #expect(message { try IDXFile.labels([0, 0], file: "stub") }
          == "stub: not an IDX label file (2 bytes, shorter than a magic number)")
}

@Test func truncatedOrOverlongDataIsMeasured() {
  let bytes = IDXFile.bytes(images: small)
  #expect(message { try IDXFile.images(Array(bytes.dropLast(20)), file: "f") }
          == "f: truncated: header says 5 images of 28×28 (3920 bytes) but only 3900 bytes follow")
  #expect(message { try IDXFile.images(bytes + [0], file: "f") }
          == "f: header says 5 images of 28×28 (3920 bytes) but 3921 bytes follow (1 too many)")
  #expect(message { try IDXFile.images(Array(bytes.prefix(10)), file: "f") }
          == "f: truncated: 10 bytes, shorter than the 16-byte header")
  let labels = IDXFile.bytes(labels: small)
  #expect(message { try IDXFile.labels(Array(labels.dropLast(2)), file: "l") }
          == "l: truncated: header says 5 labels (5 bytes) but only 3 bytes follow")
}

@Test func impossibleDimensionsAreRejected() {
  let zeroRows: [UInt8] = [0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 28]
  #expect(message { try IDXFile.images(zeroRows, file: "f") } == "f: bad dimensions: images of 0×28")
  let huge: [UInt8] = [0, 0, 8, 3] + Array(repeating: 0xff, count: 12)
  #expect(message { try IDXFile.images(huge, file: "f") }
          == "f: bad dimensions: 4294967295 images of 4294967295×4294967295 is too large")
}
