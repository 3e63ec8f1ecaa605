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
    let model = MLP(sizes: [50, 70, 10], seed: 4, threads: threads)
    var rng = RandomNumbers(seed: 9)
    for i in 0..<model.parameters.grads.count { model.parameters.grads[i] = rng.uniform(1) }
    let exact = model.parameters.grads.norm
    #expect(abs(Double(model.gradientNorm) - exact) / exact < 1e-5)
  }
}
