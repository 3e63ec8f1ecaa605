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
                  rows: Int, stride: Int, columns: Range<Int>) {
  for r in 0..<rows {
    let g = dx + r * stride, x = input + r * stride
    for j in columns { g[j] = x[j] > 0 ? g[j] : 0 }
  }
}
