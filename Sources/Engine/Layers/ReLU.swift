// ReLU.swift — max(0, x) and its backward pass, on a slice of columns of a
// row-major matrix (each thread owns its own columns).

/// y = max(0, y) in place.
@inline(__always)
func reluForward(_ y: UnsafeMutablePointer<Float>, rows: Int, stride: Int, columns: Range<Int>) {
  for r in 0..<rows {
    let row = y + r * stride
    for j in columns { row[j] = max(row[j], 0) }
  }
}

/// dx = dx where the ReLU's output was positive, else 0. The ReLU's output is
/// the next layer's input, so the mask needs no extra memory.
@inline(__always)
func reluBackward(_ dx: UnsafeMutablePointer<Float>, input: UnsafePointer<Float>,
                  rows: Int, stride: Int, columns: Range<Int>, scale: Float = 1) {
  for r in 0..<rows {
    let g = dx + r * stride, x = input + r * stride
    if scale == 1 {
      for j in columns { let v = g[j]; g[j] = x[j] > 0 ? v : 0 }  // load first: a select, not a branch
    } else {
      for j in columns { let v = g[j] * scale; g[j] = x[j] > 0 ? v : 0 }
    }
  }
}

/// Dropout in place: each element is zeroed with probability p, the rest scaled
/// by 1/(1 − p). The mask is a hash of (seed, forward, element), so it does not
/// depend on how many threads computed it, and needs no memory.
@inline(__always)
func dropoutForward(_ y: UnsafeMutablePointer<Float>, rows: Int, stride: Int, columns: Range<Int>,
                    p: Float, stream: (seed: UInt64, forward: UInt64)) {
  let keep = 1 / (1 - p)
  let threshold = UInt64(Double(p) * 16_777_216)
  let base = stream.seed &+ stream.forward &* 0xD1B5_4A32_D192_ED03
  for r in 0..<rows {
    let row = y + r * stride
    for j in columns {
      var z = base &+ UInt64(r * stride + j) &* 0x9E37_79B9_7F4A_7C15
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      z ^= z >> 31
      row[j] = (z >> 40) < threshold ? 0 : row[j] * keep
    }
  }
}
