// Plot.swift — a plot as data: a title, axis labels and named series of (x, y) points,
// with the axis ranges and "nice" ticks that both renderers share, so that the terminal
// plot and the SVG of the same data show the same axes.

import Foundation

public struct Plot: Sendable {
  public struct Point: Sendable, Equatable {
    public var x: Double
    public var y: Double
    public init(_ x: Double, _ y: Double) { self.x = x; self.y = y }
  }

  public struct Series: Sendable {
    public var name: String
    public var points: [Point]   // in increasing x
    /// The character that marks this series in a terminal plot and names it in the legend.
    public var marker: Character?
    public init(name: String, points: [Point], marker: Character? = nil) {
      self.name = name
      self.points = points
      self.marker = marker
    }
  }

  /// What a terminal plot does when a series has more points than dot columns.
  public enum Crowding: Sendable {
    /// Each dot column shows the mean of its points: a noisy loss becomes a readable line.
    case mean
    /// Every point is joined to the next: a saw-tooth keeps its peaks and its zeros.
    case range
  }

  public var title: String
  public var xLabel: String
  public var yLabel: String
  public var series: [Series]
  /// Steps, epochs and events are whole numbers: x ticks never fall between them.
  public var integerX: Bool
  public var crowding: Crowding

  public init(title: String, xLabel: String, yLabel: String, series: [Series],
              integerX: Bool = true, crowding: Crowding = .range) {
    self.title = title
    self.xLabel = xLabel
    self.yLabel = yLabel
    self.series = series
    self.integerX = integerX
    self.crowding = crowding
  }

  /// Series 0, 1, 2, … are marked 1, 2, 3, … unless they bring their own marker.
  public func marker(_ index: Int) -> Character {
    if let m = series[index].marker { return m }
    let symbols = Array("123456789abcdefghijklmnopqrstuvwxyz")
    return symbols[index % symbols.count]
  }

  var allPoints: [Point] { series.flatMap(\.points) }

  /// The data's x extent, widened around a single value so the axis has a length.
  public var xRange: ClosedRange<Double> {
    let xs = allPoints.map(\.x)
    guard let lo = xs.min(), let hi = xs.max() else { return 0...1 }
    return lo < hi ? lo...hi : (lo - 1)...(hi + 1)
  }

  /// The y axis: about `count` tick steps over the data, and the data's extent rounded out
  /// to whole steps, so the top and bottom lines carry labels.
  public func yAxis(ticks count: Int) -> (range: ClosedRange<Double>, step: Double) {
    let ys = allPoints.map(\.y).filter(\.isFinite)
    guard var lo = ys.min(), var hi = ys.max() else { return (0...1, Plot.tickStep(0...1, about: count, integer: false)) }
    if lo == hi {
      let pad = lo == 0 ? 1 : abs(lo) * 0.1
      (lo, hi) = (lo == 0 ? 0 : lo - pad, hi + pad)  // a norm of 0 stays on the axis, not mid-plot
    }
    let step = Plot.tickStep(lo...hi, about: count, integer: false)
    return ((floor(lo / step + 1e-9) * step)...(ceil(hi / step - 1e-9) * step), step)
  }

  // MARK: - Ticks

  /// A step of 1, 2 or 5 × 10ᵏ giving about `count` intervals over `range` (at least 1 when `integer`).
  public static func tickStep(_ range: ClosedRange<Double>, about count: Int, integer: Bool) -> Double {
    let raw = max(range.upperBound - range.lowerBound, 1e-12) / Double(max(count, 1))
    let magnitude = pow(10, floor(log10(raw)))
    let n = raw / magnitude
    let step = (n < 1.5 ? 1 : n < 3 ? 2 : n < 7 ? 5 : 10) * magnitude
    return integer ? max(step.rounded(), 1) : step
  }

  /// The multiples of `step` inside `range`.
  public static func ticks(_ range: ClosedRange<Double>, step: Double) -> [Double] {
    let first = ceil(range.lowerBound / step - 1e-9), last = floor(range.upperBound / step + 1e-9)
    guard first <= last else { return [] }
    return stride(from: first, through: last, by: 1).map { $0 * step }
  }

  /// A tick's label with as many decimals as the step needs: 0.05 → "0.05", 1500 → "1,500".
  /// Steps are 1, 2 or 5 × 10ᵏ, so ⌈−log₁₀ step⌉ decimals always suffice.
  public static func label(_ value: Double, step: Double) -> String {
    let v = abs(value) < step * 1e-6 ? 0 : value  // never "-0"
    if step >= 1 && abs(v) < 1e15 { return grouped(Int(v.rounded())) }
    if step < 1e-4 || step >= 1 { return String(format: "%.0e", v) }   // tiny steps, or values past Int
    return String(format: "%.\(Int(ceil(-log10(step) - 1e-9)))f", v)
  }
}
