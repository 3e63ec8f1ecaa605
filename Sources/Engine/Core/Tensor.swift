// Tensor.swift — contiguous row-major Float32 matrices and vectors.
//
// Every tensor in the engine is stored as a matrix: a batch of images is [B, 784] (an
// image's C·H·W values in a row), a weight [out, in], a bias [out]; a convolution's weight
// [out, in, kH, kW] is a matrix [out, in·kH·kW] that remembers its four dimensions. A Tensor is a view (pointer,
// rows, columns) into a Storage that owns the memory, so taking the first b
// rows of a workspace for a short last batch allocates nothing.

/// Memory owned by one or more tensors. Zero-filled on allocation.
public final class Storage: @unchecked Sendable {
  public let base: UnsafeMutablePointer<Float>
  public let count: Int

  public init(count: Int) {
    self.count = count
    base = .allocate(capacity: max(count, 1))
    base.initialize(repeating: 0, count: max(count, 1))
  }

  deinit { base.deallocate() }
}

/// A row-major view of `rows × columns` floats. Vectors have `rank == 1` and one row.
public struct Tensor: @unchecked Sendable {
  public let storage: Storage
  public let offset: Int
  public let rows: Int
  public let columns: Int
  public let rank: Int
  /// The shape of a tensor of more than two dimensions (a convolution's weight [out, in, kH, kW]),
  /// stored as [shape[0], the rest's product]; nil for vectors and matrices.
  private let dimensions: [Int]?

  /// A zero-filled matrix [rows, columns].
  public init(rows: Int, columns: Int) {
    precondition(rows >= 0 && columns >= 0, "negative tensor dimension")
    self.init(storage: Storage(count: rows * columns), offset: 0, rows: rows, columns: columns, rank: 2)
  }

  /// A zero-filled vector [count].
  public init(count: Int) {
    self.init(storage: Storage(count: count), offset: 0, rows: 1, columns: count, rank: 1)
  }

  /// An empty tensor, a placeholder before the first batch.
  public init() { self.init(rows: 0, columns: 0) }

  /// A tensor with the given shape and values.
  public init(shape: [Int], values: [Float]) {
    precondition(shape.reduce(1, *) == values.count, "shape \(shape) does not hold \(values.count) values")
    self.init(shape: shape)
    values.withUnsafeBufferPointer { pointer.update(from: $0.baseAddress!, count: values.count) }
  }

  public init(storage: Storage, offset: Int, rows: Int, columns: Int, rank: Int) {
    precondition(offset + rows * columns <= storage.count || rows * columns == 0, "view outside its storage")
    precondition(rank == 1 || rank == 2, "a view of more than two dimensions needs its shape")
    self.storage = storage
    self.offset = offset
    self.rows = rows
    self.columns = columns
    self.rank = rank
    dimensions = nil
  }

  /// A view with `shape` of any rank ≥ 1 over `storage` from `offset`: [n] and [r, c] as above,
  /// more dimensions as rows shape[0] and columns the product of the rest.
  public init(storage: Storage, offset: Int, shape: [Int]) {
    precondition(!shape.isEmpty && shape.allSatisfy { $0 >= 0 }, "shape \(shape)")
    let rows = shape.count == 1 ? 1 : shape[0], columns = shape.count == 1 ? shape[0] : shape.dropFirst().reduce(1, *)
    precondition(offset + rows * columns <= storage.count || rows * columns == 0, "view outside its storage")
    self.storage = storage
    self.offset = offset
    self.rows = rows
    self.columns = columns
    rank = shape.count
    dimensions = shape.count > 2 ? shape : nil
  }

  /// A zero-filled tensor of `shape` (any rank ≥ 1).
  public init(shape: [Int]) {
    self.init(storage: Storage(count: shape.reduce(1, *)), offset: 0, shape: shape)
  }

  public var pointer: UnsafeMutablePointer<Float> { storage.base + offset }
  public var count: Int { rows * columns }
  public var shape: [Int] { dimensions ?? (rank == 1 ? [columns] : [rows, columns]) }
  public var buffer: UnsafeMutableBufferPointer<Float> { .init(start: pointer, count: count) }

  /// The first `n` rows, sharing storage: a short batch in a full-size workspace.
  public func prefix(rows n: Int) -> Tensor {
    precondition(n <= rows, "prefix of \(n) rows from a tensor of \(rows)")
    return Tensor(storage: storage, offset: offset, rows: n, columns: columns, rank: rank)
  }

  public subscript(row: Int, column: Int) -> Float {
    get { pointer[row * columns + column] }
    nonmutating set { pointer[row * columns + column] = newValue }
  }

  public subscript(index: Int) -> Float {
    get { pointer[index] }
    nonmutating set { pointer[index] = newValue }
  }

  public var array: [Float] { Array(buffer) }

  public func fill(_ value: Float) { pointer.update(repeating: value, count: count) }
  public func zero() { fill(0) }

  /// Copies `other`'s values into this tensor (same count).
  public func copy(from other: Tensor) {
    precondition(other.count == count, "copy of \(other.count) values into \(count)")
    pointer.update(from: other.pointer, count: count)
  }

  /// A new tensor with its own storage and the same values.
  public func clone() -> Tensor {
    let t = Tensor(shape: shape)
    t.copy(from: self)
    return t
  }
}

extension Tensor {
  /// √Σx², accumulated in Double so the norm of 400k floats keeps its digits.
  public var norm: Double {
    var s = 0.0
    for i in 0..<count { let v = Double(pointer[i]); s += v * v }
    return s.squareRoot()
  }

  /// Σx² over `range`, in Float with sixteen lanes (the loop vectorises).
  public func sumOfSquares(_ range: Range<Int>) -> Float {
    var lanes = SIMD16<Float>()
    let p = UnsafeRawPointer(pointer)
    var i = range.lowerBound
    while i + 16 <= range.upperBound {
      let v = p.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
      lanes += v * v
      i += 16
    }
    var s = lanes.sum()
    while i < range.upperBound { s += pointer[i] * pointer[i]; i += 1 }
    return s
  }

  /// The index of the first NaN or ±Inf, or nil when every value is finite.
  public var firstNonFinite: Int? { firstIndex(magnitudeAtLeast: .infinity) }

  /// The index of the first value whose magnitude is `limit` or more, or NaN; nil when there is
  /// none. With the sign bit cleared, floats order as their bits as signed integers do, NaN's above
  /// ±Inf's, so one vector comparison of sixteen lanes tells whether any of them is at the limit
  /// (baseline x86-64 has a signed compare, not an unsigned maximum); only then is a block searched.
  public func firstIndex(magnitudeAtLeast limit: Float) -> Int? { firstIndex(magnitudeAtLeast: limit, in: 0..<count) }

  /// The same search over `range` of the flat values (a thread's slice, with nothing allocated).
  public func firstIndex(magnitudeAtLeast limit: Float, in range: Range<Int>) -> Int? {
    let bits = UnsafeRawPointer(pointer)
    let magnitude = SIMD16<Int32>(repeating: 0x7fff_ffff)
    let below = SIMD16<Int32>(repeating: Int32(bitPattern: abs(limit).bitPattern) - 1)
    let block = 4096
    var start = range.lowerBound
    while start < range.upperBound {
      let end = min(range.upperBound, start + block)
      var reached = SIMDMask<SIMD16<Int32>>(repeating: false), i = start
      while i + 16 <= end {
        reached .|= (bits.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Int32>.self) & magnitude) .> below
        i += 16
      }
      var found = any(reached)
      while i < end && !found { found = !(abs(pointer[i]) < limit); i += 1 }
      if found { return (start..<end).first { !(abs(pointer[$0]) < limit) } }
      start = end
    }
    return nil
  }

  /// max |x|, 0 for an empty tensor.
  public var maxAbs: Float {
    var m: Float = 0
    for i in 0..<count { m = max(m, abs(pointer[i])) }
    return m
  }

  /// x += alpha · other
  public func add(_ other: Tensor, scaledBy alpha: Float = 1) {
    precondition(other.count == count)
    let a = pointer, b = other.pointer
    for i in 0..<count { a[i] += alpha * b[i] }
  }

  /// x *= alpha
  public func scale(by alpha: Float) {
    let a = pointer
    for i in 0..<count { a[i] *= alpha }
  }
}
