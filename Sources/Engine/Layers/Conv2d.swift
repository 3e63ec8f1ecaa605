// Conv2d.swift — nn.Conv2d(in, out, k, padding=(k − 1) / 2), stride 1, through im2col and cblas_sgemm:
//   forward   col_b = im2col(x_b) [C·k·k, H'·W'];  y_b = W·col_b + b          (W [out, C·k·k])
//   backward  dW += Σ_b dy_b·col_bᵀ;  db += Σ dy;  dx_b = col2im(Wᵀ·dy_b)
// Weight layout as PyTorch's: [out, in, kH, kW]. The columns of every image are kept from
// forward for dW — the activations that make a convolutional network's memory grow with the batch.

public final class Conv2d: Layer {
  public let inChannels: Int, outChannels: Int, height: Int, width: Int
  public let kernel: Int, padding: Int
  public let weight: Parameter          // [out, in·k·k], shown as [out, in, k, k]
  public let bias: Parameter            // [out]
  public var outHeight: Int { height + 2 * padding - kernel + 1 }
  public var outWidth: Int { width + 2 * padding - kernel + 1 }
  public var patch: Int { inChannels * kernel * kernel }     // a column's length
  public var pixels: Int { outHeight * outWidth }             // columns per image

  private var input = Tensor()          // [B, C·H·W], the layer below's output
  private var columns = Tensor()        // [capacity · patch, pixels]: im2col of every image, kept
  private var output = Tensor()         // [capacity, out·pixels]
  private var inputGradient = Tensor()  // [capacity, C·H·W]

  init(inChannels: Int, outChannels: Int, height: Int, width: Int, kernel: Int = 3, padding: Int = 1,
       weight: Parameter, bias: Parameter) {
    (self.inChannels, self.outChannels, self.height, self.width) = (inChannels, outChannels, height, width)
    // A "same" convolution (the output as large as the input), the only kind a model builds: its
    // im2col rows are shifted copies of the plane (see `im2col`).
    precondition(kernel % 2 == 1 && 2 * padding == kernel - 1, "Conv2d here is stride 1 with padding (k − 1) / 2")
    (self.kernel, self.padding) = (kernel, padding)
    (self.weight, self.bias) = (weight, bias)
  }

  public var inputFeatures: Int { inChannels * height * width }
  public var outputFeatures: Int { outChannels * pixels }
  public var description: String { "Conv2d(\(inChannels), \(outChannels), \(kernel), padding=\(padding))" }
  public var parameterShapes: [(name: String, shape: [Int])] {
    [("weight", [outChannels, inChannels, kernel, kernel]), ("bias", [outChannels])]
  }

  public func workspaces(rows: Int, needsInputGradient: Bool) -> [Workspace] {
    [Workspace(name: "im2col columns", floats: rows * patch * pixels, use: .kept),
     Workspace(name: "output", floats: rows * outputFeatures, use: .kept)]
      + (needsInputGradient ? [Workspace(name: "input gradient", floats: rows * inputFeatures, use: .gradient)] : [])
  }

  public func prepare(capacity: Int, needsInputGradient: Bool) {
    columns = Tensor(rows: capacity * patch, columns: pixels)
    output = Tensor(rows: capacity, columns: outputFeatures)
    inputGradient = needsInputGradient ? Tensor(rows: capacity, columns: inputFeatures) : Tensor()
  }

  /// W and b uniform in ±1/√fan_in, fan_in = in·k·k, W first: PyTorch's default.
  public func initialize(_ rng: inout RandomNumbers) {
    let bound = 1 / Float(patch).squareRoot()
    for i in 0..<weight.value.count { weight.value[i] = rng.uniform(bound) }
    for i in 0..<bias.value.count { bias.value[i] = rng.uniform(bound) }
  }

  public func forward(_ x: Tensor, training: Bool, _ parallel: Parallel) -> Tensor {
    precondition(x.columns == inputFeatures, "Conv2d expects \(inputFeatures) features, got \(x.columns)")
    input = x
    let batch = x.rows, y = output.prefix(rows: batch)
    parallel.items(batch) { images in
      for b in images {
        let col = columns.pointer + b * patch * pixels, out = y.pointer + b * outputFeatures
        im2col(x.pointer + b * inputFeatures, into: col)
        for o in 0..<outChannels { (out + o * pixels).update(repeating: bias.value[o], count: pixels) }
        // y_b [out, pixels] += W [out, patch] · col_b [patch, pixels]
        gemm(m: outChannels, n: pixels, k: patch, weight.value.pointer, lda: patch,
             col, ldb: pixels, out, ldc: pixels, beta: 1)
      }
    }
    return y
  }

  /// How dW's product is cut: in fixed blocks, the same for any thread count; by the columns of
  /// dW where a column holds many values (each thread then packs only its share of col_b, which
  /// dominates the packing), else by output channels.
  public var weightGradientBlocks: (byColumns: Bool, size: Int) {
    patch >= 64 ? (true, (patch / 2 + 15) / 16 * 16) : (false, 16)
  }

  public func backward(_ dy: Tensor, needsInputGradient: Bool, _ parallel: Parallel) -> Tensor? {
    let batch = dy.rows
    // dW += Σ_b dy_b·col_bᵀ and db += Σ dy_b, the images added in order, in the blocks below.
    let (byColumns, blockSize) = weightGradientBlocks
    parallel.blocks(byColumns ? patch : outChannels, size: blockSize) { block in
      let (channels, columnRange) = byColumns ? (0..<outChannels, block) : (block, 0..<patch)
      for b in 0..<batch {
        let g = dy.pointer + b * outputFeatures
        gemm(m: channels.count, n: columnRange.count, k: pixels, g + channels.lowerBound * pixels, lda: pixels,
             columns.pointer + b * patch * pixels + columnRange.lowerBound * pixels, ldb: pixels, transposeB: true,
             weight.grad.pointer + channels.lowerBound * patch + columnRange.lowerBound, ldc: patch, beta: 1)
        if columnRange.lowerBound == 0 {
          for o in channels { bias.grad[o] += Conv2d.sum(g + o * pixels, count: pixels) }
        }
      }
    }
    guard needsInputGradient else { return nil }
    // dcol_b = Wᵀ·dy_b, into the columns (dW has used them), then folded back onto the image.
    let dx = inputGradient.prefix(rows: batch)
    parallel.items(batch) { images in
      for b in images {
        let col = columns.pointer + b * patch * pixels
        gemm(m: patch, n: pixels, k: outChannels, weight.value.pointer, lda: patch, transposeA: true,
             dy.pointer + b * outputFeatures, ldb: pixels, col, ldc: pixels)
        col2im(col, into: dx.pointer + b * inputFeatures)
      }
    }
    return dx
  }

  /// x[0] + … + x[count − 1] in eight lanes, then the lanes and the tail: a fixed order, and one
  /// the compiler vectorises (a plain running sum it must keep in sequence).
  @inline(__always)
  static func sum(_ x: UnsafePointer<Float>, count: Int) -> Float {
    var lanes = SIMD8<Float>(), i = 0
    while i + 8 <= count { lanes += UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self); i += 8 }
    var total = lanes.sum()
    while i < count { total += x[i]; i += 1 }
    return total
  }

  /// col[(c·k + i)·k + j, oh·W' + ow] = x[c, oh + i − p, ow + j − p], 0 outside the image. The
  /// output being as large as the image, row (c, i, j) is the flattened plane moved by the tap's
  /// shift: one copy, with rows of zeros above or below and a zero at each line's edge where the
  /// move wrapped round to the next line.
  func im2col(_ x: UnsafePointer<Float>, into col: UnsafeMutablePointer<Float>) {
    let (h, w) = (height, width)
    for c in 0..<inChannels {
      let image = x + c * h * w
      for i in 0..<kernel {
        for j in 0..<kernel {
          let row = col + ((c * kernel + i) * kernel + j) * pixels
          let (rows, shift, inside) = tap(i, j)
          Conv2d.zero(row, count: rows.lowerBound * w)
          Conv2d.zero(row + rows.upperBound * w, count: pixels - rows.upperBound * w)
          Conv2d.copy(image + inside.lowerBound + shift, into: row + inside.lowerBound, count: inside.count)
          zeroEdges(row, rows: rows, j)
        }
      }
    }
  }

  /// The adjoint of im2col: dx[c, oh + i − p, ow + j − p] += dcol[…], in a fixed order: one
  /// shifted addition of each row, whose entries outside the image are made 0 first so that the
  /// wrapped ones add nothing (it overwrites them in dcol).
  func col2im(_ col: UnsafeMutablePointer<Float>, into dx: UnsafeMutablePointer<Float>) {
    let (h, w) = (height, width)
    dx.update(repeating: 0, count: inputFeatures)
    for c in 0..<inChannels {
      let image = dx + c * h * w
      for i in 0..<kernel {
        for j in 0..<kernel {
          let row = col + ((c * kernel + i) * kernel + j) * pixels
          let (rows, shift, inside) = tap(i, j)
          zeroEdges(row, rows: rows, j)
          Conv2d.add(row + inside.lowerBound, into: image + inside.lowerBound + shift, count: inside.count)
        }
      }
    }
  }

  /// Tap (i, j): the output rows it reads inside the image, how far (in floats) it moves the
  /// flattened plane, and the flat output positions whose shifted input lies in the plane.
  @inline(__always)
  private func tap(_ i: Int, _ j: Int) -> (rows: Range<Int>, shift: Int, inside: Range<Int>) {
    let first = max(0, padding - i), rows = first..<max(first, min(height, height + padding - i))
    let shift = (i - padding) * width + (j - padding)
    let from = max(rows.lowerBound * width, -shift), to = min(rows.upperBound * width, height * width - shift)
    return (rows, shift, from..<max(from, to))
  }

  /// Zeroes, in each of `rows`, the output columns whose input column (column + j − p) lies
  /// outside the image: where tap column j's shift wrapped round to the neighbouring line.
  @inline(__always)
  private func zeroEdges(_ row: UnsafeMutablePointer<Float>, rows: Range<Int>, _ j: Int) {
    let w = width, first = max(0, padding - j), last = max(first, min(w, w + padding - j))
    for r in rows {
      for q in 0..<first { row[r * w + q] = 0 }
      for q in last..<w { row[r * w + q] = 0 }
    }
  }

  // Rows of an image are short (28 or 14 floats): copied, zeroed and added eight at a time in
  // SIMD registers, a copy's last eight overlapping the ones before (the same values again),
  // an addition's tail one by one (it must not add twice). The compiler vectorises none of
  // the plain loops at these lengths.

  @inline(__always)
  static func copy(_ source: UnsafePointer<Float>, into target: UnsafeMutablePointer<Float>, count: Int) {
    guard count >= 8 else {
      for q in 0..<count { target[q] = source[q] }
      return
    }
    var q = 0
    while true {
      let at = min(q, count - 8)
      UnsafeMutableRawPointer(target + at).storeBytes(of: UnsafeRawPointer(source + at).loadUnaligned(as: SIMD8<Float>.self),
                                                     as: SIMD8<Float>.self)
      q += 8
      if at == count - 8 { break }
    }
  }

  @inline(__always)
  static func zero(_ target: UnsafeMutablePointer<Float>, count: Int) {
    guard count >= 8 else {
      for q in 0..<count { target[q] = 0 }
      return
    }
    var q = 0
    while true {
      let at = min(q, count - 8)
      UnsafeMutableRawPointer(target + at).storeBytes(of: SIMD8<Float>(), as: SIMD8<Float>.self)
      q += 8
      if at == count - 8 { break }
    }
  }

  @inline(__always)
  static func add(_ source: UnsafePointer<Float>, into target: UnsafeMutablePointer<Float>, count: Int) {
    var q = 0
    while q + 8 <= count {
      let sum = UnsafeRawPointer(target + q).loadUnaligned(as: SIMD8<Float>.self)
        + UnsafeRawPointer(source + q).loadUnaligned(as: SIMD8<Float>.self)
      UnsafeMutableRawPointer(target + q).storeBytes(of: sum, as: SIMD8<Float>.self)
      q += 8
    }
    while q < count { target[q] += source[q]; q += 1 }
  }
}
