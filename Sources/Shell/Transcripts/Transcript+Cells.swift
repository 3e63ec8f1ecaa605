// Transcript+Cells.swift — a session written back as a transcript (`save transcript`),
// which `gashell --check` replays: the session becomes a test of itself.

extension Transcript {
  /// The cells as a transcript: narration as `# …` lines (after a blank line when they follow
  /// a command), each command after the prompt it was typed at, then what it printed.
  public init(cells: [Cell]) {
    try! self.init(cells: cells, stoppingIf: { false })
  }

  /// The same, asking `stop` every 256 cells: a session of hours must not hold the prompt
  /// hostage to Ctrl-C. Throws `TranscriptStopped` when told to stop.
  public init(cells: [Cell], stoppingIf stop: () -> Bool) throws(TranscriptStopped) {
    var entries: [Entry] = []
    var narration: [String] = []
    for (index, cell) in cells.enumerated() {
      if index % 256 == 255 && stop() { throw TranscriptStopped() }
      switch cell {
      case .markdown(let text):
        if narration.isEmpty && !entries.isEmpty { narration.append("") }
        // Split bytes, so that "" stays one (empty) narration line: a lone "#".
        narration += text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
          .map { line in line.isEmpty ? "#" : "# " + String(decoding: line, as: UTF8.self) }
      case .code(let prompt, let command, let output, _):
        entries.append(Entry(narration: narration, prompt: prompt, command: command,
                             expected: Transcript.expectedLines(printed: output)))
        narration = []
      }
    }
    self.init(entries: entries, trailingNarration: narration)
  }

  public struct TranscriptStopped: Error {}

  /// What a command printed as an expected block. A line the parser would read as narration
  /// (`#…`) or input (`ga> …`) cannot be expected as written; `...` stands in for it, so the
  /// transcript still replays instead of failing on a line gashell did print. Times become
  /// globs (Transcript+Times.swift).
  static func expectedLines(printed output: String) -> [String] {
    TranscriptReplay.outputLines(printedText(output)).map { line in
      line.hasPrefix("#") || splitPrompt(line) != nil ? "..." : timesAsGlob(line) ?? line
    }
  }
}
