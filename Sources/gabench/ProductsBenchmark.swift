// ProductsBenchmark.swift — the 8 matrix products of one training step, alone: what
// `cblas_sgemm` reaches on the engine's shapes with nothing else around it. That is the
// ceiling the engine's GFLOP/s is compared with.
//
// Two ways to use T threads, both measured:
//   • OpenBLAS's own threading (openblas_set_num_threads(T)), whole products;
//   • single-threaded OpenBLAS on a WorkerPool of T threads, each thread computing the
//     slice Linear gives it (output features for forward and dW, input features for dx).

import CBLAS
import Engine
#if canImport(Glibc)
import Glibc
#endif

final class StepProducts {
  /// One layer's operands, filled with values of a trained network's magnitude.
  private struct Layer {
    let inputs: Int, outputs: Int
    let x: Tensor, w: Tensor, y: Tensor, dy: Tensor, dw: Tensor, dx: Tensor
  }

  let batch: Int
  private let layers: [Layer]

  init(batch: Int, sizes: [Int] = [784, 512, 512, 10]) {
    self.batch = batch
    var rng = RandomNumbers(seed: 1)
    func filled(_ rows: Int, _ columns: Int, _ value: (inout RandomNumbers) -> Float) -> Tensor {
      let t = Tensor(rows: rows, columns: columns)
      for i in 0..<t.count { t[i] = value(&rng) }
      return t
    }
    layers = (0..<(sizes.count - 1)).map { l in
      let i = sizes[l], o = sizes[l + 1]
      return Layer(inputs: i, outputs: o,
                   x: filled(batch, i) { abs($0.uniform(1)) },   // pixels, activations ≥ 0
                   w: filled(o, i) { $0.uniform(0.05) },
                   y: Tensor(rows: batch, columns: o),
                   dy: filled(batch, o) { $0.uniform(0.01) },
                   dw: Tensor(rows: o, columns: i), dx: Tensor(rows: batch, columns: i))
    }
  }

  /// The 8 products once, each whole, on the calling thread (OpenBLAS threads as set).
  func runWhole() {
    for (l, layer) in layers.enumerated() {
      forward(layer, 0..<layer.outputs)
      weightGradient(layer, 0..<layer.outputs)
      if l > 0 { inputGradient(layer, 0..<layer.inputs) }
    }
  }

  /// The 8 products once, split over `pool` as the engine splits them: one job per
  /// forward and one per backward (dW and dx together); too narrow a layer runs inline.
  func runSplit(on pool: WorkerPool) {
    func run(wide n: Int, _ body: (Int, Int) -> Void) {
      if WorkerPool.slice(n, part: 1, of: pool.threadCount).isEmpty { body(0, 1) } else { pool.run(body) }
    }
    for layer in layers {
      run(wide: layer.outputs) { part, parts in
        self.forward(layer, WorkerPool.slice(layer.outputs, part: part, of: parts))
      }
    }
    for (l, layer) in layers.enumerated().reversed() {
      run(wide: l > 0 ? max(layer.outputs, layer.inputs) : layer.outputs) { part, parts in
        self.weightGradient(layer, WorkerPool.slice(layer.outputs, part: part, of: parts))
        if l > 0 { self.inputGradient(layer, WorkerPool.slice(layer.inputs, part: part, of: parts)) }
      }
    }
  }

  /// y[:, rows] = x·W[rows]ᵀ + y[:, rows]   (β = 1: the bias is already in y)
  private func forward(_ layer: Layer, _ rows: Range<Int>) {
    gemm(m: batch, n: rows.count, k: layer.inputs, layer.x.pointer, lda: layer.inputs,
         layer.w.pointer + rows.lowerBound * layer.inputs, ldb: layer.inputs, transposeB: true,
         layer.y.pointer + rows.lowerBound, ldc: layer.outputs, beta: 1)
  }

  /// dW[rows] += dy[:, rows]ᵀ·x
  private func weightGradient(_ layer: Layer, _ rows: Range<Int>) {
    gemm(m: rows.count, n: layer.inputs, k: batch,
         layer.dy.pointer + rows.lowerBound, lda: layer.outputs, transposeA: true,
         layer.x.pointer, ldb: layer.inputs,
         layer.dw.pointer + rows.lowerBound * layer.inputs, ldc: layer.inputs, beta: 1)
  }

  /// dx[:, columns] = dy·W[:, columns]
  private func inputGradient(_ layer: Layer, _ columns: Range<Int>) {
    gemm(m: batch, n: columns.count, k: layer.outputs, layer.dy.pointer, lda: layer.outputs,
         layer.w.pointer + columns.lowerBound, ldb: layer.inputs,
         layer.dx.pointer + columns.lowerBound, ldc: layer.inputs)
  }
}

enum ProductsBenchmark {
  /// How the T threads are used.
  enum Threading: String, CaseIterable {
    case openBLAS = "OpenBLAS threads"
    case pool = "pool, 1-thread BLAS"
  }

  /// `steps` training steps' worth of the products for `batch`, with T threads used as
  /// `threading` says; the warm-up runs 100 steps.
  static func measurement(batch: Int, threading: Threading, threads: Int, steps: Int) -> Measurement {
    let products = StepProducts(batch: batch)
    let run: (Int) -> Void
    var settle: () -> Void = {}
    switch threading {
    case .openBLAS:
      run = { n in
        BLAS.setThreads(threads)
        for _ in 0..<n { products.runWhole() }
        BLAS.setThreads(1)  // the engine's setting, for whatever runs next
      }
      // OpenBLAS's idle threads spin (sched_yield) for about 2^28 cycles after a call
      // before they sleep: let them, so that they do not slow the next measurement.
      settle = { usleep(200_000) }
    case .pool:
      let pool = WorkerPool(threads: threads)
      run = { n in for _ in 0..<n { products.runSplit(on: pool) } }
    }
    return Measurement(warmUp: { run(min(steps, 100)); settle() }, run: { run(steps) }, settle: settle)
  }
}
