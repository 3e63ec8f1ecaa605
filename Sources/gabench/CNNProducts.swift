// CNNProducts.swift — the matrix products of one CNN training step, alone: the same cblas_sgemm
// calls the engine's Conv2d and Linear make (shapes, leading dimensions, blocks and their split
// over the threads), on operands of the same sizes, with nothing else around them: no im2col,
// no pooling, no ReLU, no loss. What training reaches beside this is its share of the ceiling.

import Engine

final class CNNStepProducts {
  private struct Convolution {
    let layer: Conv2d, needsInputGradient: Bool
    let columns: Tensor, output: Tensor, outputGradient: Tensor
  }
  private struct Dense {
    let layer: Linear, needsInputGradient: Bool
    let input: Tensor, output: Tensor, outputGradient: Tensor, inputGradient: Tensor
  }

  let batch: Int
  private let model: Sequential
  private let convolutions: [Convolution]
  private let denses: [Dense]

  /// The products of `model`'s layers for micro-batches of `batch`; the operands hold values of
  /// a trained network's size (the products' time does not depend on them, but NaNs would).
  init(model: Sequential, batch: Int) {
    self.model = model
    self.batch = batch
    var rng = RandomNumbers(seed: 1)
    func filled(_ rows: Int, _ columns: Int, _ bound: Float) -> Tensor {
      let t = Tensor(rows: rows, columns: columns)
      for i in 0..<t.count { t[i] = rng.uniform(bound) }
      return t
    }
    var convolutions: [Convolution] = [], denses: [Dense] = []
    for (l, layer) in model.layers.enumerated() {
      if let conv = layer as? Conv2d {
        convolutions.append(Convolution(layer: conv, needsInputGradient: l > 0,
                                        columns: filled(batch * conv.patch, conv.pixels, 1),
                                        output: Tensor(rows: batch, columns: conv.outputFeatures),
                                        outputGradient: filled(batch, conv.outputFeatures, 0.01)))
      } else if let linear = layer as? Linear {
        denses.append(Dense(layer: linear, needsInputGradient: l > 0,
                            input: filled(batch, linear.inputs, 1), output: Tensor(rows: batch, columns: linear.outputs),
                            outputGradient: filled(batch, linear.outputs, 0.01),
                            inputGradient: Tensor(rows: batch, columns: linear.inputs)))
      }
    }
    (self.convolutions, self.denses) = (convolutions, denses)
  }

  /// Floating-point operations of one sample's products: 2·m·n·k each.
  var flopsPerSample: Double {
    let conv = convolutions.reduce(0.0) { sum, c in
      let one = 2.0 * Double(c.layer.outChannels * c.layer.patch * c.layer.pixels)
      return sum + one * (c.needsInputGradient ? 3 : 2)
    }
    let dense = denses.reduce(0.0) { sum, d in
      sum + 2.0 * Double(d.layer.inputs * d.layer.outputs) * (d.needsInputGradient ? 3 : 2)
    }
    return conv + dense
  }

  /// One step's products: forward layer by layer, then backward from the top.
  func run() {
    let parallel = Parallel(pool: model.pool)
    for c in convolutions { forward(c, parallel) }
    for d in denses { forward(d, parallel) }
    for d in denses.reversed() { backward(d, parallel) }
    for c in convolutions.reversed() { backward(c, parallel) }
  }

  // As Conv2d.forward: per image, y_b += W·col_b.
  private func forward(_ c: Convolution, _ parallel: Parallel) {
    let conv = c.layer, (patch, pixels) = (conv.patch, conv.pixels)
    parallel.items(batch) { images in
      for b in images {
        gemm(m: conv.outChannels, n: pixels, k: patch, conv.weight.value.pointer, lda: patch,
             c.columns.pointer + b * patch * pixels, ldb: pixels,
             c.output.pointer + b * conv.outputFeatures, ldc: pixels, beta: 1)
      }
    }
  }

  // As Conv2d.backward: dW += dy_b·col_bᵀ in its blocks, then dcol_b = Wᵀ·dy_b per image.
  private func backward(_ c: Convolution, _ parallel: Parallel) {
    let conv = c.layer, (patch, pixels) = (conv.patch, conv.pixels)
    let (byColumns, size) = conv.weightGradientBlocks
    parallel.blocks(byColumns ? patch : conv.outChannels, size: size) { block in
      let (channels, columns) = byColumns ? (0..<conv.outChannels, block) : (block, 0..<patch)
      for b in 0..<batch {
        gemm(m: channels.count, n: columns.count, k: pixels,
             c.outputGradient.pointer + b * conv.outputFeatures + channels.lowerBound * pixels, lda: pixels,
             c.columns.pointer + b * patch * pixels + columns.lowerBound * pixels, ldb: pixels, transposeB: true,
             conv.weight.grad.pointer + channels.lowerBound * patch + columns.lowerBound, ldc: patch, beta: 1)
      }
    }
    guard c.needsInputGradient else { return }
    parallel.items(batch) { images in
      for b in images {
        gemm(m: patch, n: pixels, k: conv.outChannels, conv.weight.value.pointer, lda: patch, transposeA: true,
             c.outputGradient.pointer + b * conv.outputFeatures, ldb: pixels,
             c.columns.pointer + b * patch * pixels, ldc: pixels)
      }
    }
  }

  // As Linear.forward and backward, in Linear.block(features) at a time.
  private func forward(_ d: Dense, _ parallel: Parallel) {
    let (inputs, outputs) = (d.layer.inputs, d.layer.outputs)
    parallel.blocks(outputs, size: Linear.block(outputs)) { slice in
      gemm(m: batch, n: slice.count, k: inputs, d.input.pointer, lda: inputs,
           d.layer.weight.value.pointer + slice.lowerBound * inputs, ldb: inputs, transposeB: true,
           d.output.pointer + slice.lowerBound, ldc: outputs, beta: 1)
    }
  }

  private func backward(_ d: Dense, _ parallel: Parallel) {
    let (inputs, outputs) = (d.layer.inputs, d.layer.outputs)
    parallel.blocks(outputs, size: Linear.block(outputs)) { rows in
      gemm(m: rows.count, n: inputs, k: batch, d.outputGradient.pointer + rows.lowerBound, lda: outputs, transposeA: true,
           d.input.pointer, ldb: inputs, d.layer.weight.grad.pointer + rows.lowerBound * inputs, ldc: inputs, beta: 1)
    }
    guard d.needsInputGradient else { return }
    parallel.blocks(inputs, size: Linear.block(inputs)) { columns in
      gemm(m: batch, n: columns.count, k: outputs, d.outputGradient.pointer, lda: outputs,
           d.layer.weight.value.pointer + columns.lowerBound, ldb: inputs,
           d.inputGradient.pointer + columns.lowerBound, ldc: inputs)
    }
  }
}
