// ReLULayer.swift — nn.ReLU() as a layer of its own, in place: after a convolution or a batch
// norm, whose backward does not need their output, the ReLU can overwrite it and keeps no copy.
// (The MLP's Linear fuses its ReLU instead: see Linear.swift.)

public final class ReLULayer: Layer {
  public let features: Int
  private var output = Tensor()   // the input, rectified in place: its positive entries are the mask

  init(features: Int) { self.features = features }

  public var inputFeatures: Int { features }
  public var outputFeatures: Int { features }
  public var description: String { "ReLU" }
  public func workspaces(rows: Int, needsInputGradient: Bool) -> [Workspace] { [] }
  public func prepare(capacity: Int, needsInputGradient: Bool) {}

  public func forward(_ x: Tensor, training: Bool, _ parallel: Parallel) -> Tensor {
    output = x
    parallel.items(x.rows) { rows in
      reluForward(x.pointer + rows.lowerBound * features, rows: rows.count, stride: features, columns: 0..<features)
    }
    return x
  }

  public func backward(_ dy: Tensor, needsInputGradient: Bool, _ parallel: Parallel) -> Tensor? {
    guard needsInputGradient else { return nil }
    parallel.items(dy.rows) { rows in
      let at = rows.lowerBound * features
      reluBackward(dy.pointer + at, input: output.pointer + at, rows: rows.count, stride: features, columns: 0..<features)
    }
    return dy
  }
}

/// nn.Flatten(): [B, C, H, W] → [B, C·H·W]. Activations are already stored so; it is here to
/// keep the Sequential's indices, and the names of what comes after it, as PyTorch's.
public final class Flatten: Layer {
  public let features: Int
  public let channels: Int, height: Int, width: Int
  init(channels: Int, height: Int, width: Int) {
    (self.channels, self.height, self.width) = (channels, height, width)
    features = channels * height * width
  }
  public var inputFeatures: Int { features }
  public var outputFeatures: Int { features }
  public var description: String { "Flatten" }
  public func workspaces(rows: Int, needsInputGradient: Bool) -> [Workspace] { [] }
  public func prepare(capacity: Int, needsInputGradient: Bool) {}
  public func forward(_ x: Tensor, training: Bool, _ parallel: Parallel) -> Tensor { x }
  public func backward(_ dy: Tensor, needsInputGradient: Bool, _ parallel: Parallel) -> Tensor? {
    needsInputGradient ? dy : nil
  }
}
