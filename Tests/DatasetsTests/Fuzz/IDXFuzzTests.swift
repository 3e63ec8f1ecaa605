// IDXFuzzTests.swift — small valid IDX files, plain and gzipped, mutated by a seeded fuzzer: bit
// flips, truncations, header dimensions at and past their limits, damaged gzip headers, trailers and
// streams, members concatenated. Parsing must succeed or throw DatasetError, never crash or hang;
// what loads must be what a data set can be (labels 0…9, 28×28 images, one label per image).
//   GASHELL_FUZZ_MUTATIONS=20000 GASHELL_FUZZ_SEED=7 swift test --skip-build --filter IDXFuzz

import Engine
import Foundation
import Glibc
import FuzzSupport
import Testing

import Datasets

private let fuzzEnvironment = ProcessInfo.processInfo.environment
private let fuzzMutations = fuzzEnvironment["GASHELL_FUZZ_MUTATIONS"].flatMap { Int($0.replacingOccurrences(of: "_", with: "")) } ?? 400
private let fuzzSeed = fuzzEnvironment["GASHELL_FUZZ_SEED"].flatMap { UInt64($0) } ?? 1

/// Bytes of an IDX file or its gzip, edited the way a damaged download differs from a good one.
struct IDXMutator {
  var random: RandomNumbers

  mutating func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + random.nextIndex(below: range.count) }
  mutating func pick<T>(_ items: [T]) -> T { items[random.nextIndex(below: items.count)] }

  static let dimensions: [UInt32] = [0, 1, 2, 3, 5, 27, 28, 29, 255, 256, 65_535, 60_000, 0x7fff_ffff, 0x8000_0000, 0xffff_ffff]

  /// One to three edits; returns what was done.
  mutating func mutate(_ bytes: inout [UInt8], gzipped: Bool) -> [String] {
    (0..<pick([1, 1, 1, 2, 2, 3])).map { _ in gzipped && int(0...2) != 0 ? gzipEdit(&bytes) : idxEdit(&bytes) }
  }

  private func put(_ value: UInt32, at offset: Int, in bytes: inout [UInt8]) {
    guard offset + 4 <= bytes.count else { return }
    for i in 0..<4 { bytes[offset + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt32(3 - i))) }
  }

  private mutating func idxEdit(_ bytes: inout [UInt8]) -> String {
    switch int(0...7) {
    case 0 where !bytes.isEmpty:
      for _ in 0..<int(1...4) { bytes[int(0...(bytes.count - 1))] ^= UInt8(1) << UInt8(int(0...7)) }
      return "bits flipped"
    case 1:
      let cut = pick([0, 1, 3, 4, 7, 8, 15, 16, 17, int(0...bytes.count), max(0, bytes.count - 1)])
      bytes = Array(bytes.prefix(cut))
      return "truncated to \(bytes.count)"
    case 2, 3:   // a dimension (or the magic number) replaced
      let field = int(0...3), value = pick(Self.dimensions + [0x0803, 0x0801, 0x0802, 0x0903, 0x0800, 0x08ff])
      put(value, at: 4 * field, in: &bytes)
      return "header word \(field) = \(value)"
    case 4:
      let extra = int(1...64)
      bytes += (0..<extra).map { _ in UInt8(truncatingIfNeeded: random.next()) }
      return "\(extra) bytes appended"
    case 5 where bytes.count > 16:   // bytes of the data removed
      let a = int(16...(bytes.count - 1)), b = min(bytes.count, a + int(1...100))
      bytes.removeSubrange(a..<b)
      return "data bytes \(a)..<\(b) removed"
    case 6 where bytes.count > 8:   // a label or pixel past the classes
      bytes[int(8...(bytes.count - 1))] = pick([10, 11, 255, 128])
      return "a byte set past the classes"
    default:
      bytes = Array(bytes.prefix(int(0...min(bytes.count, 24)))) + bytes
      return "the header doubled"
    }
  }

  private mutating func gzipEdit(_ bytes: inout [UInt8]) -> String {
    let n = bytes.count
    switch int(0...8) {
    case 0 where n > 10:   // the gzip header: method, flags, time, extra flags, OS
      let i = int(2...9)
      bytes[i] = pick([0, 1, 7, 8, 0x04, 0x08, 0x10, 0x1f, 0xe0, 0xff, bytes[i] ^ 0xff])
      return "gzip header byte \(i) = \(bytes[i])"
    case 1 where n > 18:   // the CRC-32 or ISIZE in the trailer
      let at = n - pick([8, 4])
      put(pick([0, 1, 0xffff_ffff, 0x7fff_ffff, UInt32(truncatingIfNeeded: random.next())]), at: at, in: &bytes)
      return "trailer word at \(at) changed"
    case 2 where n > 18:   // the deflate stream damaged
      for _ in 0..<int(1...4) { bytes[int(10...(n - 9))] ^= UInt8(1) << UInt8(int(0...7)) }
      return "deflate bits flipped"
    case 3:
      let cut = pick([0, 1, 2, 3, 10, 11, 18, int(0...n), max(0, n - 1), max(0, n - 4), max(0, n - 8)])
      bytes = Array(bytes.prefix(cut))
      return "gzip truncated to \(bytes.count)"
    case 4:   // another member, or a piece of one, or the magic alone
      let tail = pick([bytes, Array(bytes.prefix(int(0...n))), Gzip.magic, [0x1f], [0, 0, 0]])
      bytes += tail
      return "\(tail.count) bytes after the member"
    case 5 where n > 10:   // FEXTRA / FNAME / FCOMMENT claimed with nothing behind them
      bytes[3] = pick([0x04, 0x08, 0x10, 0x02, 0x1c])
      return "gzip flags \(bytes[3])"
    case 6 where n > 18:   // a stored block's length fields
      bytes[10] = pick([0x00, 0x01, 0x03, 0x05, 0x07])
      return "first deflate block header \(bytes[10])"
    case 7:   // a gzip header on nothing
      bytes = Gzip.magic + [8, 0, 0, 0, 0, 0, 0, 3] + Array(bytes.prefix(int(0...8)))
      return "a bare gzip header"
    default:
      let extra = int(1...32)
      bytes += (0..<extra).map { _ in UInt8(truncatingIfNeeded: random.next()) }
      return "\(extra) bytes appended to the gzip"
    }
  }
}

@Suite struct IDXFuzzTests {
  @Test func mutatedFilesParseOrThrowDatasetError() throws {
    let dir = try TemporaryDirectory()
    // Small sets: 28×28 (FashionMNIST's size) and 2×3, as images and labels, plain and gzipped.
    let sets = [SyntheticImages.make(count: 4, seed: 1), SyntheticImages.make(count: 3, rows: 2, columns: 3, seed: 2),
                SyntheticImages.make(count: 1, seed: 3)]
    var bases: [(name: String, bytes: [UInt8], images: Bool, gzipped: Bool, set: LabeledImages)] = []
    for (k, set) in sets.enumerated() {
      for images in [true, false] {
        let name = "set\(k)-\(images ? "images" : "labels")"
        let bytes = images ? IDXFile.bytes(images: set) : IDXFile.bytes(labels: set)
        try dir.write(bytes, to: name)
        bases.append((name, bytes, images, false, set))
        bases.append((name + ".gz", try dir.read(dir.gzip(name)), images, true, set))
      }
    }
    // A whole data set folder, one of whose four files is the mutated one (the others hold the same set).
    let folder = dir.file("fashion")
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)

    var mutator = IDXMutator(random: RandomNumbers(seed: fuzzSeed))
    var findings: [String] = [], parsed = 0, refused = 0, loadedSets = 0
    func finding(_ what: String) { if findings.count < 50 { findings.append(what) } }
    /// Runs `body`; a DatasetError of one line is a refusal, anything else a finding.
    func expectParsedOrRefused(_ what: String, _ call: String, _ body: () throws -> Void) {
      do { try body(); parsed += 1 } catch let e as DatasetError {
        refused += 1
        if e.description.contains(where: \.isNewline) { finding("\(what): \(call) error of several lines: \(e)") }
      } catch { finding("\(what): \(call) threw \(type(of: error)): \(error)") }
    }
    let start = Date()
    for i in 0..<fuzzMutations {
      let base = mutator.pick(bases)
      var bytes = base.bytes
      let edits = mutator.mutate(&bytes, gzipped: base.gzipped)
      let what = "seed \(fuzzSeed) mutation \(i) of \(base.name): \(edits.joined(separator: "; "))"
      let path = try dir.write(bytes, to: "mutated" + (base.gzipped ? ".gz" : ""))
      CrashNote.set("IDX fuzz crashed: \(what); the file is \(path)\n")
      let t0 = Date()

      // The parsers on the bytes, inflated within a small limit (a bomb must stop there).
      var plain = bytes
      if Gzip.isCompressed(bytes) {
        expectParsedOrRefused(what, "Gzip.inflate") { plain = try Gzip.inflate(bytes, file: "mutated.gz", limit: 1 << 20) }
      }
      expectParsedOrRefused(what, "IDXFile.images") {
        let r = try IDXFile.images(plain, file: "mutated")
        if r.pixels.count != r.count * r.rows * r.columns { finding("\(what): \(r.count) images of \(r.rows)×\(r.columns) in \(r.pixels.count) bytes") }
      }
      expectParsedOrRefused(what, "IDXFile.labels") {
        let labels = try IDXFile.labels(plain, file: "mutated")
        if labels.count + 8 != plain.count { finding("\(what): \(labels.count) labels from \(plain.count) bytes") }
      }
      expectParsedOrRefused(what, "Gzip.contents") { _ = try Gzip.contents(ofFile: path) }

      // A data set folder with this file in place of its own: loaded whole and valid, or refused.
      let slot = (base.images ? 0 : 1) + 2 * mutator.int(0...1)
      let good = [IDXFile.bytes(images: base.set), IDXFile.bytes(labels: base.set)]
      for (k, name) in FashionMNIST.fileNames.enumerated() {
        try? FileManager.default.removeItem(atPath: folder + "/" + name)
        try? FileManager.default.removeItem(atPath: folder + "/" + name + ".gz")
        try Data(k == slot ? bytes : good[k % 2]).write(to: URL(fileURLWithPath: folder + "/" + name + (k == slot && base.gzipped ? ".gz" : "")))
      }
      expectParsedOrRefused(what, "FashionMNIST.load") {
        let (train, test) = try FashionMNIST.load(directory: folder)
        loadedSets += 1
        for set in [train, test] {
          if set.rows != 28 || set.columns != 28 || set.count == 0 || set.labels.contains(where: { $0 > 9 }) {
            finding("\(what): loaded a set of \(set.count) images of \(set.rows)×\(set.columns), labels up to \(set.labels.max() ?? 0)")
          }
        }
      }
      if Date().timeIntervalSince(t0) > 2 { finding("\(what): took \(Date().timeIntervalSince(t0)) s") }
    }
    CrashNote.set("")
    print("IDX fuzz, seed \(fuzzSeed): \(fuzzMutations) mutations in \(String(format: "%.1f", Date().timeIntervalSince(start))) s; "
      + "\(parsed) calls parsed, \(refused) refused, \(loadedSets) data sets loaded; \(findings.count) findings")
    for f in findings { Issue.record("\(f)") }
  }
}
