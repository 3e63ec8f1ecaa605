// MaxPool2d.swift — nn.MaxPool2d(2): each 2×2 window's maximum, and its backward, which
// routes each gradient to the position that won. As PyTorch's CPU kernel, the first maximum
// of a window (row by row) wins a tie, and a NaN wins over any number.

public final class MaxPool2d: Layer {
  public let channels: Int, height: Int, width: Int
  public let size = 2
  public var outHeight: Int { height / size }
  public var outWidth: Int { width / size }

  private var output = Tensor()           // [capacity, C·H/2·W/2]
  private var winners: [Int32] = []       // [capacity · C·H/2·W/2]: each output's input index in its image
  private var inputGradient = Tensor()    // [capacity, C·H·W]

  init(channels: Int, height: Int, width: Int) {
    (self.channels, self.height, self.width) = (channels, height, width)
  }

  public var inputFeatures: Int { channels * height * width }
  public var outputFeatures: Int { channels * outHeight * outWidth }
  public var description: String { "MaxPool2d(\(size))" }

  public func workspaces(rows: Int, needsInputGradient: Bool) -> [Workspace] {
    // The winners are Int32, as many as the outputs: counted in floats' bytes, which they match.
    [Workspace(name: "output", floats: rows * outputFeatures, use: .kept),
     Workspace(name: "argmax indices", floats: rows * outputFeatures, use: .kept)]
      + (needsInputGradient ? [Workspace(name: "input gradient", floats: rows * inputFeatures, use: .gradient)] : [])
  }

  public func prepare(capacity: Int, needsInputGradient: Bool) {
    output = Tensor(rows: capacity, columns: outputFeatures)
    winners = [Int32](repeating: 0, count: capacity * outputFeatures)
    inputGradient = needsInputGradient ? Tensor(rows: capacity, columns: inputFeatures) : Tensor()
  }

  public func forward(_ x: Tensor, training: Bool, _ parallel: Parallel) -> Tensor {
    let batch = x.rows, y = output.prefix(rows: batch)
    let (h, w, oh, ow) = (height, width, outHeight, outWidth)
    winners.withUnsafeMutableBufferPointer { index in
      let index = index.baseAddress!
      parallel.items(batch) { images in
        for b in images {
          let image = x.pointer + b * inputFeatures
          let out = y.pointer + b * outputFeatures, won = index + b * outputFeatures
          for c in 0..<channels {
            let planeEnd = (c + 1) * h * w, outputsEnd = (c + 1) * oh * ow
            for r in 0..<oh {
              let start = c * h * w + 2 * r * w, o = (c * oh + r) * ow
              // Eight windows at a time, in SIMD registers, where their 16 + 16 inputs lie in the
              // plane: a row shorter than 8 reads on into the next rows, and writes windows of the
              // next output row that are computed again after it. A last group that would run past
              // a row of 8 or more starts earlier instead and recomputes some windows.
              for q in stride(from: 0, to: ow, by: 8) {
                let first = ow >= 8 ? min(q, ow - 8) : q
                if start + w + 2 * first + 16 <= planeEnd && o + first + 8 <= outputsEnd {
                  poolEight(image, start: start, column: first, out + o, won + o)
                } else {
                  for column in q..<min(q + 8, ow) { poolOne(image, start: start, column: column, out + o, won + o) }
                }
              }
            }
          }
        }
      }
    }
    return y
  }

  /// The window of output column `column` in the output row whose top input row begins at
  /// `start`: the four values in row order, a later one winning only if larger, or NaN.
  @inline(__always)
  private func poolOne(_ image: UnsafePointer<Float>, start: Int, column q: Int,
                       _ out: UnsafeMutablePointer<Float>, _ won: UnsafeMutablePointer<Int32>) {
    let at = start + 2 * q
    var best = at, value = image[at]
    @inline(__always) func challenge(_ i: Int) {
      // `larger != NaN` is `larger || NaN` (never both) as a select, not a mispredicted branch.
      let wins = (image[i] > value) != image[i].isNaN
      value = wins ? image[i] : value
      best = wins ? i : best
    }
    challenge(at + 1); challenge(at + width); challenge(at + width + 1)
    out[q] = value
    won[q] = Int32(truncatingIfNeeded: best)
  }

  /// Windows `column` ..< `column` + 8 of one output row, as `poolOne` decides each, in SIMD
  /// registers: the compiler does not vectorise the scalar form (its comparisons become branches).
  @inline(__always)
  private func poolEight(_ image: UnsafePointer<Float>, start: Int, column q: Int,
                         _ out: UnsafeMutablePointer<Float>, _ won: UnsafeMutablePointer<Int32>) {
    let top = UnsafeRawPointer(image + start + 2 * q).loadUnaligned(as: SIMD16<Float>.self)
    let bottom = UnsafeRawPointer(image + start + width + 2 * q).loadUnaligned(as: SIMD16<Float>.self)
    var value = top.evenHalf, best = SIMD8<Int32>(repeating: 0)
    @inline(__always) func challenge(_ challenger: SIMD8<Float>, _ offset: Int) {
      let wins = (challenger .> value) .| (challenger .!= challenger)
      value.replace(with: challenger, where: wins)
      best.replace(with: Int32(truncatingIfNeeded: offset), where: wins)
    }
    challenge(top.oddHalf, 1); challenge(bottom.evenHalf, width); challenge(bottom.oddHalf, width + 1)
    UnsafeMutableRawPointer(out + q).storeBytes(of: value, as: SIMD8<Float>.self)
    let first = SIMD8<Int32>(0, 2, 4, 6, 8, 10, 12, 14) &+ Int32(start + 2 * q)
    UnsafeMutableRawPointer(won + q).storeBytes(of: first &+ best, as: SIMD8<Int32>.self)
  }

  public func backward(_ dy: Tensor, needsInputGradient: Bool, _ parallel: Parallel) -> Tensor? {
    guard needsInputGradient else { return nil }
    let batch = dy.rows, dx = inputGradient.prefix(rows: batch)
    winners.withUnsafeBufferPointer { index in
      let index = index.baseAddress!
      parallel.items(batch) { images in
        for b in images {
          let g = dy.pointer + b * outputFeatures, won = index + b * outputFeatures
          let out = dx.pointer + b * inputFeatures
          out.update(repeating: 0, count: inputFeatures)
          for o in 0..<outputFeatures { out[Int(won[o])] += g[o] }
        }
      }
    }
    return dx
  }
}
