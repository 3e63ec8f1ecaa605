// SafeTensorsFuzzTests.swift — valid safetensors files (the fixtures, and what Checkpoint writes for
// a small MLP) mutated by a seeded fuzzer: bit flips, truncations, header lengths, JSON edits, huge
// dimensions, NaNs in the data. Reading must succeed or throw the reader's own error, never crash or
// hang, and a load that fails must leave the model (or trainer) as it was, bit for bit.
//   GASHELL_FUZZ_MUTATIONS=20000 GASHELL_FUZZ_SEED=7 swift test --skip-build --filter SafeTensorsFuzz

import Foundation
import Glibc
import FuzzSupport
import Testing
@testable import Engine

private let fuzzEnvironment = ProcessInfo.processInfo.environment
private let fuzzMutations = fuzzEnvironment["GASHELL_FUZZ_MUTATIONS"].flatMap { Int($0.replacingOccurrences(of: "_", with: "")) } ?? 400
private let fuzzSeed = fuzzEnvironment["GASHELL_FUZZ_SEED"].flatMap { UInt64($0) } ?? 1

private let fixtureDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
  .deletingLastPathComponent().appendingPathComponent("Fixtures").path

/// Bytes of a safetensors file, edited the way a damaged or hostile file differs from a good one.
struct SafeTensorsMutator {
  var random: RandomNumbers

  mutating func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + random.nextIndex(below: range.count) }
  mutating func pick<T>(_ items: [T]) -> T { items[random.nextIndex(below: items.count)] }

  static let numbers = ["0", "-1", "1", "7", "1e3", "1.0", "-0", "00", "", "99999999999999999999", "18446744073709551615",
                        "18446744073709551616", "9223372036854775807", "9223372036854775808", "4294967296", "4294967295",
                        "3037000500", "2147483648", "null", "true", "\"4\"", "[]", "{}"]
  static let shapes = ["", "0", "1", "1,1,1", "4294967296,4294967296", "3037000500,3037000500", "0,18446744073709551615",
                       "-1", "1e9", "9223372036854775807,2", "2,9223372036854775807", "0,9223372036854775807", "[1]", "1,", ",1"]
  static let dtypes = ["F32", "F16", "BF16", "F64", "I32", "U8", "f32", "", "F32 ", "BOOL", "F8_E4M3", "\\u0046\\u0033\\u0032"]
  static let insertions = ["\\u0000", "\\ud800", "\\udc00\\ud800", "\\uZZZZ", "\\", "\"", "\\n", "\u{1B}[2J", "é", "🙂",
                           "\u{2028}", String(repeating: "[", count: 40), String(repeating: "{\"a\":", count: 40),
                           ",", ":", "}", "]", "{", "[", " ", "\t\n\r", "\"__metadata__\"", "\"0.weight\""]

  /// One to three edits of `bytes`; returns what was done, for the report.
  mutating func mutate(_ bytes: inout [UInt8]) -> [String] {
    var done: [String] = []
    for _ in 0..<pick([1, 1, 1, 2, 2, 3]) { done.append(edit(&bytes)) }
    return done
  }

  private func headerLength(_ bytes: [UInt8]) -> Int? {
    guard bytes.count >= 8 else { return nil }
    let n = bytes[0..<8].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    return n <= UInt64(bytes.count - 8) ? Int(n) : nil
  }

  private func setHeaderLength(_ bytes: inout [UInt8], _ n: UInt64) {
    guard bytes.count >= 8 else { return }
    for i in 0..<8 { bytes[i] = UInt8(truncatingIfNeeded: n >> (8 * UInt64(i))) }
  }

  /// Replaces the header by `header`, with its length field updated (or, sometimes, left stale).
  private mutating func replaceHeader(_ bytes: inout [UInt8], _ header: [UInt8], keepLength: Bool = false) {
    guard let n = headerLength(bytes) else { return }
    bytes.replaceSubrange(8..<(8 + n), with: header)
    if !keepLength { setHeaderLength(&bytes, UInt64(header.count)) }
  }

  private mutating func edit(_ bytes: inout [UInt8]) -> String {
    let n = headerLength(bytes)
    let header = n.map { Array(bytes[8..<(8 + $0)]) } ?? []
    let text = String(decoding: header, as: UTF8.self)
    switch int(0...13) {
    case 0 where !bytes.isEmpty:   // bit flips anywhere
      let k = int(1...4)
      for _ in 0..<k { bytes[int(0...(bytes.count - 1))] ^= UInt8(1) << UInt8(int(0...7)) }
      return "\(k) bits flipped"
    case 1 where !header.isEmpty:   // bit flips in the header
      for _ in 0..<int(1...3) { bytes[8 + int(0...(header.count - 1))] ^= UInt8(1) << UInt8(int(0...7)) }
      return "header bits flipped"
    case 2:   // truncated
      let cut = pick([0, 1, 7, 8, 9, int(0...bytes.count), n.map { 8 + $0 } ?? 8, max(0, bytes.count - 1), max(0, bytes.count - 4)])
      bytes = Array(bytes.prefix(cut))
      return "truncated to \(bytes.count)"
    case 3:   // the header length field
      let size = UInt64(bytes.count)
      let value = pick([0, 1, UInt64(n ?? 0) &- 1, UInt64(n ?? 0) + 1, UInt64(n ?? 0) + 8, size &- 8, size &- 7, size,
                        UInt64.max, 1 << 63, 100_000_001, 100_000_000, UInt64(random.next() % (size + 16))])
      setHeaderLength(&bytes, value)
      return "header length \(value)"
    case 4 where !text.isEmpty:   // a number in the header replaced
      let digits = text.indices.filter { text[$0].isNumber && ($0 == text.startIndex || !text[text.index(before: $0)].isNumber) }
      guard let start = digits.isEmpty ? nil : pick(digits) else { return "no number" }
      let end = text[start...].firstIndex { !$0.isNumber } ?? text.endIndex
      let replacement = pick(Self.numbers)
      replaceHeader(&bytes, Array((text[..<start] + replacement + text[end...]).utf8))
      return "number \(text[start..<end]) → \(replacement)"
    case 5 where text.contains("\"dtype\":\""):   // a dtype
      let dtype = pick(Self.dtypes)
      let pieces = text.components(separatedBy: "\"dtype\":\"")
      let i = int(1...(pieces.count - 1))
      var parts = pieces
      parts[i] = dtype + parts[i].drop { $0 != "\"" }
      replaceHeader(&bytes, Array(parts.joined(separator: "\"dtype\":\"").utf8))
      return "dtype → \(dtype)"
    case 6 where text.contains("\"shape\":["), 7 where text.contains("\"data_offsets\":["):   // a shape or offsets list
      let key = text.contains("\"shape\":[") && int(0...1) == 0 ? "\"shape\":[" : text.contains("\"data_offsets\":[") ? "\"data_offsets\":[" : "\"shape\":["
      var parts = text.components(separatedBy: key)
      let i = int(1...(parts.count - 1))
      let list = pick(Self.shapes)
      parts[i] = list + parts[i].drop { $0 != "]" }
      replaceHeader(&bytes, Array(parts.joined(separator: key).utf8))
      return "\(key)\(list)]"
    case 8 where !header.isEmpty:   // a character replaced by one JSON cares about
      var h = header
      h[int(0...(h.count - 1))] = pick(Array("{}[],:\"\\ 0-e".utf8) + [0, 0xff, 0x80, 0x0a])
      replaceHeader(&bytes, h, keepLength: true)
      return "header byte replaced"
    case 9 where !header.isEmpty:   // text inserted into the header
      var h = header
      let piece = pick(Self.insertions)
      h.insert(contentsOf: Array(piece.utf8), at: int(0...h.count))
      replaceHeader(&bytes, h, keepLength: int(0...3) == 0)
      return "inserted \(piece.prefix(12))"
    case 10 where header.count > 2:   // a piece of the header deleted or doubled
      var h = header
      let a = int(0...(h.count - 1)), b = min(h.count, a + int(1...40))
      if int(0...1) == 0 { h.removeSubrange(a..<b) } else { h.insert(contentsOf: h[a..<b], at: b) }
      replaceHeader(&bytes, h)
      return "header bytes \(a)..<\(b) deleted or doubled"
    case 11 where text.contains("\""):   // a tensor renamed: to __metadata__, to another's name, to nothing
      let names = text.components(separatedBy: "\":{\"dtype\"").dropLast().compactMap { $0.split(separator: "\"").last.map(String.init) }
      guard let name = names.isEmpty ? nil : pick(names) else { return "no name" }
      let to = pick(["__metadata__", names.first!, names.last!, "", "0.weight", "grad.0.weight", "optimizer.exp_avg", "a\\u0000b"])
      replaceHeader(&bytes, Array(text.replacingOccurrences(of: "\"\(name)\":{\"dtype\"", with: "\"\(to)\":{\"dtype\"").utf8))
      return "renamed \(name) → \(to)"
    case 12 where n != nil && bytes.count >= 8 + n! + 4:   // NaN, infinity or garbage in the data
      let dataStart = 8 + n!, floats = (bytes.count - dataStart) / 4
      let value = pick([Float.nan, .infinity, -.infinity, .greatestFiniteMagnitude, .leastNonzeroMagnitude, -0.0, 1e30])
      let at = dataStart + 4 * int(0...(floats - 1))
      withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.replaceSubrange(at..<(at + 4), with: $0) }
      return "data float \(value)"
    default:   // bytes appended
      let extra = int(1...16)
      bytes += (0..<extra).map { _ in UInt8(truncatingIfNeeded: random.next()) }
      return "\(extra) bytes appended"
    }
  }
}

@Suite struct SafeTensorsFuzzTests {
  /// A file to mutate and what to load it into.
  struct Base {
    let name: String
    let bytes: [UInt8]
    /// A model of the sizes the file was written for (or a small one), to load it into.
    let model: () -> Sequential
    /// A trainer to load a training state into.
    let trainer: (() -> Trainer)?
  }

  func bases(in directory: String) throws -> [Base] {
    func bytes(_ path: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: path))) }
    var result: [Base] = []
    for fixture in ["safetensors_dtypes", "safetensors_python", "torch_mlp"] {
      let path = fixtureDirectory + "/\(fixture).safetensors"
      let fileSizes = try? Checkpoint.layerSizes(in: path)
      result.append(Base(name: fixture, bytes: try bytes(path), model: { Sequential(sizes: fileSizes ?? sizes, seed: 5) }, trainer: nil))
    }
    let plain = Sequential(sizes: sizes, seed: 1)
    try Checkpoint.saveWeights(plain, to: directory + "/weights.safetensors")
    result.append(Base(name: "weights", bytes: try bytes(directory + "/weights.safetensors"), model: { Sequential(sizes: sizes, seed: 2) }, trainer: nil))
    let normed = Sequential(sizes: sizes, seed: 1, batchNorm: true)
    try Checkpoint.saveWeights(normed, to: directory + "/batchnorm.safetensors")
    result.append(Base(name: "batchnorm weights", bytes: try bytes(directory + "/batchnorm.safetensors"),
                       model: { Sequential(sizes: sizes, seed: 2, batchNorm: true) }, trainer: nil))
    let data = source()
    for kind in OptimizerKind.allCases {
      let t = trainer(kind, seed: 1)
      _ = try t.train(data, steps: 2)
      _ = try t.backward(data)   // a window left open
      try Checkpoint.saveGradients(t.model, to: directory + "/grads.safetensors")
      try Checkpoint.saveTrainingState(t, to: directory + "/state.safetensors", metadata: ["gashell.model": "mlp 5 4"])
      result.append(Base(name: "gradients \(kind)", bytes: try bytes(directory + "/grads.safetensors"), model: { Sequential(sizes: sizes, seed: 2) }, trainer: nil))
      result.append(Base(name: "training state \(kind)", bytes: try bytes(directory + "/state.safetensors"),
                         model: { Sequential(sizes: sizes, seed: 2) }, trainer: { trainer(kind, seed: 2) }))
    }
    return result
  }

  @Test func mutatedFilesAreReadOrRefused() throws {
    try withDirectory { directory in
      let bases = try bases(in: directory)
      var mutator = SafeTensorsMutator(random: RandomNumbers(seed: fuzzSeed))
      var findings: [String] = [], refused = 0, read = 0, loaded = 0
      let path = directory + "/mutated.safetensors"
      let start = Date()
      func finding(_ what: String) { if findings.count < 50 { findings.append(what) } }
      for i in 0..<fuzzMutations {
        // The large PyTorch file is mutated less often: it is 1 MB to write and read.
        var base = bases[mutator.random.nextIndex(below: bases.count)]
        if base.name == "torch_mlp" && mutator.int(0...3) != 0 { base = bases[3] }
        var bytes = base.bytes
        let edits = mutator.mutate(&bytes)
        let what = "seed \(fuzzSeed) mutation \(i) of \(base.name): \(edits.joined(separator: "; "))"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        CrashNote.set("safetensors fuzz crashed: \(what); the file is \(path)\n")
        let t0 = Date()

        // The reader: a file, or its own error of one line.
        do { _ = try SafeTensors.read(path); read += 1 } catch let e as SafeTensorsError {
          refused += 1
          if e.description.contains(where: \.isNewline) { finding("\(what): error of several lines: \(e)") }
        } catch { finding("\(what): SafeTensors.read threw \(type(of: error)): \(error)") }

        // The sizes a weights file claims: a model of them loads it.
        do {
          let fileSizes = try Checkpoint.layerSizes(in: path)
          if fileSizes.allSatisfy({ $0 > 0 && $0 <= 4096 }) && fileSizes.count <= 10 {
            do { try Checkpoint.loadWeights(into: Sequential(sizes: fileSizes, seed: 0), from: path) } catch {
              finding("\(what): layerSizes says \(fileSizes) but such a model does not load it: \(error)")
            }
          }
        } catch let e as CheckpointError {
          if e.description.contains(where: \.isNewline) { finding("\(what): error of several lines: \(e)") }
        } catch { finding("\(what): layerSizes threw \(type(of: error)): \(error)") }

        // Loading weights: all of them, or none.
        let model = base.model()
        let before = [fingerprint(model.parameters.values), fingerprint(model.parameters.grads)] + model.buffers.map { fingerprint($0.tensor) }
        do {
          try Checkpoint.loadWeights(into: model, from: path)
          loaded += 1
          if let k = model.parameters.values.firstNonFinite { finding("\(what): loaded a non-finite weight at \(k)") }
        } catch let e as CheckpointError {
          let after = [fingerprint(model.parameters.values), fingerprint(model.parameters.grads)] + model.buffers.map { fingerprint($0.tensor) }
          if after != before { finding("\(what): a failed loadWeights changed the model (\(e))") }
          if e.description.contains(where: \.isNewline) { finding("\(what): error of several lines: \(e)") }
        } catch { finding("\(what): loadWeights threw \(type(of: error)): \(error)") }

        // Loading a training state: all of it, or nothing.
        if let make = base.trainer {
          let t = make()
          _ = try t.backward(source())
          let before = snapshot(t)
          do { try Checkpoint.loadTrainingState(into: t, from: path) } catch let e as CheckpointError {
            if snapshot(t) != before { finding("\(what): a failed loadTrainingState changed the trainer (\(e))") }
            if e.description.contains(where: \.isNewline) { finding("\(what): error of several lines: \(e)") }
          } catch { finding("\(what): loadTrainingState threw \(type(of: error)): \(error)") }
        }
        if Date().timeIntervalSince(t0) > 2 { finding("\(what): took \(Date().timeIntervalSince(t0)) s") }
      }
      CrashNote.set("")
      print("safetensors fuzz, seed \(fuzzSeed): \(fuzzMutations) mutations in \(String(format: "%.1f", Date().timeIntervalSince(start))) s; "
        + "\(read) read, \(refused) refused, \(loaded) loaded as weights; \(findings.count) findings")
      for f in findings { Issue.record("\(f)") }
    }
  }
}
