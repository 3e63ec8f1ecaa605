// Architecture+Words.swift — gashell's two models as the `model` command writes them, and
// back: "mlp 512 512 batchnorm", "cnn 32 64 dropout 0.2". A training state stores these words.

import Datasets
import Engine

extension Architecture {
  /// FashionMNIST's images and classes: what every gashell model takes and gives.
  static let image = Image(channels: 1, height: FashionMNIST.imageRows, width: FashionMNIST.imageColumns)

  /// The tutorial's MLP with these hidden widths.
  static func mlp(hidden: [Int], batchNorm: Bool = false, dropout: Float = 0) -> Architecture {
    Architecture(kind: .mlp(sizes: [Session.inputs] + hidden + [Session.classes]), classes: Session.classes,
                 batchNorm: batchNorm, dropout: dropout)
  }

  /// The convolutional model: two convolutions of these channels, then Linear(…, 128) and Linear(128, 10).
  static func cnn(channels: [Int] = [32, 64], batchNorm: Bool = false, dropout: Float = 0) -> Architecture {
    Architecture(kind: .cnn(channels: channels, hidden: 128, image: image), classes: Session.classes,
                 batchNorm: batchNorm, dropout: dropout)
  }

  /// The words after `model` that make this architecture.
  var words: String {
    let widths: [String]
    switch kind {
    case .mlp(let sizes): widths = ["mlp"] + sizes.dropFirst().dropLast().map(String.init)
    case .cnn(let channels, _, _): widths = ["cnn"] + channels.map(String.init)
    }
    return (widths + (batchNorm ? ["batchnorm"] : []) + (dropout > 0 ? ["dropout", formatHyper(dropout)] : []))
      .joined(separator: " ")
  }

  /// "MLP 784 → 512 → 512 → 10" or "CNN 1×28×28 → 32 → 64 channels → 128 → 10".
  var title: String {
    switch kind {
    case .mlp(let sizes): return "MLP " + sizes.map(String.init).joined(separator: " → ")
    case .cnn(let channels, let hidden, let image):
      return "CNN \(image.channels)×\(image.height)×\(image.width) → " + channels.map(String.init).joined(separator: " → ")
        + " channels → \(hidden) → \(classes)"
    }
  }

  var isConvolutional: Bool { if case .cnn = kind { true } else { false } }
}
