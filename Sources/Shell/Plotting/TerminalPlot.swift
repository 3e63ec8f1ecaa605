// TerminalPlot.swift — a Plot drawn as text: curves in braille dots (2 × 4 dots a
// character cell), tick labels on both axes, a marker per series along its curve, and a
// legend. ANSI colour only on a terminal; plain text elsewhere, so transcripts are stable.

import Foundation

public struct TerminalPlot {
  public let plot: Plot
  /// The longest line, tick labels and legend included.
  public let width: Int
  /// Character rows of the plotting area (each is 4 dots high).
  public let rows: Int
  public let colour: Bool

  public init(_ plot: Plot, width: Int, rows: Int = 12, colour: Bool = false) {
    self.plot = plot
    self.width = max(width, 30)
    self.rows = max(rows, 3)
    self.colour = colour
  }

  /// ANSI foreground colours in the order of SVGPlot's palette: blue, red, green, magenta, orange, cyan.
  static let palette = ["34", "31", "32", "35", "33", "36"]

  public var lines: [String] {
    // Axes: the y ticks decide how wide the labels on the left are, which decides the columns left for dots.
    let (yRange, yStep) = plot.yAxis(ticks: max(2, rows / 3))
    let yTicks = Plot.ticks(yRange, step: yStep)
    let labelWidth = yTicks.map { Plot.label($0, step: yStep).count }.max() ?? 1
    let columns = width - labelWidth - 2
    var canvas = Canvas(columns: columns, rows: rows, x: plot.xRange, y: yRange)

    let count = plot.series.count
    var markers: [Int: Character] = [:], markerOwner: [Int: Int] = [:]  // cell index → marker
    var marked = Set<Int>()  // series with markers, even where another series' marker covers theirs
    var averaged = 0
    for (k, series) in plot.series.enumerated() {
      let points = series.points.filter { $0.y.isFinite && $0.x.isFinite }
      var dots = points.map(canvas.dot)
      if plot.crowding == .mean && dots.count > 2 * canvas.dotColumns {
        averaged = max(averaged, dots.count / canvas.dotColumns)
        dots = Canvas.meanPerColumn(dots)
      }
      let extent = canvas.draw(dots, series: k)
      // Few points: mark each. Many: mark the curve every `spacing` columns, each series shifted
      // so that curves lying on top of each other (batch 64 and 16 × 4) show both markers in turn.
      var cells: [Int] = []
      if points.count <= columns / 4 {
        cells = dots.map { ($0.y / 4) * columns + $0.x / 2 }
      } else if count > 1 {
        let spacing = max(6, columns / 6)
        for c in stride(from: spacing / 2 + k * spacing / count, to: columns, by: spacing) {
          guard let e = extent[2 * c] ?? extent[2 * c + 1] else { continue }
          cells.append(((e.lo + e.hi) / 2 / 4) * columns + c)
        }
      }
      if !cells.isEmpty { marked.insert(k) }
      for cell in cells {
        markers[cell] = markers[cell].map { _ in markerOwner[cell] == k ? plot.marker(k) : "*" } ?? plot.marker(k)
        markerOwner[cell] = k
      }
    }

    // The plotting area with the y axis.
    var tickAtRow: [Int: String] = [:]
    for t in yTicks where tickAtRow[canvas.dot(Plot.Point(0, t)).y / 4] == nil {
      tickAtRow[canvas.dot(Plot.Point(0, t)).y / 4] = Plot.label(t, step: yStep)
    }
    var out = [clip(plot.title), clip(plot.yLabel)]
    for r in 0..<rows {
      var line = pad(tickAtRow[r] ?? "", labelWidth, left: true) + (tickAtRow[r] == nil ? " │" : " ┤")
      let used: Int = (0..<columns).last(where: { canvas.bits[r * columns + $0] != 0 || markers[r * columns + $0] != nil }) ?? -1
      for c in stride(from: 0, through: used, by: 1) {
        let cell = r * columns + c
        if let m = markers[cell] {
          line += m == "*" ? String(m) : paint(String(m), markerOwner[cell]!)
        } else if canvas.bits[cell] == 0 {
          line += " "
        } else {
          line += paint(String(UnicodeScalar(0x2800 + UInt32(canvas.bits[cell]))!), canvas.owner[cell])
        }
      }
      out.append(line)
    }

    // The x axis: ┬ at each tick, labels centred under them where they fit.
    let xStep = Plot.tickStep(plot.xRange, about: max(2, columns / 12), integer: plot.integerX)
    let xTicks = Plot.ticks(plot.xRange, step: xStep).map { ($0, canvas.dot(Plot.Point($0, 0)).x / 2) }
    var axis = Array(repeating: "─", count: columns)
    for (_, c) in xTicks { axis[c] = "┬" }
    out.append(String(repeating: " ", count: labelWidth) + " └" + axis.joined())
    var labels = Array(repeating: Character(" "), count: width), end = -1
    for (t, c) in xTicks {
      let text = Array(Plot.label(t, step: xStep))
      let start = min(max(labelWidth + 2 + c - text.count / 2, 0), width - text.count)
      guard start > end + 1 || end < 0 else { continue }  // one space between labels at least
      labels.replaceSubrange(start..<start + text.count, with: text)
      end = start + text.count - 1
    }
    out.append(String(String(labels).reversed().drop { $0 == " " }.reversed()))
    out.append(clip(String(repeating: " ", count: labelWidth + 2 + max(0, (columns - plot.xLabel.count) / 2)) + plot.xLabel))

    // The legend: the marker (or a bit of line, when no marker was drawn) and the series' name.
    for (k, series) in plot.series.enumerated() {
      let key = marked.contains(k) ? String(plot.marker(k)) + (colour ? " ━━" : "") : "⠤⠤"
      out.append("  " + paint(key, k) + " " + clip(series.name, to: width - 3 - key.count))
    }
    if markers.values.contains("*") { out.append("  * more than one series at that point") }
    if averaged > 1 { out.append(clip("  (each dot column is the mean of about \(averaged) points)")) }
    return out
  }

  private func paint(_ text: String, _ series: Int) -> String {
    colour ? "\u{1B}[\(TerminalPlot.palette[series % TerminalPlot.palette.count])m\(text)\u{1B}[0m" : text
  }

  private func clip(_ text: String, to limit: Int? = nil) -> String {
    let n = limit ?? width
    return text.count <= n ? text : String(text.prefix(max(n - 1, 0))) + "…"
  }
}

/// The grid of braille dots: `columns` × `rows` cells, each 2 dots wide and 4 high.
private struct Canvas {
  let columns: Int, rows: Int
  let x: ClosedRange<Double>, y: ClosedRange<Double>
  var bits: [UInt8]    // [rows, columns]: which of a cell's 8 dots are set
  var owner: [Int]     // [rows, columns]: the series drawn last into the cell, for its colour

  init(columns: Int, rows: Int, x: ClosedRange<Double>, y: ClosedRange<Double>) {
    (self.columns, self.rows, self.x, self.y) = (columns, rows, x, y)
    bits = Array(repeating: 0, count: columns * rows)
    owner = Array(repeating: 0, count: columns * rows)
  }

  var dotColumns: Int { 2 * columns }
  var dotRows: Int { 4 * rows }

  /// A data point's dot: column from the left, row from the top (larger y is higher up).
  func dot(_ p: Plot.Point) -> (x: Int, y: Int) {
    let fx = (p.x - x.lowerBound) / (x.upperBound - x.lowerBound)
    let fy = (y.upperBound - p.y) / (y.upperBound - y.lowerBound)
    return (min(max(Int((fx * Double(dotColumns - 1)).rounded()), 0), dotColumns - 1),
            min(max(Int((fy * Double(dotRows - 1)).rounded()), 0), dotRows - 1))
  }

  /// Unicode's braille dot numbering: bit of the dot at (column dx, row dy) inside a cell.
  static let dotBit: [[UInt8]] = [[0x01, 0x08], [0x02, 0x10], [0x04, 0x20], [0x40, 0x80]]

  /// Joins consecutive dots with straight lines; returns, per dot column, the rows the series covers.
  mutating func draw(_ dots: [(x: Int, y: Int)], series: Int) -> [Int: (lo: Int, hi: Int)] {
    var extent: [Int: (lo: Int, hi: Int)] = [:]
    func set(_ dx: Int, _ dy: Int) {
      let cell = (dy / 4) * columns + dx / 2
      bits[cell] |= Canvas.dotBit[dy % 4][dx % 2]
      owner[cell] = series
      extent[dx] = extent[dx].map { (min($0.lo, dy), max($0.hi, dy)) } ?? (dy, dy)
    }
    guard let first = dots.first else { return extent }
    set(first.x, first.y)
    for (a, b) in zip(dots, dots.dropFirst()) {
      let n = max(abs(b.x - a.x), abs(b.y - a.y))
      for i in stride(from: 1, through: n, by: 1) {
        let t = Double(i) / Double(n)
        set(a.x + Int((Double(b.x - a.x) * t).rounded()), a.y + Int((Double(b.y - a.y) * t).rounded()))
      }
    }
    return extent
  }

  /// One dot per column: the mean row of the dots falling in it (dots arrive in increasing x).
  static func meanPerColumn(_ dots: [(x: Int, y: Int)]) -> [(x: Int, y: Int)] {
    var out: [(x: Int, y: Int)] = [], sum = 0, n = 0
    for (i, d) in dots.enumerated() {
      sum += d.y; n += 1
      if i == dots.count - 1 || dots[i + 1].x != d.x {
        out.append((d.x, Int((Double(sum) / Double(n)).rounded())))
        sum = 0; n = 0
      }
    }
    return out
  }
}
