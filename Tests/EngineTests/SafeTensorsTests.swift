// SafeTensorsTests.swift — round trips, files written by Python's safetensors, and every malformation.
import Foundation
import Testing
@testable import Engine

/// Tests/Fixtures, made by make_fixtures.py.
private let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
  .deletingLastPathComponent().appendingPathComponent("Fixtures")

/// Runs `body` in a new empty directory, removed afterwards. (AtomicFileTests uses it too.)
func inScratchDirectory(_ body: (String) throws -> Void) throws {
  let path = FileManager.default.temporaryDirectory.appendingPathComponent("safetensors-\(UUID())").path
  try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
  defer { try? FileManager.default.removeItem(atPath: path) }
  try body(path)
}

/// The names in a directory, sorted; ["unreadable"] if it cannot be listed.
func listing(of directory: String) -> [String] {
  (try? FileManager.default.contentsOfDirectory(atPath: directory).sorted()) ?? ["unreadable"]
}

private func bits(_ tensor: Tensor?) -> [UInt32] { tensor?.array.map(\.bitPattern) ?? [] }

/// Expects `action` to throw a SafeTensorsError whose description is `"\(path): \(message)"`.
private func expectError(_ path: String, _ message: String, sourceLocation: SourceLocation = #_sourceLocation,
                         _ action: () throws -> Void) {
  let error = #expect(throws: SafeTensorsError.self, sourceLocation: sourceLocation) { try action() }
  #expect(error?.description == "\(path): \(message)", sourceLocation: sourceLocation)
}

private func expectReadError(_ path: String, _ message: String, sourceLocation: SourceLocation = #_sourceLocation) {
  expectError(path, message, sourceLocation: sourceLocation) { _ = try SafeTensors.read(path) }
}

@Test func roundTripKeepsValuesShapesOrderAndMetadata() throws {
  try inScratchDirectory { directory in
    let path = directory + "/model.safetensors"
    let tensors: [(name: String, tensor: Tensor)] = [
      ("z.weight", Tensor(shape: [2, 3], values: [1, -2, 0.1, .infinity, -0.0, .leastNonzeroMagnitude])),
      ("a.bias", Tensor(shape: [4], values: [.greatestFiniteMagnitude, 3, 4, 5])),
      ("empty", Tensor(count: 0)),
      ("naïve \"quoted\"\n\u{1}", Tensor(shape: [1, 1], values: [42])),
      ("nan", Tensor(shape: [1], values: [.nan])),
      ("first row of a view", Tensor(shape: [2, 2], values: [1, 2, 3, 4]).prefix(rows: 1)),
    ]
    let metadata = ["format": "pt", "note": "ünïcode, \"quotes\", \\ and \t tab", "": "empty key"]
    try SafeTensors.write(tensors, metadata: metadata, to: path)

    let file = try SafeTensors.read(path)
    #expect(file.order == tensors.map(\.name))
    #expect(file.metadata == metadata)
    for (name, tensor) in tensors {
      #expect(file.tensors[name]?.shape == tensor.shape, "\(name)")
      #expect(bits(file.tensors[name]) == bits(tensor), "\(name)")
    }
    #expect(listing(of: directory) == ["model.safetensors"])
  }
}

@Test func headerIsCompactJSONPaddedToEightBytes() throws {
  try inScratchDirectory { directory in
    let path = directory + "/w.safetensors"
    try SafeTensors.write([("w", Tensor(shape: [2], values: [1, 2]))], metadata: ["k": "v"], to: path)
    let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    let header = #"{"__metadata__":{"k":"v"},"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#
    let padded = header + String(repeating: " ", count: (8 - header.utf8.count % 8) % 8)
    #expect(bytes.count == 8 + padded.utf8.count + 8)
    #expect(Array(bytes[0..<8]) == withUnsafeBytes(of: UInt64(padded.utf8.count).littleEndian, Array.init))
    #expect(String(decoding: bytes[8..<(8 + padded.utf8.count)], as: UTF8.self) == padded)
    #expect(Array(bytes.suffix(8)) == [0, 0, 0x80, 0x3F, 0, 0, 0, 0x40])  // 1.0, 2.0 little-endian
  }
}

@Test func readsFileWrittenByPythonSafetensors() throws {
  let file = try SafeTensors.read(fixtures.appendingPathComponent("safetensors_python.safetensors").path)
  #expect(file.order == ["0.bias", "0.weight", "2.bias", "2.weight"])  // save_file sorts by name
  #expect(file.metadata == ["format": "pt", "made_by": "make_fixtures.py"])
  #expect(file.tensors["0.weight"]?.shape == [4, 3])
  #expect(file.tensors["0.weight"]?.array == (0..<12).map { Float($0) * 0.25 - 1.5 })
  #expect(bits(file.tensors["0.bias"]) == [0x3DCC_CCCD, 0x8000_0000, 0x0000_0001, 0x7F7F_FFFF])
  #expect(file.tensors["2.weight"]?.shape == [2, 4])
  #expect(bits(file.tensors["2.weight"]) == [0x3F80_0000, 0x3F00_0000, 0x3EAA_AAAB, 0x3E80_0000,
                                            0x3E4C_CCCD, 0x3E2A_AAAB, 0x3E12_4925, 0x3E00_0000])
  #expect(file.tensors["2.bias"]?.shape == [2])
  #expect(file.tensors["2.bias"]?.array == [-2.5, 1024])
}

@Test func widensHalfPrecisionRoundsDoubleAndReadsScalarAsOneElement() throws {
  let file = try SafeTensors.read(fixtures.appendingPathComponent("safetensors_dtypes.safetensors").path)
  #expect(file.tensors["f16"]?.array == [1.5, 0x1p-14, 0x1p-24, 65504])
  #expect(file.tensors["bf16"]?.shape == [2, 2])
  #expect(bits(file.tensors["bf16"]) == [0x3F80_0000, 0xC049_0000, 0x714A_0000, 0x3C00_0000])
  #expect(file.tensors["f64"]?.array == [Float(0.1), 0, -2])  // 1e-300 underflows
  #expect(file.tensors["scalar"]?.shape == [1])
  #expect(file.tensors["scalar"]?.array == [7])
}

@Test func torchMLPFixtureHasItsDocumentedLayout() throws {
  let file = try SafeTensors.read(fixtures.appendingPathComponent("torch_mlp.safetensors").path)
  let parameters = ["0.weight": [32, 784], "0.bias": [32], "2.weight": [16, 32], "2.bias": [16],
                    "4.weight": [10, 16], "4.bias": [10]]
  var expected = ["x": [64, 784], "y": [64], "logits": [64, 10], "loss": [1], "accum.losses": [4]]
  for (name, shape) in parameters {
    for prefix in ["", "grad.", "accum.grad.", "sgd.", "nesterov.", "adam.", "adamw.", "adamwd."] {
      expected[prefix + name] = shape
    }
  }
  for optimizer in ["sgd", "nesterov", "adam", "adamw", "adamwd"] { expected[optimizer + ".losses"] = [3] }
  #expect(file.tensors.mapValues(\.shape) == expected)
  #expect(file.metadata["torch"]?.isEmpty == false)
  #expect(file.metadata["sgd"]?.contains(#""nesterov": false"#) == true)
  #expect(file.tensors["y"]!.array.allSatisfy { $0 == $0.rounded() && (0...9).contains($0) })
  #expect(file.tensors["x"]!.array.allSatisfy { (0...1).contains($0) })
  // Accumulated and full-batch gradients agree to float rounding: the lesson, in the fixture.
  for name in parameters.keys {
    let full = file.tensors["grad." + name]!, accumulated = file.tensors["accum.grad." + name]!
    let maxDifference = zip(full.array, accumulated.array).map { abs($0 - $1) }.max()!
    #expect(maxDifference < 1e-6, "\(name): maxdiff \(maxDifference)")
  }
}

// MARK: - Malformed files

/// A safetensors file from parts: the declared header length defaults to the header's.
private func fileBytes(_ header: String, data: [UInt8] = [], declaredLength: UInt64? = nil) -> [UInt8] {
  fileBytes(Array(header.utf8), data: data, declaredLength: declaredLength)
}

private func fileBytes(_ header: [UInt8], data: [UInt8] = [], declaredLength: UInt64? = nil) -> [UInt8] {
  withUnsafeBytes(of: (declaredLength ?? UInt64(header.count)).littleEndian, Array.init) + header + data
}

private func entry(_ name: String, _ dtype: String = "F32", shape: String = "[1]", offsets: String = "[0,4]") -> String {
  #""\#(name)":{"dtype":"\#(dtype)","shape":\#(shape),"data_offsets":\#(offsets)}"#
}

struct Malformed: Sendable, CustomTestStringConvertible {
  let bytes: [UInt8]
  let message: String
  var testDescription: String { message }
}

private let four: [UInt8] = [0, 0, 0x80, 0x3F]
private let malformedFiles: [Malformed] = [
  .init(bytes: [1, 2, 3], message: "the file has 3 bytes, too short for the 8-byte header length"),
  .init(bytes: fileBytes("{}", declaredLength: 100),
        message: "the header length 100 runs past the end of the file (10 bytes)"),
  .init(bytes: fileBytes("{}", declaredLength: .max),
        message: "the header length 18446744073709551615 runs past the end of the file (10 bytes)"),
  .init(bytes: fileBytes(""), message: "invalid JSON header: expected '{' at byte 0 of the header"),
  .init(bytes: fileBytes("[1]"), message: "invalid JSON header: expected '{' at byte 0 of the header"),
  .init(bytes: fileBytes(#"{"w": "#), message: "invalid JSON header: unexpected end at byte 6 of the header"),
  .init(bytes: fileBytes(#"{"w": tru}"#), message: "invalid JSON header: unexpected character at byte 6 of the header"),
  .init(bytes: fileBytes(#"{"w" 1}"#), message: "invalid JSON header: expected ':' at byte 5 of the header"),
  .init(bytes: fileBytes(#"{"a":1 "b":2}"#), message: "invalid JSON header: expected ',' at byte 7 of the header"),
  .init(bytes: fileBytes(#"{} x"#), message: "invalid JSON header: unexpected text after the object at byte 3 of the header"),
  .init(bytes: fileBytes(#"{"w\q":1}"#), message: "invalid JSON header: invalid escape at byte 3 of the header"),
  .init(bytes: fileBytes(#"{"a\ud800x":1}"#), message: "invalid JSON header: invalid \\u escape at byte 3 of the header"),
  .init(bytes: fileBytes(#"{"a\ud800\u0041":1}"#), message: "invalid JSON header: invalid \\u escape at byte 3 of the header"),
  .init(bytes: fileBytes(#"{"a\u12":1}"#), message: "invalid JSON header: invalid \\u escape at byte 3 of the header"),
  .init(bytes: fileBytes(#"{"a":"unterminated}"#), message: "invalid JSON header: unterminated string at byte 5 of the header"),
  .init(bytes: fileBytes(Array(#"{"w":""#.utf8) + [0xFF] + Array(#""}"#.utf8)),
        message: "invalid JSON header: invalid UTF-8 in a string at byte 5 of the header"),
  .init(bytes: fileBytes(Array(#"{"w":"#.utf8) + Array(repeating: UInt8(ascii: "["), count: 40)),
        message: "invalid JSON header: nested too deeply at byte 36 of the header"),
  .init(bytes: fileBytes(#"{"w":3}"#), message: "tensor 'w' is not a JSON object"),
  // A name from the file with a newline or escape code in it: the message stays one line.
  .init(bytes: fileBytes(#"{"a\nb":3}"#), message: #"tensor 'a\nb' is not a JSON object"#),
  .init(bytes: fileBytes(#"{"\u001b[2J\r\u2028":3}"#), message: #"tensor '\u{1B}[2J\r\u{2028}' is not a JSON object"#),
  .init(bytes: fileBytes("{\(entry(#"w\n"#, #"I\n64"#, offsets: "[0,8]"))}", data: four + four),
        message: #"dtype I\n64 of tensor 'w\n' is not supported; save it as float32 (F32)"#),
  .init(bytes: fileBytes(#"{"__metadata__":{"a\tb":3}}"#), message: #"metadata 'a\tb' is not a string"#),
  .init(bytes: fileBytes(#"{"w":{"shape":[1],"data_offsets":[0,4]}}"#, data: four), message: "tensor 'w' has no dtype"),
  .init(bytes: fileBytes(#"{"w":{"dtype":"F32","data_offsets":[0,4]}}"#, data: four), message: "tensor 'w' has no shape"),
  .init(bytes: fileBytes(#"{"w":{"dtype":"F32","shape":[1]}}"#, data: four), message: "tensor 'w' has no data_offsets"),
  .init(bytes: fileBytes(#"{"w":{"dtype":4,"shape":[1],"data_offsets":[0,4]}}"#, data: four),
        message: "dtype of tensor 'w' is not a string"),
  .init(bytes: fileBytes("{\(entry("w", shape: "[1.5]"))}", data: four),
        message: "shape of tensor 'w' is not a list of non-negative integers"),
  .init(bytes: fileBytes("{\(entry("w", shape: "[-1]"))}", data: four),
        message: "shape of tensor 'w' is not a list of non-negative integers"),
  .init(bytes: fileBytes("{\(entry("w", offsets: "[0,4,8]"))}", data: four),
        message: "data_offsets of tensor 'w' has 3 numbers, not 2"),
  .init(bytes: fileBytes("{\(entry("w", "I64", offsets: "[0,8]"))}", data: four + four),
        message: "dtype I64 of tensor 'w' is not supported; save it as float32 (F32)"),
  .init(bytes: fileBytes("{\(entry("w", shape: "[1,1,1,1,1]"))}", data: four),
        message: "tensor 'w' has shape [1, 1, 1, 1, 1]; gashell tensors have at most four dimensions"),
  .init(bytes: fileBytes("{\(entry("w", offsets: "[4,0]"))}", data: four),
        message: "data_offsets [4, 0] of tensor 'w' end before they begin"),
  .init(bytes: fileBytes("{\(entry("w", offsets: "[4,8]"))}", data: four),
        message: "data_offsets [4, 8] of tensor 'w' run past the end of the data (4 bytes)"),
  .init(bytes: fileBytes("{\(entry("w", shape: "[2]"))}", data: four),
        message: "tensor 'w' of dtype F32 and shape [2] needs 8 bytes, but data_offsets [0, 4] hold 4"),
  .init(bytes: fileBytes("{\(entry("w", shape: "[4611686018427387904,4]"))}", data: four),
        message: "tensor 'w' of dtype F32 and shape [4611686018427387904, 4] needs too many bytes, "
          + "but data_offsets [0, 4] hold 4"),
  .init(bytes: fileBytes("{\(entry("w")),\(entry("w"))}", data: four), message: "'w' appears twice in the header"),
  .init(bytes: fileBytes("{\(entry("a", shape: "[2]", offsets: "[0,8]")),\(entry("b", offsets: "[4,8]"))}",
                         data: four + four),
        message: "tensor 'b' overlaps tensor 'a'"),
  .init(bytes: fileBytes("{\(entry("w", offsets: "[4,8]"))}", data: four + four),
        message: "data bytes 0..<4 (before tensor 'w') belong to no tensor"),
  .init(bytes: fileBytes("{\(entry("w"))}", data: four + four), message: "the data has 8 bytes but the tensors use only 4"),
  .init(bytes: fileBytes(#"{"__metadata__":[]}"#), message: "__metadata__ is not an object"),
  .init(bytes: fileBytes(#"{"__metadata__":{"epoch":3}}"#), message: "metadata 'epoch' is not a string"),
]

@Test(arguments: malformedFiles) func malformedFileIsAClearError(_ file: Malformed) throws {
  try inScratchDirectory { directory in
    let path = directory + "/bad.safetensors"
    try Data(file.bytes).write(to: URL(fileURLWithPath: path))
    expectReadError(path, file.message)
  }
}

/// A 20 GB file (sparse: no disk used) that is not safetensors is refused from its first bytes,
/// before anything like its size is allocated; so is a header length over the format's limit.
@Test func hugeFilesAreJudgedByTheirHeaderFirst() throws {
  try inScratchDirectory { directory in
    let path = directory + "/huge.safetensors"
    #expect(FileManager.default.createFile(atPath: path, contents: Data([2, 0, 0, 0, 0, 0, 0, 0]) + Data("{]".utf8)))
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    try handle.truncate(atOffset: 20_000_000_000)
    try handle.close()
    expectReadError(path, "invalid JSON header: expected a string key at byte 1 of the header")
    let over = directory + "/over.safetensors"
    #expect(FileManager.default.createFile(atPath: over, contents: Data([1, 0xe1, 0xf5, 0x05, 0, 0, 0, 0])))
    let handle3 = try FileHandle(forWritingTo: URL(fileURLWithPath: over))
    try handle3.truncate(atOffset: 200_000_000)
    try handle3.close()
    expectReadError(over, "the header length 100000001 is over the format's limit of 100000000 bytes")
  }
}

@Test func missingFileIsAClearError() {
  expectReadError("/nonexistent/gashell.safetensors", "cannot open: No such file or directory")
}

@Test func escapesPaddingNullMetadataAndUnknownFieldsAreAccepted() throws {
  try inScratchDirectory { directory in
    let path = directory + "/ok.safetensors"
    let header = #" { "__metadata__" : null , "w\u00e9\ud83d\ude00\/\n" : {"dtype":"F32","shape":[],"#
      + #""data_offsets":[0,4],"extra":[true,false,null,-1.5e3,{}]}}   "#
    try Data(fileBytes(header, data: four)).write(to: URL(fileURLWithPath: path))
    let file = try SafeTensors.read(path)
    #expect(file.order == ["wé😀/\n"] && file.metadata.isEmpty && file.tensors["wé😀/\n"]?.array == [1])
  }
}

// MARK: - Atomic writes

private func expectWriteError(_ tensors: [(name: String, tensor: Tensor)], to path: String, _ message: String,
                              sourceLocation: SourceLocation = #_sourceLocation) {
  expectError(path, message, sourceLocation: sourceLocation) { try SafeTensors.write(tensors, to: path) }
}

@Test func writingIntoAMissingDirectoryThrowsAndCreatesNothing() throws {
  try inScratchDirectory { directory in
    let path = directory + "/missing/w.safetensors"
    expectWriteError([("w", Tensor(count: 1))], to: path,
                     "cannot create a temporary file in \(directory)/missing: No such file or directory")
    #expect(listing(of: directory).isEmpty)
  }
}

@Test func failedWriteLeavesTheOldFileAndNoTemporaryFile() throws {
  try inScratchDirectory { directory in
    let path = directory + "/w.safetensors"
    try SafeTensors.write([("w", Tensor(shape: [1], values: [1]))], to: path)
    let before = try Data(contentsOf: URL(fileURLWithPath: path))

    let one = Tensor(count: 1)
    expectWriteError([("w", one), ("w", one)], to: path, "tensor 'w' is given twice")
    expectWriteError([("__metadata__", one)], to: path, "a tensor cannot be named \"__metadata__\"")
    #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    #expect(listing(of: directory) == ["w.safetensors"])
  }
}

@Test func aDirectoryInTheWayIsRefusedBeforeWriting() throws {
  try inScratchDirectory { directory in
    // (A failed rename(2) is AtomicFileTests' concern: the directory is now refused before it.)
    let path = directory + "/w.safetensors"
    try FileManager.default.createDirectory(atPath: path + "/inside", withIntermediateDirectories: true)
    expectWriteError([("w", Tensor(count: 1))], to: path,
                     "not a regular file but a directory — left as it is, nothing written")
    #expect(listing(of: directory) == ["w.safetensors"])
  }
}

@Test func writingThroughASymbolicLinkKeepsTheLink() throws {
  try inScratchDirectory { directory in
    try SafeTensors.write([("old", Tensor(count: 3))], to: directory + "/target.safetensors")
    try FileManager.default.createSymbolicLink(atPath: directory + "/lnk.safetensors",
                                               withDestinationPath: "target.safetensors")
    try SafeTensors.write([("new", Tensor(shape: [1], values: [7]))], to: directory + "/lnk.safetensors")
    #expect(try FileManager.default.destinationOfSymbolicLink(atPath: directory + "/lnk.safetensors")
            == "target.safetensors")
    #expect(try SafeTensors.read(directory + "/target.safetensors").tensors["new"]?.array == [7])
    #expect(listing(of: directory) == ["lnk.safetensors", "target.safetensors"])
  }
}

@Test func writeReplacesAnExistingFile() throws {
  try inScratchDirectory { directory in
    let path = directory + "/w.safetensors"
    try SafeTensors.write([("old", Tensor(count: 3))], to: path)
    try SafeTensors.write([("new", Tensor(shape: [1, 2], values: [5, 6]))], to: path)
    let file = try SafeTensors.read(path)
    #expect(file.order == ["new"] && file.tensors["new"]?.array == [5, 6])
    #expect(listing(of: directory) == ["w.safetensors"])
  }
}
