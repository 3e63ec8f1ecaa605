// SafeTensors.swift — the safetensors file format, so weights move between gashell and PyTorch.
//
// A file is an 8-byte little-endian header length N, N bytes of JSON, then the data:
//   {"__metadata__":{"k":"v"},"0.weight":{"dtype":"F32","shape":[512,784],"data_offsets":[0,1605632]},…}
// Offsets count from the data's first byte; the tensors tile the data with no gap or overlap.
//
// Writing: F32 only, in the order given, header padded with spaces to a multiple of 8 as the Python
// library pads it. (Its `save_file` orders tensors by dtype, then name; readers accept any order.)
// Reading: F32 as it is; F16 and BF16 widened to F32 (exact), F64 rounded to the nearest F32.
// Any other dtype is an error. Shapes of one to four dimensions stay as they are; a scalar, shape [], is read
// as [1]; five or more dimensions are an error (a convolution weight has four).

#if _endian(big)
#error("safetensors data is little-endian; SafeTensors copies it as native Float32")
#endif

/// A file that cannot be written or is not a well-formed safetensors file.
public struct SafeTensorsError: Error, CustomStringConvertible {
  public let path: String
  public let message: String
  public var description: String { "\(path): \(message)" }
}

public enum SafeTensors {
  /// Writes the tensors as F32, in this order, with string metadata. Atomic: a temporary file in
  /// the same directory is flushed to disk and renamed over `path`, so a crash never leaves half a file.
  /// (`AtomicFile` follows a symbolic link there and refuses a fifo or device: see its `write`.)
  public static func write(_ tensors: [(name: String, tensor: Tensor)], metadata: [String: String] = [:],
                           to path: String) throws {
    func failure(_ message: String) -> SafeTensorsError { SafeTensorsError(path: path, message: message) }
    var entries: [String] = []
    if !metadata.isEmpty {
      let pairs = metadata.sorted { $0.key < $1.key }.map { quoted($0.key) + ":" + quoted($0.value) }
      entries.append("\"__metadata__\":{" + pairs.joined(separator: ",") + "}")
    }
    var names = Set<String>(), offset = 0
    for (name, tensor) in tensors {
      guard name != "__metadata__" else { throw failure("a tensor cannot be named \"__metadata__\"") }
      guard names.insert(name).inserted else { throw failure("tensor \(shown(name)) is given twice") }
      let end = offset + tensor.count * MemoryLayout<Float>.size
      let shape = tensor.shape.map(String.init).joined(separator: ",")
      entries.append(quoted(name) + ":{\"dtype\":\"F32\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(end)]}")
      offset = end
    }
    var header = Array(("{" + entries.joined(separator: ",") + "}").utf8)
    header += repeatElement(UInt8(ascii: " "), count: (8 - header.count % 8) % 8)

    do {
      try AtomicFile.write(to: path) { file in
        try withUnsafeBytes(of: UInt64(header.count).littleEndian) { try file.write($0) }
        try header.withUnsafeBytes { try file.write($0) }
        for (_, tensor) in tensors where tensor.count > 0 {
          try file.write(UnsafeRawBufferPointer(tensor.buffer))  // one write per tensor
        }
      }
    } catch let error as FileError {
      throw failure(error.reason)
    }
  }

  /// Reads every tensor, the names in the header's order (for files from either writer, also the
  /// order of their data), and the metadata. Any malformation is a `SafeTensorsError` saying what.
  /// The format's own limit (the Rust reader's), which also keeps a garbage length from costing memory.
  static let maximumHeaderLength: UInt64 = 100_000_000

  public static func read(_ path: String) throws
    -> (tensors: [String: Tensor], order: [String], metadata: [String: String]) {
    func failure(_ message: String) -> SafeTensorsError { SafeTensorsError(path: path, message: message) }
    // The header first: a file that is not safetensors is refused before its data is read.
    let head: (bytes: [UInt8], size: Int)
    do { head = try AtomicFile.read(path, upTo: 8) } catch { throw failure(error.reason) }
    let size = head.size
    guard size >= 8, head.bytes.count == 8 else {
      throw failure("the file has \(size) bytes, too short for the 8-byte header length")
    }
    let headerLength = head.bytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
    guard headerLength <= UInt64(size - 8) else {
      throw failure("the header length \(headerLength) runs past the end of the file (\(size) bytes)")
    }
    guard headerLength <= maximumHeaderLength else {
      throw failure("the header length \(headerLength) is over the format's limit of \(maximumHeaderLength) bytes")
    }
    let dataStart = 8 + Int(headerLength), dataCount = size - dataStart
    let headerBytes: [UInt8]
    do { headerBytes = try AtomicFile.read(path, upTo: dataStart).bytes } catch { throw failure(error.reason) }
    guard headerBytes.count == dataStart else { throw failure("the file changed while it was read") }
    let header: [(key: String, value: JSONValue)]
    do { header = try JSONParser.object(headerBytes[8..<dataStart]) } catch { throw failure("invalid JSON header: \(error)") }

    var metadata: [String: String] = [:], entries: [Entry] = [], names = Set<String>()
    for (name, value) in header {
      guard names.insert(name).inserted else { throw failure("\(shown(name)) appears twice in the header") }
      if name == "__metadata__" {
        if case .literal("null") = value { continue }
        guard case .object(let pairs) = value else { throw failure("__metadata__ is not an object") }
        for (key, value) in pairs {
          guard case .string(let text) = value else { throw failure("metadata \(shown(key)) is not a string") }
          metadata[key] = text
        }
      } else {
        entries.append(try Entry(name: name, value, dataCount: dataCount, failure))
      }
    }

    // The tensors must tile the data exactly: sorted by offset, each begins where the one before ended.
    var covered = 0, previous: String?
    for entry in entries.sorted(by: { ($0.begin, $0.end) < ($1.begin, $1.end) }) {
      if entry.begin > covered {
        throw failure("data bytes \(covered)..<\(entry.begin) (before tensor \(shown(entry.name))) belong to no tensor")
      }
      if entry.begin < covered {
        throw failure("tensor \(shown(entry.name)) overlaps tensor \(shown(previous!))")
      }
      covered = entry.end
      previous = entry.name
    }
    guard covered == dataCount else {
      throw failure("the data has \(dataCount) bytes but the tensors use only \(covered)")
    }

    let bytes: [UInt8]
    do { bytes = try AtomicFile.read(path) } catch { throw failure(error.reason) }
    guard bytes.count == size else { throw failure("the file changed while it was read") }
    var tensors: [String: Tensor] = [:]
    bytes.withUnsafeBytes { file in
      for entry in entries {
        tensors[entry.name] = entry.tensor(from: UnsafeRawBufferPointer(
          rebasing: file[dataStart + entry.begin ..< dataStart + entry.end]))
      }
    }
    return (tensors, entries.map(\.name), metadata)
  }
}

/// One tensor's header entry, checked against itself and the data's size.
private struct Entry {
  static let dtypeSizes = ["F32": 4, "F16": 2, "BF16": 2, "F64": 8]

  let name: String, dtype: String, shape: [Int], begin: Int, end: Int

  init(name: String, _ value: JSONValue, dataCount: Int, _ failure: (String) -> SafeTensorsError) throws {
    func field(_ key: String) throws -> JSONValue {
      guard case .object(let fields) = value else { throw failure("tensor \(shown(name)) is not a JSON object") }
      guard let found = fields.first(where: { $0.key == key }) else { throw failure("tensor \(shown(name)) has no \(key)") }
      return found.value
    }
    func integers(_ key: String) throws -> [Int] {
      guard case .array(let items) = try field(key),
            case let numbers = items.compactMap({ if case .literal(let t) = $0 { Int(t) } else { nil } }),
            numbers.count == items.count, numbers.allSatisfy({ $0 >= 0 })
      else { throw failure("\(key) of tensor \(shown(name)) is not a list of non-negative integers") }
      return numbers
    }
    guard case .string(let dtype) = try field("dtype") else {
      throw failure("dtype of tensor \(shown(name)) is not a string")
    }
    guard let size = Entry.dtypeSizes[dtype] else {
      throw failure("dtype \(oneLine(dtype)) of tensor \(shown(name)) is not supported; save it as float32 (F32)")
    }
    let shape = try integers("shape"), offsets = try integers("data_offsets")
    guard offsets.count == 2 else {
      throw failure("data_offsets of tensor \(shown(name)) has \(offsets.count) numbers, not 2")
    }
    guard shape.count <= 4 else {
      throw failure("tensor \(shown(name)) has shape \(shape); gashell tensors have at most four dimensions")
    }
    let (begin, end) = (offsets[0], offsets[1])
    guard begin <= end else { throw failure("data_offsets \(offsets) of tensor \(shown(name)) end before they begin") }
    guard end <= dataCount else {
      throw failure("data_offsets \(offsets) of tensor \(shown(name)) run past the end of the data (\(dataCount) bytes)")
    }
    // Multiply with overflow checks: a hostile shape must not wrap around to the right byte count.
    let needed = (shape + [size]).reduce(Optional(1)) { product, n in
      product.flatMap { let (p, o) = $0.multipliedReportingOverflow(by: n); return o ? nil : p }
    }
    guard needed == end - begin else {
      throw failure("tensor \(shown(name)) of dtype \(dtype) and shape \(shape) needs "
        + "\(needed.map(String.init) ?? "too many") bytes, but data_offsets \(offsets) hold \(end - begin)")
    }
    (self.name, self.dtype, self.shape, self.begin, self.end) = (name, dtype, shape, begin, end)
  }

  /// A new Tensor holding `data` converted to Float32.
  func tensor(from data: UnsafeRawBufferPointer) -> Tensor {
    let tensor = Tensor(shape: shape.isEmpty ? [1] : shape)
    let out = tensor.pointer
    func load<T: FixedWidthInteger>(_ k: Int, _: T.Type) -> T {
      T(littleEndian: data.loadUnaligned(fromByteOffset: k * MemoryLayout<T>.size, as: T.self))
    }
    switch dtype {
    case "F32":  // one copy; the bytes need not be aligned
      if let bytes = data.baseAddress { UnsafeMutableRawPointer(out).copyMemory(from: bytes, byteCount: data.count) }
    case "F16": for k in 0..<tensor.count { out[k] = Float(Float16(bitPattern: load(k, UInt16.self))) }
    case "BF16": for k in 0..<tensor.count { out[k] = Float(bitPattern: UInt32(load(k, UInt16.self)) << 16) }
    default: for k in 0..<tensor.count { out[k] = Float(Double(bitPattern: load(k, UInt64.self))) }  // F64
    }
    return tensor
  }
}
