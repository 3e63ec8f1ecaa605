// SVGPlot.swift — Plots as a standalone SVG file: one panel per plot, stacked, each with
// axes, ticks and their labels, axis labels, a title, one polyline per series and a legend.
// Ranges and ticks come from Plot, so the file shows what the terminal showed.

import Foundation

public struct SVGPlot {
  public let plots: [Plot]
  public let width = 720.0
  /// The plotting area of a panel, inside its margins.
  let left = 70.0, right = 20.0, top = 44.0, areaHeight = 260.0

  public init(_ plots: [Plot]) { self.plots = plots }

  /// matplotlib's first colours, in the order of TerminalPlot's ANSI palette.
  static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf"]

  /// Height of one panel: title, plotting area, x ticks and label, then a legend row per series.
  func height(of plot: Plot) -> Double { top + areaHeight + 62 + 18 * Double(plot.series.count) }

  public var text: String {
    let total = plots.reduce(0) { $0 + height(of: $1) }
    var svg = """
      <?xml version="1.0" encoding="UTF-8"?>
      <svg xmlns="http://www.w3.org/2000/svg" width="\(n(width))" height="\(n(total))" \
      viewBox="0 0 \(n(width)) \(n(total))" font-family="sans-serif" font-size="12">
      <rect width="100%" height="100%" fill="white"/>

      """
    var y = 0.0
    for plot in plots {
      svg += "<g transform=\"translate(0 \(n(y)))\">\n" + panel(plot) + "</g>\n"
      y += height(of: plot)
    }
    return svg + "</svg>\n"
  }

  private func panel(_ plot: Plot) -> String {
    let areaWidth = width - left - right
    let xRange = plot.xRange, (yRange, yStep) = plot.yAxis(ticks: 6)
    func px(_ x: Double) -> Double { left + (x - xRange.lowerBound) / (xRange.upperBound - xRange.lowerBound) * areaWidth }
    func py(_ y: Double) -> Double { top + (yRange.upperBound - y) / (yRange.upperBound - yRange.lowerBound) * areaHeight }
    let bottom = top + areaHeight
    var s = "<text x=\"\(n(width / 2))\" y=\"24\" text-anchor=\"middle\" font-size=\"15\" font-weight=\"bold\">\(escape(plot.title))</text>\n"

    // Grid lines and tick labels, then the axes over them.
    for t in Plot.ticks(yRange, step: yStep) {
      s += line(left, py(t), width - right, py(t), "#e4e4e4")
      s += "<text x=\"\(n(left - 6))\" y=\"\(n(py(t) + 4))\" text-anchor=\"end\">\(escape(Plot.label(t, step: yStep)))</text>\n"
    }
    let xStep = Plot.tickStep(xRange, about: 8, integer: plot.integerX)
    for t in Plot.ticks(xRange, step: xStep) {
      s += line(px(t), top, px(t), bottom, "#e4e4e4") + line(px(t), bottom, px(t), bottom + 5, "black")
      s += "<text x=\"\(n(px(t)))\" y=\"\(n(bottom + 18))\" text-anchor=\"middle\">\(escape(Plot.label(t, step: xStep)))</text>\n"
    }
    s += line(left, top, left, bottom, "black") + line(left, bottom, width - right, bottom, "black")
    s += "<text x=\"\(n(left + areaWidth / 2))\" y=\"\(n(bottom + 38))\" text-anchor=\"middle\">\(escape(plot.xLabel))</text>\n"
    s += "<text x=\"16\" y=\"\(n(top + areaHeight / 2))\" text-anchor=\"middle\" transform=\"rotate(-90 16 \(n(top + areaHeight / 2)))\">\(escape(plot.yLabel))</text>\n"

    // One polyline per series; a dot on each point when there are few (an epoch plot's single point shows).
    for (k, series) in plot.series.enumerated() {
      let colour = SVGPlot.palette[k % SVGPlot.palette.count]
      let points = series.points.filter { $0.x.isFinite && $0.y.isFinite }
      let list = points.map { "\(n(px($0.x))),\(n(py($0.y)))" }.joined(separator: " ")
      // Thin and a little transparent when dense, so a noisy run does not hide the one beneath it.
      let stroke = points.count > 300 ? "stroke-width=\"0.8\" stroke-opacity=\"0.8\"" : "stroke-width=\"1.5\""
      // Later series dashed: batch 64 and 16 × 4 draw the same curve, and the second must not hide the first.
      let dash = k == 0 ? "" : " stroke-dasharray=\"\(4 + 2 * k) 4\""
      s += "<polyline fill=\"none\" stroke=\"\(colour)\" \(stroke)\(dash) stroke-linejoin=\"round\" points=\"\(list)\"><title>\(escape(series.name))</title></polyline>\n"
      if points.count <= 40 {
        for p in points { s += "<circle cx=\"\(n(px(p.x)))\" cy=\"\(n(py(p.y)))\" r=\"3\" fill=\"\(colour)\"/>\n" }
      }
      let row = bottom + 62 + 18 * Double(k) - 4
      s += line(left, row - 4, left + 24, row - 4, colour, width: 3, dash: dash)
      s += "<text x=\"\(n(left + 32))\" y=\"\(n(row))\">\(escape(series.name))</text>\n"
    }
    return s
  }

  private func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, _ colour: String, width: Double = 1,
                    dash: String = "") -> String {
    "<line x1=\"\(n(x1))\" y1=\"\(n(y1))\" x2=\"\(n(x2))\" y2=\"\(n(y2))\" stroke=\"\(colour)\" stroke-width=\"\(n(width))\"\(dash)/>\n"
  }

  /// Coordinates to a hundredth of a pixel: "12.5", not "12.500000".
  private func n(_ x: Double) -> String {
    let r = (x * 100).rounded() / 100
    if r == r.rounded() { return String(Int(r)) }
    let text = String(format: "%.2f", r)
    return text.hasSuffix("0") ? String(text.dropLast()) : text
  }

  /// Text for XML: the five characters that would end a tag, an attribute or an entity.
  static func escape(_ text: String) -> String {
    var out = ""
    for c in text {
      switch c {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      case "'": out += "&apos;"
      default: out.append(c)
      }
    }
    return out
  }
  private func escape(_ text: String) -> String { SVGPlot.escape(text) }
}
