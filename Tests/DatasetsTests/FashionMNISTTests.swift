// FashionMNISTTests.swift — finding the data, loading plain and gzipped files, and the real set when installed.

import Foundation
import Testing

import Datasets

private let train = SyntheticImages.make(count: 50, seed: 10)
private let test = SyntheticImages.make(count: 20, seed: 11)

/// Writes the four FashionMNIST files for `train` and `test` into `dir`, gzipped or not.
private func writeSet(_ dir: TemporaryDirectory, train: LabeledImages = train, test: LabeledImages = test,
                      gzipped: Bool = false) throws {
  let files = zip(FashionMNIST.fileNames, [
    IDXFile.bytes(images: train), IDXFile.bytes(labels: train),
    IDXFile.bytes(images: test), IDXFile.bytes(labels: test),
  ])
  for (name, bytes) in files {
    try dir.write(bytes, to: name)
    if gzipped { try dir.gzip(name, keep: false) }
  }
}

@Test func loadsPlainFiles() throws {
  let dir = try TemporaryDirectory()
  try writeSet(dir)
  let loaded = try FashionMNIST.load(from: dir.path)
  #expect(loaded.train == train && loaded.test == test && loaded.directory == dir.path)
}

@Test func loadsGzippedFiles() throws {
  let dir = try TemporaryDirectory()
  try writeSet(dir, gzipped: true)
  #expect(!FileManager.default.fileExists(atPath: dir.file("train-images-idx3-ubyte")))
  let loaded = try FashionMNIST.load(from: dir.path)
  #expect(loaded.train == train && loaded.test == test)
}

@Test func prefersTheUncompressedFileWhenBothExist() throws {
  let dir = try TemporaryDirectory()
  try writeSet(dir, train: SyntheticImages.make(count: 50, seed: 99), gzipped: true)
  try writeSet(dir)
  #expect(try FashionMNIST.load(from: dir.path).train == train)
}

@Test func imageAndLabelCountsMustAgree() throws {
  let dir = try TemporaryDirectory()
  try writeSet(dir)
  try dir.write(IDXFile.bytes(labels: train.prefix(49)), to: "train-labels-idx1-ubyte")
  let labels = dir.file("train-labels-idx1-ubyte"), images = dir.file("train-images-idx3-ubyte")
  #expect(message { try FashionMNIST.load(from: dir.path) } == "\(labels): 49 labels, but \(images) has 50 images")
}

@Test func labelsMustNameAClass() throws {
  let dir = try TemporaryDirectory()
  try writeSet(dir)
  var labels = test.labels
  labels[3] = 10
  let bad = LabeledImages(pixels: test.pixels, labels: labels, rows: 28, columns: 28)
  let path = try dir.write(IDXFile.bytes(labels: bad), to: "t10k-labels-idx1-ubyte")
  #expect(message { try FashionMNIST.load(from: dir.path) } == "\(path): label 10 of image 3 is not a class 0…9")
}

@Test func imagesMustBe28By28() throws {
  for (rows, columns) in [(2, 2), (30, 30), (28, 27)] {
    for gzipped in [false, true] {
      let dir = try TemporaryDirectory()
      let odd = SyntheticImages.make(count: 50, rows: rows, columns: columns, seed: 10)
      try writeSet(dir, train: odd, test: odd, gzipped: gzipped)
      let path = dir.file("train-images-idx3-ubyte" + (gzipped ? ".gz" : ""))
      #expect(message { try FashionMNIST.load(from: dir.path) }
              == "\(path): images are \(rows)×\(columns), FashionMNIST's are 28×28")
    }
  }
}

@Test func testImagesMustBe28By28Too() throws {
  let dir = try TemporaryDirectory()
  try writeSet(dir, test: SyntheticImages.make(count: 20, rows: 32, columns: 28, seed: 11))
  #expect(message { try FashionMNIST.load(from: dir.path) }
          == "\(dir.file("t10k-images-idx3-ubyte")): images are 32×28, FashionMNIST's are 28×28")
}

@Test func aSetWithNoImagesIsRefused() throws {
  let dir = try TemporaryDirectory()
  try writeSet(dir, test: test.prefix(0))
  #expect(message { try FashionMNIST.load(from: dir.path) }
          == "\(dir.file("t10k-images-idx3-ubyte")): holds no images")
}

@Test func damagedFilesAreReportedNotSkipped() throws {
  let dir = try TemporaryDirectory()
  try writeSet(dir, gzipped: true)
  let path = dir.file("t10k-images-idx3-ubyte.gz")
  let gz = try dir.read(path)
  try dir.write(Array(gz.prefix(gz.count / 2)), to: "t10k-images-idx3-ubyte.gz")
  #expect(message { try FashionMNIST.load(from: dir.path) }
          == "\(path): truncated gzip data (the compressed stream ends early)")
}

@Test func missingDataListsWhereItLookedAndHowToInstall() throws {
  let dir = try TemporaryDirectory()
  let partial = dir.file("partial")
  try FileManager.default.createDirectory(atPath: partial, withIntermediateDirectories: false)
  try dir.write(IDXFile.bytes(images: train), to: "partial/train-images-idx3-ubyte")
  try dir.write(IDXFile.bytes(labels: train), to: "partial/train-labels-idx1-ubyte.gz")
  let nowhere = dir.file("nowhere"), file = try dir.write([1], to: "file")
  // One line, as every shell error: an absent directory is only named, the others say what is wrong.
  #expect(message { try FashionMNIST.load(environment: [:], standardDirectories: [nowhere, file, partial]) } == """
    FashionMNIST not found in \(nowhere), \(file) (not a directory), \
    \(partial) (missing t10k-images-idx3-ubyte[.gz], t10k-labels-idx1-ubyte[.gz]) — \
    install it with `sudo apt-get install dataset-fashion-mnist`, or `load fashion from DIR`
    """)
  #expect(message { try FashionMNIST.load(environment: [:], standardDirectories: []) }
          == "FashionMNIST not found — install it with `sudo apt-get install dataset-fashion-mnist`, "
           + "or `load fashion from DIR`")
}

@Test func searchesStandardDirectoriesInOrder() throws {
  let first = try TemporaryDirectory(), second = try TemporaryDirectory()
  try writeSet(second)
  #expect(try FashionMNIST.locate(environment: [:], standardDirectories: [first.path, second.path]) == second.path)
  try writeSet(first)
  #expect(try FashionMNIST.locate(environment: [:], standardDirectories: [first.path, second.path]) == first.path)
}

@Test func aNamedDirectoryThatLacksTheDataIsAnErrorNotAFallback() throws {
  let good = try TemporaryDirectory(), empty = try TemporaryDirectory()
  try writeSet(good)
  let places = [good.path]
  #expect(message { try FashionMNIST.load(from: empty.path, environment: [:], standardDirectories: places) } == """
    \(empty.path): missing train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz], \
    t10k-images-idx3-ubyte[.gz], t10k-labels-idx1-ubyte[.gz]; not looking anywhere else
    """)
  let gone = empty.file("gone")
  #expect(message { try FashionMNIST.locate(environment: ["GASHELL_DATA": gone], standardDirectories: places) }
          == "GASHELL_DATA=\(gone): no such directory; not looking anywhere else")
  #expect(try FashionMNIST.locate(environment: ["GASHELL_DATA": good.path], standardDirectories: []) == good.path)
  #expect(try FashionMNIST.locate(explicit: good.path, environment: ["GASHELL_DATA": gone]) == good.path)
  #expect(message { try FashionMNIST.locate(explicit: "~/gashell-no-such-directory") }
          == "\(NSHomeDirectory())/gashell-no-such-directory: no such directory; not looking anywhere else")
}

// The Debian package `dataset-fashion-mnist`. Expected values computed once with Python's
// gzip module, independently of this code: sum(data[16:16+784]) and so on.
private let debian = "/usr/share/datasets/fashion-mnist"
private let debianInstalled = FileManager.default.fileExists(atPath: debian + "/train-images-idx3-ubyte.gz")

@Test(.enabled(if: debianInstalled, "needs /usr/share/datasets/fashion-mnist: apt-get install dataset-fashion-mnist"))
func loadsTheRealDebianFiles() throws {
  let (train, test, directory) = try FashionMNIST.load(from: debian)
  #expect(directory == debian)
  #expect((train.count, train.rows, train.columns) == (60_000, 28, 28))
  #expect((test.count, test.rows, test.columns) == (10_000, 28, 28))
  #expect(FashionMNIST.classNames[Int(train.labels[0])] == "Ankle boot")
  #expect(Array(test.labels.prefix(12)) == [9, 2, 1, 1, 6, 1, 4, 6, 5, 7, 4, 5])
  #expect(train.image(0).reduce(0) { $0 + Int($1) } == 76_247)
  #expect(train.image(59_999).reduce(0) { $0 + Int($1) } == 16_684)
  #expect(test.image(0).reduce(0) { $0 + Int($1) } == 33_456)
  #expect(train.pixels.reduce(0) { $0 + Int($1) } == 3_431_114_169)
  #expect((0..<10).allSatisfy { c in train.labels.count { $0 == c } == 6_000 })
}
