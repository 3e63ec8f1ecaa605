// PlotTests.swift — the plot model's ticks, the braille terminal plot (width, legend,
// direction, markers for overlapping curves, colour only when asked), the SVG (well-formed
// XML with a polyline and a legend entry per series), and the plot commands end to end.

import Datasets
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import Shell

@Suite struct PlotTests {}

/// y = f(x) for x = 1…n, as one series.
private func series(_ name: String, _ n: Int, marker: Character? = nil, _ f: (Double) -> Double) -> Plot.Series {
  Plot.Series(name: name, points: (1...n).map { Plot.Point(Double($0), f(Double($0))) }, marker: marker)
}

private func rising(_ n: Int = 100) -> Plot {
  Plot(title: "rising", xLabel: "step", yLabel: "value", series: [series("y = x", n) { $0 }])
}

extension PlotTests { @Suite struct Ticks {
  @Test func stepsAreOneTwoOrFiveTimesAPowerOfTen() {
    #expect(Plot.tickStep(0...10, about: 5, integer: false) == 2)
    #expect(Plot.tickStep(0...1, about: 4, integer: false) == 0.2)
    #expect(Plot.tickStep(2.29...2.32, about: 4, integer: false) == 0.01)
    #expect(Plot.tickStep(0...3, about: 8, integer: true) == 1, "epochs never get half ticks")
  }

  @Test func labelsHaveTheDecimalsTheStepNeeds() {
    #expect(Plot.label(2.3, step: 0.01) == "2.30")
    #expect(Plot.label(1500, step: 500) == "1,500")
    #expect(Plot.label(-1e-17, step: 0.1) == "0.0", "no -0")
    #expect(Plot.label(3e15, step: 1e15) == "3e+15" && Plot.label(-3e20, step: 1e20) == "-3e+20", "past Int: no raw format")
  }

  @Test func theYAxisCoversTheDataInWholeSteps() {
    let axis = rising(7).yAxis(ticks: 3)
    #expect(axis.range.lowerBound <= 1 && axis.range.upperBound >= 7)
    #expect(Plot.ticks(axis.range, step: axis.step).first == axis.range.lowerBound)
    #expect(Plot.ticks(axis.range, step: axis.step).last == axis.range.upperBound)
  }
} }

extension PlotTests { @Suite struct Terminal {
  @Test(arguments: [40, 80, 123])
  func everyLineFitsTheWidth(width: Int) {
    let long = String(repeating: "very long series name ", count: 10)
    let plot = Plot(title: "a title " + long, xLabel: "x", yLabel: "y",
                    series: [series("a", 300) { sin($0 / 9) }, series(long, 300) { cos($0 / 9) }])
    let lines = TerminalPlot(plot, width: width, rows: 10).lines
    let tooLong = lines.filter { $0.count > width }
    #expect(tooLong.isEmpty, "lines over \(width): \(tooLong)")
    #expect(lines.contains { $0.count == width || $0.count == width - 1 }, "the plot uses the width it is given")
  }

  @Test func aLegendNamesEverySeriesWithItsMarker() {
    let plot = Plot(title: "t", xLabel: "x", yLabel: "y",
                    series: [series("run 1: batch 64", 50, marker: "1") { $0 }, series("run 2: batch 16 × 4", 50, marker: "2") { $0 * 2 }])
    let lines = TerminalPlot(plot, width: 80).lines
    #expect(lines.contains("  1 run 1: batch 64"))
    #expect(lines.contains("  2 run 2: batch 16 × 4"))
  }

  /// Row (from the top) of the dots in plotting column `column`; nil where it is empty.
  private func row(ofColumn column: Int, in lines: [String]) -> Int? {
    let area = lines.filter { $0.contains("┤") || $0.contains("│") }.map(Array.init)
    for (r, line) in area.enumerated() {
      guard let axis = line.firstIndex(where: { $0 == "┤" || $0 == "│" }) else { continue }
      if axis + 1 + column < line.count, line[axis + 1 + column] != " " { return r }
    }
    return nil
  }

  @Test func monotoneDataRisesFromLeftToRight() throws {
    let lines = TerminalPlot(rising(), width: 60, rows: 10).lines
    let axis = try #require(lines.lazy.compactMap { Array($0).firstIndex(of: "┤") }.first)
    let columns = 60 - axis - 1
    let left = try #require(row(ofColumn: 0, in: lines))
    let right = try #require(row(ofColumn: columns - 1, in: lines))
    #expect(left == 9, "the first point is on the bottom row")
    #expect(right == 0, "the last point is on the top row")
  }

  @Test func curvesLyingOnEachOtherShowBothMarkers() {
    // batch 64 and batch 16 × 4: the same losses; staggered markers show both curves.
    let plot = Plot(title: "t", xLabel: "x", yLabel: "y",
                    series: [series("a", 200, marker: "1") { 1 / $0 }, series("b", 200, marker: "2") { 1 / $0 }])
    let area = TerminalPlot(plot, width: 80).lines.dropLast(2).filter { $0.contains("┤") || $0.contains("│") }.joined()
    #expect(area.contains("1") && area.contains("2"))
  }

  @Test func colourOnlyWhenAsked() {
    let plain = TerminalPlot(rising(), width: 80).lines.joined()
    let coloured = TerminalPlot(rising(), width: 80, colour: true).lines.joined()
    #expect(!plain.contains("\u{1B}["))
    #expect(coloured.contains("\u{1B}[34m"))
  }
} }

/// Element names, attributes and text of an XML document, or the parser's error.
private final class XMLSummary: NSObject, XMLParserDelegate {
  var elements: [String: Int] = [:]
  var texts: [String] = []
  private var text = ""

  func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?,
              qualifiedName: String?, attributes: [String: String] = [:]) {
    elements[name, default: 0] += 1
    text = ""
  }
  func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }
  func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
    if name == "text" { texts.append(text) }
    text = ""
  }

  static func parse(_ svg: String) throws -> XMLSummary {
    let summary = XMLSummary()
    let parser = XMLParser(data: Data(svg.utf8))
    parser.delegate = summary
    guard parser.parse() else { throw parser.parserError ?? CocoaError(.coderReadCorrupt) }
    return summary
  }
}

extension PlotTests { @Suite struct SVG {
  let names = ["run 1: batch 64 & <friends>", "run 2: \"batch\" 16 × 4", "it's ‖g‖"]

  @Test func isWellFormedWithAPolylineAndALegendEntryPerSeries() throws {
    let plot = Plot(title: "loss <per> step", xLabel: "optimizer step", yLabel: "loss",
                    series: names.enumerated().map { k, name in series(name, 30) { 2 - Double(k) / 10 - $0 / 100 } })
    let svg = SVGPlot([plot]).text
    let xml = try XMLSummary.parse(svg)
    #expect(xml.elements["svg"] == 1)
    #expect(xml.elements["polyline"] == names.count)
    for name in names { #expect(xml.texts.contains(name), "legend text \(name)") }
    #expect(xml.texts.contains("loss <per> step"))
    #expect(xml.texts.contains("optimizer step") && xml.texts.contains("loss"))
  }

  /// Two runs on one curve (batch 64 and 16 × 4) must both show: every series after the first is dashed.
  @Test func laterSeriesAreDashedSoIdenticalRunsBothShow() {
    let same = Plot(title: "t", xLabel: "x", yLabel: "y", series: names.map { series($0, 30) { $0 } })
    let polylines = SVGPlot([same]).text.split(separator: "\n").filter { $0.hasPrefix("<polyline") }
    #expect(polylines.map { $0.contains("stroke-dasharray") } == [false, true, true])
    let dashes = polylines.dropFirst().map { $0.components(separatedBy: "stroke-dasharray=\"")[1].prefix { $0 != "\"" } }
    #expect(Set(dashes).count == 2, "each dashed series its own pattern: \(dashes)")
  }

  @Test func panelsStackWithTheirOwnSeries() throws {
    let a = Plot(title: "a", xLabel: "epoch", yLabel: "loss", series: [series("1", 3) { $0 }, series("2", 3) { $0 }])
    let b = Plot(title: "b", xLabel: "epoch", yLabel: "%", series: [series("1", 3) { $0 }, series("2", 3) { -$0 }])
    let xml = try XMLSummary.parse(SVGPlot([a, b]).text)
    #expect(xml.elements["polyline"] == 4)
    #expect(xml.elements["circle"] == 12, "few points get a dot each")
  }

  @Test func aSinglePointStillHasAnAxis() throws {
    let plot = Plot(title: "one epoch", xLabel: "epoch", yLabel: "accuracy %", series: [series("run 1", 1) { _ in 42 }])
    let svg = SVGPlot([plot]).text
    #expect(!svg.contains("nan") && !svg.contains("inf"))
    _ = try XMLSummary.parse(svg)
  }
} }

extension PlotTests { @Suite struct Commands {
  /// A session on synthetic images (no files needed) and everything it printed.
  private func session() -> (Session, () -> String) {
    final class Buffer: @unchecked Sendable { var text = "" }
    let buffer = Buffer()
    let s = Session(output: { buffer.text += $0 })
    s.setData(train: SyntheticImages.make(count: 256, seed: 1), test: SyntheticImages.make(count: 64, seed: 2), directory: "synthetic")
    return (s, { defer { buffer.text = "" }; return buffer.text })
  }

  @Test func nothingToPlotSaysWhatToRunFirst() {
    let (s, _) = session()
    #expect(throws: ShellError.self) { try s.execute("plot loss") }
    #expect(throws: ShellError.self) { try s.execute("plot grad") }
    #expect(throws: ShellError.self) { try s.execute("plot test") }
    #expect(throws: ShellError.self) { try s.execute("plot weights") }
  }

  @Test func plotsAfterTrainingAndSavesAnSVG() throws {
    let (s, printed) = session()
    for line in ["set lr 0.1", "model mlp 16", "train 2", "set batch 16", "set accumulate 4", "reset", "train 2"] { try s.execute(line) }
    _ = printed()
    try s.execute("plot loss")
    let loss = printed()
    #expect(loss.contains("  1 run 1: batch 64, sgd lr 0.1") && loss.contains("  2 run 2: batch 16 × 4, sgd lr 0.1"))
    try s.execute("plot grad 30")
    #expect(printed().contains("30 events"))

    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gashell-plot-\(getpid())")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = directory.appendingPathComponent("test.svg").path
    try s.execute("save plot test \(file)")
    let xml = try XMLSummary.parse(try String(contentsOfFile: file, encoding: .utf8))
    #expect(xml.elements["polyline"] == 4, "two panels of two runs")
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["test.svg"], "no temporary file left")
    #expect(throws: ShellError.self) { try s.execute("save plot loss \(directory.path)/loss.png") }
  }

  @Test func showImageDrawsTheImageAndTheGuess() throws {
    let (s, printed) = session()
    try s.execute("show image 0")
    let lines = printed().split(separator: "\n")
    #expect(lines.count == 17, "a frame around 14 rows, and the label")
    #expect(lines.dropLast().allSatisfy { $0.count == 30 })
    try s.execute("model mlp 16")
    _ = printed()
    try s.execute("show image 255")
    #expect(printed().contains("model: "))
    #expect(throws: ShellError("the image number must be in 0–255, got 256")) { try s.execute("show image 256") }
  }
} }

extension PlotTests { @Suite struct GradientHistory {
  @Test func pastTheCapTheOldestEventsGoAndTheLatestStay() {
    var history = History()
    for k in 0..<(History.limit + 10) { history.record(k % 5 == 4 ? .step : .backward, Float(k)) }
    #expect(history.gradientNorms.count <= History.limit)
    #expect(history.gradientNorms.last?.norm == Float(History.limit + 9), "the newest event is kept")
    let norms = history.gradientNorms.map(\.norm)
    #expect(zip(norms, norms.dropFirst()).allSatisfy { $0 + 1 == $1 }, "what is kept is the latest, in order")
  }
} }
