// GEMMTests.swift — the OpenBLAS path against the three-loop reference.

import Testing
@testable import Engine

@Suite struct GEMMTests {
  func random(_ rows: Int, _ columns: Int, seed: UInt64) -> Tensor {
    var rng = RandomNumbers(seed: seed)
    let t = Tensor(rows: rows, columns: columns)
    for i in 0..<t.count { t[i] = rng.uniform(1) }
    return t
  }

  @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
  func matchesNaive(transposeA: Bool, transposeB: Bool) {
    let (m, n, k) = (17, 23, 31)
    let a = transposeA ? random(k, m, seed: 1) : random(m, k, seed: 1)
    let b = transposeB ? random(n, k, seed: 2) : random(k, n, seed: 2)
    let fast = random(m, n, seed: 3), slow = fast.clone()
    gemm(a, transposeA: transposeA, b, transposeB: transposeB, into: fast, alpha: 0.5, beta: 1)
    naiveGEMM(a, transposeA: transposeA, b, transposeB: transposeB, into: slow, alpha: 0.5, beta: 1)
    let d = relativeDifference(fast, slow)
    #expect(d < 1e-5, "maxdiff \(d)")
  }

  /// The rows × columns block of a row-major matrix with leading dimension `ld`, copied out.
  func block(_ p: UnsafePointer<Float>, ld: Int, _ rows: Int, _ columns: Int) -> Tensor {
    let t = Tensor(rows: rows, columns: columns)
    for r in 0..<rows { for c in 0..<columns { t[r, c] = p[r * ld + c] } }
    return t
  }

  /// A strided product into a block of a bigger C: the block matches naiveGEMM on copies of the
  /// operands, and every float outside it is untouched (bit for bit).
  @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
  func stridedBlockMatchesNaiveAndLeavesTheRestAlone(transposeA: Bool, transposeB: Bool) {
    let (m, n, k) = (13, 22, 37)
    // Operands are blocks at an offset inside wider matrices: ld > columns, as a thread's slice.
    let (aRows, aColumns) = transposeA ? (k, m) : (m, k)
    let (bRows, bColumns) = transposeB ? (n, k) : (k, n)
    let bigA = random(aRows + 2, aColumns + 9, seed: 1), bigB = random(bRows + 3, bColumns + 5, seed: 2)
    let bigC = random(m + 4, n + 11, seed: 3), before = bigC.clone()
    let (aAt, bAt, cAt) = (1 * bigA.columns + 4, 2 * bigB.columns + 3, 3 * bigC.columns + 7)
    let a = block(bigA.pointer + aAt, ld: bigA.columns, aRows, aColumns)
    let b = block(bigB.pointer + bAt, ld: bigB.columns, bRows, bColumns)
    let expected = block(bigC.pointer + cAt, ld: bigC.columns, m, n)
    gemm(m: m, n: n, k: k, bigA.pointer + aAt, lda: bigA.columns, transposeA: transposeA,
         bigB.pointer + bAt, ldb: bigB.columns, transposeB: transposeB,
         bigC.pointer + cAt, ldc: bigC.columns, alpha: 0.5, beta: 1)
    naiveGEMM(a, transposeA: transposeA, b, transposeB: transposeB, into: expected, alpha: 0.5, beta: 1)
    let d = relativeDifference(block(bigC.pointer + cAt, ld: bigC.columns, m, n), expected)
    print("strided gemm transposeA \(transposeA) transposeB \(transposeB): maxdiff \(d)")
    #expect(d < 1e-5, "maxdiff \(d)")
    var outside = 0
    for r in 0..<bigC.rows {
      for c in 0..<bigC.columns where !((3..<3 + m).contains(r) && (7..<7 + n).contains(c)) {
        if bigC[r, c].bitPattern != before[r, c].bitPattern { outside += 1 }
      }
    }
    #expect(outside == 0, "\(outside) floats outside the block changed")
  }

  /// Linear's three products exactly as it issues them, one call per thread's slice, with the
  /// input a prefix(rows:) of a bigger workspace and dW accumulating into a gradient already there.
  @Test(arguments: [1, 2, 3])
  func linearsSlicedProductsMatchNaive(parts: Int) {
    let (batch, capacity, inputs, outputs) = (13, 20, 90, 70)  // 70 splits 48 + 22 in two parts
    let input = random(capacity, inputs, seed: 4).prefix(rows: batch)  // [B, in] in a [capacity, in] workspace
    let weight = random(outputs, inputs, seed: 5)                       // [out, in]
    let dy = random(capacity, outputs, seed: 6).prefix(rows: batch)     // [B, out]
    let y = random(capacity, outputs, seed: 7).prefix(rows: batch)      // the bias, broadcast, in the real layer
    let dW = random(outputs, inputs, seed: 8)                           // last micro-batch's gradient
    let dx = random(capacity, inputs, seed: 9).prefix(rows: batch)      // stale workspace: β = 0 overwrites it
    let (yExpected, dWExpected, dxExpected) = (y.clone(), dW.clone(), dx.clone())
    for part in 0..<parts {
      let out = WorkerPool.slice(outputs, part: part, of: parts), cols = WorkerPool.slice(inputs, part: part, of: parts)
      if !out.isEmpty {
        // y[:, out] += x · W[out]ᵀ
        gemm(m: batch, n: out.count, k: inputs, input.pointer, lda: inputs,
             weight.pointer + out.lowerBound * inputs, ldb: inputs, transposeB: true,
             y.pointer + out.lowerBound, ldc: outputs, beta: 1)
        // dW[out] += dy[:, out]ᵀ · x
        gemm(m: out.count, n: inputs, k: batch, dy.pointer + out.lowerBound, lda: outputs, transposeA: true,
             input.pointer, ldb: inputs, dW.pointer + out.lowerBound * inputs, ldc: inputs, beta: 1)
      }
      if !cols.isEmpty {
        // dx[:, cols] = dy · W[:, cols]
        gemm(m: batch, n: cols.count, k: outputs, dy.pointer, lda: outputs,
             weight.pointer + cols.lowerBound, ldb: inputs, dx.pointer + cols.lowerBound, ldc: inputs)
      }
    }
    naiveGEMM(input, weight, transposeB: true, into: yExpected, beta: 1)
    naiveGEMM(dy, transposeA: true, input, into: dWExpected, beta: 1)
    naiveGEMM(dy, weight, into: dxExpected)
    let dY = relativeDifference(y, yExpected), dG = relativeDifference(dW, dWExpected)
    let dX = relativeDifference(dx, dxExpected)
    print("Linear's products in \(parts) parts: maxdiff y \(dY), dW \(dG), dx \(dX)")
    #expect(dY < 1e-5 && dG < 1e-5 && dX < 1e-5, "maxdiff y \(dY), dW \(dG), dx \(dX)")
  }

  /// k = 0 is an empty sum: C = β·C, through both forms, and nothing outside C's block is touched.
  @Test func emptyInnerDimensionScalesCByBeta() {
    let c = random(5, 7, seed: 10), original = c.clone()
    let a = Tensor(rows: 5, columns: 0), b = Tensor(rows: 0, columns: 7)
    gemm(a, b, into: c, beta: 1)
    #expect(c.array.map(\.bitPattern) == original.array.map(\.bitPattern), "β = 1 leaves C as it was")
    gemm(a, b, into: c, alpha: 3, beta: 0.5)
    #expect(c.array == original.array.map { $0 * 0.5 })
    gemm(a, b, into: c, beta: 0)
    #expect(c.array.allSatisfy { $0 == 0 }, "β = 0: \(c.array)")
    naiveGEMM(a, b, into: original, beta: 0)
    #expect(original.array.allSatisfy { $0 == 0 })

    // The pointer form on a block of a wider C (ldc > n): only the block changes.
    let big = random(4, 9, seed: 11), before = big.clone()
    gemm(m: 2, n: 3, k: 0, a.pointer, lda: 1, b.pointer, ldb: 3, big.pointer + 1 * 9 + 2, ldc: 9, beta: 0)
    for r in 0..<4 {
      for col in 0..<9 {
        let inBlock = (1..<3).contains(r) && (2..<5).contains(col)
        let ok = inBlock ? big[r, col] == 0 : big[r, col].bitPattern == before[r, col].bitPattern
        #expect(ok, "[\(r), \(col)] = \(big[r, col]), was \(before[r, col])")
      }
    }
  }

  /// β = 0 means C is not read (BLAS's rule, which OpenBLAS follows for k > 0): a stale NaN in the
  /// output is overwritten, by the empty sum of k = 0 too (it used to compute C *= 0, and NaN · 0 is NaN).
  @Test func betaZeroOverwritesANaNInC() {
    func product(k: Int) -> [Float] {
      let c = Tensor(rows: 3, columns: 3)
      c.fill(.nan)
      gemm(Tensor(rows: 3, columns: k), Tensor(rows: k, columns: 3), into: c, beta: 0)
      return c.array
    }
    #expect(product(k: 4).allSatisfy { $0 == 0 })
    let c = product(k: 0)
    #expect(c.allSatisfy { $0 == 0 }, "k = 0: \(c)")
  }

  @Test func slicesCoverEveryColumnOnce() {
    for n in [10, 63, 64, 100, 512, 784, 669_706] {
      for parts in 1...3 {
        let slices = (0..<parts).map { WorkerPool.slice(n, part: $0, of: parts) }
        #expect(slices.reduce(0) { $0 + $1.count } == n)
        for (i, s) in slices.enumerated() where i > 0 && !s.isEmpty {
          #expect(s.lowerBound == slices[i - 1].upperBound)
        }
      }
    }
  }

  @Test func poolRunsEveryPartOnce() {
    let pool = WorkerPool(threads: 2)
    let hits = Tensor(count: 4)
    for _ in 0..<1000 { pool.run { part, parts in hits[part] += 1; hits[2 + part] = Float(parts) } }
    #expect(hits.array == [1000, 1000, 2, 2])
  }
}

@Suite struct GradientNormTests {
  @Test(arguments: [1, 2, 3])
  func threadedNormEqualsTheExactOne(threads: Int) {
    let model = Sequential(sizes: [50, 70, 10], seed: 4, threads: threads)
    var rng = RandomNumbers(seed: 9)
    for i in 0..<model.parameters.grads.count { model.parameters.grads[i] = rng.uniform(1) }
    let exact = model.parameters.grads.norm
    #expect(abs(Double(model.gradientNorm) - exact) / exact < 1e-5)
  }
}
