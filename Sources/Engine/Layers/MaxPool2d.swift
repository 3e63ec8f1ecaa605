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
            for r in 0..<oh {
              for q in 0..<ow {
                var best = c * h * w + 2 * r * w + 2 * q
                var value = image[best]
                for (dr, dq) in [(0, 1), (1, 0), (1, 1)] {
                  let i = c * h * w + (2 * r + dr) * w + 2 * q + dq
                  if image[i] > value || image[i].isNaN { value = image[i]; best = i }
                }
                let o = (c * oh + r) * ow + q
                out[o] = value
                won[o] = Int32(best)
              }
            }
          }
        }
      }
    }
    return y
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
