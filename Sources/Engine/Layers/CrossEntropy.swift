// CrossEntropy.swift — softmax cross-entropy over a batch (nn.CrossEntropyLoss,
// mean reduction) and its gradient with respect to the logits.

#if canImport(Glibc)
import Glibc
#endif

public enum CrossEntropy {
  /// loss = mean over rows of −log softmax(z)[y], computed stably (z − max z).
  /// When `gradient` is given it receives ∂(scale · loss)/∂z = scale · (softmax − onehot) / B:
  /// `scale` is where the tutorial's `loss / N` enters the backward pass.
  /// Returns the unscaled loss and how many rows' argmax equals the label.
  public static func evaluate(logits z: Tensor, labels: UnsafeMutableBufferPointer<Int32>,
                              gradient: Tensor? = nil, scale: Float = 1) -> (loss: Float, correct: Int) {
    let batch = z.rows, classes = z.columns
    precondition(labels.count == batch, "\(labels.count) labels for \(batch) rows")
    guard batch > 0 else { return (0, 0) }
    var total = 0.0
    var correct = 0
    let g = gradient?.pointer
    let factor = scale / Float(batch)
    for r in 0..<batch {
      let row = z.pointer + r * classes
      let label = Int(labels[r])
      precondition(label >= 0 && label < classes, "label \(label) outside 0..<\(classes)")
      var best = 0
      var top = row[0]
      for j in 1..<classes where row[j] > top { top = row[j]; best = j }  // first maximum, as argmax
      if best == label { correct += 1 }
      var sum: Float = 0
      for j in 0..<classes { sum += (row[j] - top).exp() }
      let logSum = sum.log()
      total += Double(logSum - (row[label] - top))
      if let g {
        let out = g + r * classes
        for j in 0..<classes { out[j] = factor * ((row[j] - top).exp() / sum) }
        out[label] -= factor
      }
    }
    return (Float(total / Double(batch)), correct)
  }
}

extension Float {
  @inline(__always) func exp() -> Float { expf(self) }
  @inline(__always) func log() -> Float { logf(self) }
}
