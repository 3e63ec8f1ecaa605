// Parameter.swift — a learnable tensor and its gradient, both views into one
// flat allocation per model (llm.c's layout): zeroing every gradient is one
// memset and an optimizer step is one loop over all parameters.

/// A named parameter: its value and the gradient that backward adds into.
public struct Parameter: @unchecked Sendable {
  /// PyTorch's name in the tutorial's `nn.Sequential`: "0.weight", "0.bias", "2.weight", …
  public let name: String
  public let value: Tensor
  public let grad: Tensor
}

/// All of a model's parameters in two flat buffers, values and gradients.
public final class ParameterSet: @unchecked Sendable {
  public let values: Tensor   // [total]
  public let grads: Tensor    // [total]
  public private(set) var parameters: [Parameter] = []

  /// Lays out parameters with the given names and shapes back to back.
  public init(_ layout: [(name: String, shape: [Int])]) {
    let total = layout.reduce(0) { $0 + $1.shape.reduce(1, *) }
    values = Tensor(count: total)
    grads = Tensor(count: total)
    var offset = 0
    for (name, shape) in layout {
      parameters.append(Parameter(
        name: name,
        value: Tensor(storage: values.storage, offset: offset, shape: shape),
        grad: Tensor(storage: grads.storage, offset: offset, shape: shape)))
      offset += shape.reduce(1, *)
    }
  }

  public var count: Int { values.count }
  public var names: [String] { parameters.map(\.name) }

  public subscript(name: String) -> Parameter? { parameters.first { $0.name == name } }

  /// Sets every gradient to zero: the `optimizer.zero_grad()` of the tutorial.
  public func zeroGrad() { grads.zero() }

  /// √Σg² over all parameters.
  public var gradientNorm: Double { grads.norm }
}
