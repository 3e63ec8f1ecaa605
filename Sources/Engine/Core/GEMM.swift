// GEMM.swift — C = α·op(A)·op(B) + β·C through OpenBLAS, on raw row-major
// pointers so a layer can hand each thread its own slice of a product.
// `naiveGEMM` is the three-loop reference the tests check the fast path against.

import CBLAS

/// C[m, n] = α·op(A)[m, k]·op(B)[k, n] + β·C, row-major, leading dimensions explicit.
/// β = 1 adds into C: that is how weight gradients accumulate across micro-batches.
@inline(__always)
public func gemm(
  m: Int, n: Int, k: Int,
  _ a: UnsafePointer<Float>, lda: Int, transposeA: Bool = false,
  _ b: UnsafePointer<Float>, ldb: Int, transposeB: Bool = false,
  _ c: UnsafeMutablePointer<Float>, ldc: Int,
  alpha: Float = 1, beta: Float = 0
) {
  guard m > 0, n > 0 else { return }
  guard k > 0 else {  // an empty sum: C = β·C
    // As BLAS: with β = 0, C is not read, so a NaN or Inf already there does not survive (NaN · 0 is NaN).
    for i in 0..<m { for j in 0..<n { c[i * ldc + j] = beta == 0 ? 0 : beta * c[i * ldc + j] } }
    return
  }
  cblas_sgemm(CblasRowMajor,
              transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
              blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb),
              beta, c, blasint(ldc))
}

/// Whole-tensor form: C = α·op(A)·op(B) + β·C.
public func gemm(_ a: Tensor, transposeA: Bool = false, _ b: Tensor, transposeB: Bool = false,
                 into c: Tensor, alpha: Float = 1, beta: Float = 0) {
  let m = transposeA ? a.columns : a.rows, k = transposeA ? a.rows : a.columns
  let n = transposeB ? b.rows : b.columns
  precondition((transposeB ? b.columns : b.rows) == k, "inner dimensions differ")
  precondition(c.rows == m && c.columns == n, "output is [\(c.rows), \(c.columns)], product is [\(m), \(n)]")
  gemm(m: m, n: n, k: k, a.pointer, lda: a.columns, transposeA: transposeA,
       b.pointer, ldb: b.columns, transposeB: transposeB, c.pointer, ldc: c.columns,
       alpha: alpha, beta: beta)
}

/// The same product with three loops, summed in Double: the reference for tests.
public func naiveGEMM(_ a: Tensor, transposeA: Bool = false, _ b: Tensor, transposeB: Bool = false,
                      into c: Tensor, alpha: Float = 1, beta: Float = 0) {
  let m = transposeA ? a.columns : a.rows, k = transposeA ? a.rows : a.columns
  let n = transposeB ? b.rows : b.columns
  for i in 0..<m {
    for j in 0..<n {
      var s = 0.0
      for p in 0..<k {
        let x = transposeA ? a[p, i] : a[i, p]
        let y = transposeB ? b[j, p] : b[p, j]
        s += Double(x) * Double(y)
      }
      c[i, j] = alpha * Float(s) + (beta == 0 ? 0 : beta * c[i, j])
    }
  }
}

/// OpenBLAS's own thread count. The engine parallelises itself (WorkerPool) and
/// keeps OpenBLAS single-threaded, so products never fight over the cores.
public enum BLAS {
  public static func setThreads(_ n: Int) { openblas_set_num_threads(Int32(n)) }
  public static var threads: Int { Int(openblas_get_num_threads()) }
  public static var configuration: String { String(cString: openblas_get_config()) }
  public static var coreName: String { String(cString: openblas_get_corename()) }
}
