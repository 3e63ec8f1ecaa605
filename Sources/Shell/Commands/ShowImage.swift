// ShowImage.swift — `show image N`: training image N drawn in the terminal, its label,
// and what the model, if there is one, makes of it (a forward pass of that one image).
//
// N is 0-based, as PyTorch's `training_data[N]`.

import Datasets
import Engine
import Foundation

extension Command {
  static func showImage(_ session: Session, _ words: [String]) throws {
    guard words.count == 1 else { throw ShellError("show which image? e.g. `show image 0` (0-based, as training_data[0])") }
    guard let train = session.train else { throw ShellError.noData }
    let index = try integer(words[0], "the image number", in: 0...(train.count - 1))
    let pixels = Array(train.image(index))  // [rows·columns], 0 = background
    let lines = picture(pixels, rows: train.rows, columns: train.columns, colour: session.showsProgress)
    session.show(Display(text: lines.map { $0 + "\n" }.joined(),
                         svg: svgPicture(pixels, rows: train.rows, columns: train.columns)))
    let label = Int(train.labels[index])
    session.say("training image \(index): label \(label) \(FashionMNIST.classNames[label])")
    if let t = session.trainer { session.say(prediction(t.model, pixels, label: label)) }
  }

  /// A character cell is about twice as tall as wide, so one cell holds two pixel rows:
  /// 28 × 28 pixels become 28 columns × 14 lines and the picture keeps its shape. On a terminal
  /// the upper half block takes the top pixel as its colour and the bottom one as its background,
  /// in the 24 greys of the 256-colour palette; elsewhere a ramp of ten characters shows the mean.
  static func picture(_ pixels: [UInt8], rows: Int, columns: Int, colour: Bool) -> [String] {
    let ramp = Array(" .:-=+*#%@")
    func grey(_ p: Int) -> Int { 232 + p * 23 / 255 }
    var lines = ["┌" + String(repeating: "─", count: columns) + "┐"]
    for r in stride(from: 0, to: rows, by: 2) {
      var line = "│"
      for c in 0..<columns {
        let top = Int(pixels[r * columns + c])
        let bottom = r + 1 < rows ? Int(pixels[(r + 1) * columns + c]) : 0
        line += colour ? "\u{1B}[38;5;\(grey(top));48;5;\(grey(bottom))m▀" : String(ramp[(top + bottom) / 2 * ramp.count / 256])
      }
      lines.append(line + (colour ? "\u{1B}[0m│" : "│"))
    }
    return lines + ["└" + String(repeating: "─", count: columns) + "┘"]
  }

  /// The image as SVG, one grey square per pixel (white background, as the dataset's pictures are
  /// usually shown: ink dark), six times its size; background pixels are left out.
  static func svgPicture(_ pixels: [UInt8], rows: Int, columns: Int) -> String {
    var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(columns * 6)\" height=\"\(rows * 6)\" "
      + "viewBox=\"0 0 \(columns) \(rows)\" shape-rendering=\"crispEdges\">\n"
      + "<rect width=\"\(columns)\" height=\"\(rows)\" fill=\"#fff\"/>\n"
    for r in 0..<rows {
      for c in 0..<columns where pixels[r * columns + c] > 0 {
        let level = 255 - Int(pixels[r * columns + c])
        svg += "<rect x=\"\(c)\" y=\"\(r)\" width=\"1\" height=\"1\" fill=\"rgb(\(level),\(level),\(level))\"/>\n"
      }
    }
    return svg + "</svg>\n"
  }

  /// "model: Ankle boot 91.2% — right (then Sandal 4.1%, Sneaker 2.6%)": softmax of one image's logits.
  static func prediction(_ model: Sequential, _ pixels: [UInt8], label: Int) -> String {
    let x = Tensor(rows: 1, columns: pixels.count)  // [1, 784], scaled as the DataLoader does
    for (j, p) in pixels.enumerated() { x.pointer[j] = Float(p) / 255 }
    // Inference: batch norm's running statistics, no dropout, and the training's dropout stream untouched.
    let logits = model.forward(x, training: false).array.map(Double.init)  // [1, 10]
    let top = logits.max()!
    let e = logits.map { exp($0 - top) }, sum = e.reduce(0, +)
    let ranked = e.indices.sorted { e[$0] > e[$1] }.map { (FashionMNIST.classNames[$0], 100 * e[$0] / sum, $0) }
    func describe(_ r: (String, Double, Int)) -> String { "\(r.0) \(fixed(r.1, 1))%" }
    return "model: " + describe(ranked[0]) + (ranked[0].2 == label ? " — right" : " — wrong")
      + " (then " + ranked[1...2].map(describe).joined(separator: ", ") + ")"
  }
}
