// Sequential+Plan.swift — an architecture laid out as PyTorch's nn.Sequential would hold it:
// every module's index (ReLU, MaxPool2d, Flatten and Dropout count too, so names match
// PyTorch's state_dict), the parameters in order, and the layers that compute it.

extension Sequential {
  struct Plan {
    var layout: [(name: String, shape: [Int])] = []
    var modules: [(index: Int?, name: String, shape: String, parameters: Int)] = []
    var normIndices: [Int] = []
    /// Each layer's index in the Sequential (a Linear's, for one that fuses its ReLU).
    var layerIndices: [Int] = []
    var makeLayers: (ParameterSet) -> [Layer] = { _ in [] }
  }

  static func plan(_ a: Architecture) -> Plan {
    switch a.kind {
    case .mlp(let sizes): mlpPlan(sizes, a)
    case .cnn(let channels, let hidden, let image): cnnPlan(channels, hidden, image, a)
    }
  }

  private static func shape(_ dims: [Int]) -> String { "[B, " + dims.map(String.init).joined(separator: ", ") + "]" }

  /// Linear, [BatchNorm1d], ReLU, [Dropout], …, Linear; a leading Flatten outside the Sequential.
  private static func mlpPlan(_ sizes: [Int], _ a: Architecture) -> Plan {
    var plan = Plan()
    plan.modules.append((nil, "Flatten", "[B, 1, 28, 28] → [B, \(sizes[0])]", 0))
    var index = 0
    var specs: [(linear: Int, norm: Int?, inputs: Int, outputs: Int, hidden: Bool)] = []
    for l in 0..<(sizes.count - 1) {
      let (inputs, outputs, hidden) = (sizes[l], sizes[l + 1], l < sizes.count - 2)
      let linear = index
      plan.layout += [("\(index).weight", [outputs, inputs]), ("\(index).bias", [outputs])]
      plan.modules.append((index, "Linear", "\(shape([inputs])) → \(shape([outputs]))", inputs * outputs + outputs))
      index += 1
      var norm: Int?
      if hidden {
        if a.batchNorm {
          norm = index
          plan.normIndices.append(index)
          plan.layout += [("\(index).weight", [outputs]), ("\(index).bias", [outputs])]
          plan.modules.append((index, "BatchNorm1d", shape([outputs]), 2 * outputs))
          index += 1
        }
        plan.modules.append((index, "ReLU", shape([outputs]), 0))
        index += 1
        if a.dropout > 0 {
          plan.modules.append((index, "Dropout(\(a.dropout))", shape([outputs]), 0))
          index += 1
        }
      }
      specs.append((linear, norm, inputs, outputs, hidden))
      plan.layerIndices.append(linear)
    }
    plan.makeLayers = { p in
      specs.map { s in
        let norm = s.norm.map { BatchNorm(features: s.outputs, weight: parameter(p, $0, "weight"), bias: parameter(p, $0, "bias")) }
        return Linear(inputs: s.inputs, outputs: s.outputs, weight: parameter(p, s.linear, "weight"),
                      bias: parameter(p, s.linear, "bias"), relu: s.hidden, batchNorm: norm,
                      dropout: s.hidden ? a.dropout : 0)
      }
    }
    return plan
  }

  /// Conv2d, [BatchNorm2d], ReLU, MaxPool2d — twice — then Flatten, Linear, ReLU, [Dropout], Linear.
  private static func cnnPlan(_ channels: [Int], _ hidden: Int, _ image: Architecture.Image, _ a: Architecture) -> Plan {
    var plan = Plan()
    var index = 0
    var makers: [(ParameterSet) -> Layer] = []
    var (c, h, w) = (image.channels, image.height, image.width)
    for out in channels {
      let (conv, inC, height, width) = (index, c, h, w)
      plan.layout += [("\(index).weight", [out, c, 3, 3]), ("\(index).bias", [out])]
      plan.modules.append((index, "Conv2d(\(c), \(out), 3, padding=1)", "\(shape([c, h, w])) → \(shape([out, h, w]))", out * c * 9 + out))
      plan.layerIndices.append(index)
      makers.append { p in Conv2d(inChannels: inC, outChannels: out, height: height, width: width,
                                  weight: parameter(p, conv, "weight"), bias: parameter(p, conv, "bias")) }
      index += 1
      if a.batchNorm {
        let norm = index
        plan.normIndices.append(index)
        plan.layout += [("\(index).weight", [out]), ("\(index).bias", [out])]
        plan.modules.append((index, "BatchNorm2d(\(out))", shape([out, h, w]), 2 * out))
        plan.layerIndices.append(index)
        makers.append { p in BatchNorm2d(channels: out, pixels: height * width,
                                         weight: parameter(p, norm, "weight"), bias: parameter(p, norm, "bias")) }
        index += 1
      }
      plan.modules.append((index, "ReLU", shape([out, h, w]), 0))
      plan.layerIndices.append(index)
      makers.append { _ in ReLULayer(features: out * height * width) }
      index += 1
      plan.modules.append((index, "MaxPool2d(2)", "\(shape([out, h, w])) → \(shape([out, h / 2, w / 2]))", 0))
      plan.layerIndices.append(index)
      makers.append { _ in MaxPool2d(channels: out, height: height, width: width) }
      index += 1
      (c, h, w) = (out, h / 2, w / 2)
    }
    let flat = c * h * w, (fc, fcC, fcH, fcW) = (index + 1, c, h, w)
    plan.modules.append((index, "Flatten", "\(shape([c, h, w])) → \(shape([flat]))", 0))
    plan.layerIndices += [index, index + 1]   // Flatten, then the hidden Linear
    makers.append { _ in Flatten(channels: fcC, height: fcH, width: fcW) }
    index += 1
    plan.layout += [("\(index).weight", [hidden, flat]), ("\(index).bias", [hidden])]
    plan.modules.append((index, "Linear", "\(shape([flat])) → \(shape([hidden]))", flat * hidden + hidden))
    index += 1
    plan.modules.append((index, "ReLU", shape([hidden]), 0))
    index += 1
    if a.dropout > 0 {
      plan.modules.append((index, "Dropout(\(a.dropout))", shape([hidden]), 0))
      index += 1
    }
    let last = index, classes = a.classes
    plan.layout += [("\(index).weight", [classes, hidden]), ("\(index).bias", [classes])]
    plan.modules.append((index, "Linear", "\(shape([hidden])) → \(shape([classes]))", hidden * classes + classes))
    makers.append { p in Linear(inputs: flat, outputs: hidden, weight: parameter(p, fc, "weight"), bias: parameter(p, fc, "bias"),
                                relu: true, dropout: a.dropout) }
    plan.layerIndices.append(last)
    makers.append { p in Linear(inputs: hidden, outputs: classes, weight: parameter(p, last, "weight"),
                                bias: parameter(p, last, "bias"), relu: false) }
    plan.makeLayers = { p in makers.map { $0(p) } }
    return plan
  }
}
