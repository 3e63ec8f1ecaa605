// TranscriptReplay.swift — runs a transcript's commands, matches what they print against
// the expected output (`...`, numbers to precision, `(glob)` lines), and produces a diff and a
// re-recording.

import Foundation

/// Replays a `Transcript` through a command runner. Shared by `gashell --check` and the tests.
public struct TranscriptReplay {
  /// A command whose output did not match.
  public struct Failure: Sendable, Equatable {
    public var lineNumber: Int
    public var prompt: String
    public var command: String
    public var expected: [String]
    public var actual: [String]
  }

  public struct Result: Sendable {
    /// No failing command and no problem in the transcript.
    public var passed: Bool { failures.isEmpty && problems.isEmpty }
    public var failures: [Failure]
    public var problems: [Transcript.Problem]
    /// Empty when passed; otherwise each problem, then each failing command as
    /// `source:LINE: PROMPTCOMMAND` and hunks of `-expected` / `+actual` lines.
    public var diff: String
    /// The transcript with actual prompts and outputs, narration kept. Blocks that still
    /// match keep their text as written (`...`, digits, `(tol …)`); a failing block keeps
    /// its matching lines and takes the printed ones where they differ.
    public var recorded: String
  }

  /// True when `GASHELL_RECORD=1`: callers write `recorded` back instead of failing.
  public static var recordRequested: Bool {
    ProcessInfo.processInfo.environment["GASHELL_RECORD"] == "1"
  }

  /// Runs every command in order, even after a failure (later blocks still get checked and
  /// recorded). `execute` runs one command line and returns everything it printed and the
  /// prompt the session shows next; `initialPrompt` is the one shown before the first command.
  public static func replay(
    _ transcript: Transcript, source: String = "transcript", initialPrompt: String = "ga> ",
    execute: (String) throws -> (output: String, nextPrompt: String)
  ) rethrows -> Result {
    var prompt = initialPrompt
    var prompts: [String] = []
    var outputs: [[String]] = []
    var failures: [Failure] = []
    var hunks: [String] = []
    for entry in transcript.entries {
      let (output, nextPrompt) = try execute(entry.command)
      let actual = outputLines(output)
      let alignment = Alignment(expected: entry.expected, actual: actual)
      prompts.append(prompt)
      outputs.append(alignment.recorded)
      // The prompt is output too: `ga 3/4> ` says a window is open, and counting it is the lesson.
      let promptDiffers = entry.prompt != prompt
      if !alignment.matches || promptDiffers {
        failures.append(Failure(lineNumber: entry.lineNumber, prompt: entry.prompt,
                                command: entry.command, expected: entry.expected, actual: actual))
        hunks.append("\(source):\(entry.lineNumber): \(entry.prompt)\(entry.command)")
        if promptDiffers { hunks.append("  the prompt was '\(prompt)', not '\(entry.prompt)'") }
        if !alignment.matches { hunks += alignment.diff(firstLine: entry.lineNumber + 1) }
      }
      prompt = nextPrompt
    }
    var diff = transcript.problems.map { "\(source):\($0.lineNumber): \($0.message)" }
    diff += hunks
    if !failures.isEmpty {
      diff.append("\(failures.count) of \(transcript.entries.count) commands differ")
    }
    return Result(failures: failures, problems: transcript.problems,
                  diff: diff.isEmpty ? "" : diff.joined(separator: "\n") + "\n",
                  recorded: transcript.render(prompts: prompts, outputs: outputs))
  }

  /// As above for a runner that does not report prompts: the transcript's own are recorded.
  public static func replay(
    _ transcript: Transcript, source: String = "transcript", execute: (String) throws -> String
  ) rethrows -> Result {
    var prompts = transcript.entries.dropFirst().map(\.prompt).makeIterator()
    return try replay(transcript, source: source,
                      initialPrompt: transcript.entries.first?.prompt ?? "ga> ") { command in
      (try execute(command), prompts.next() ?? "ga> ")
    }
  }

  /// True when the printed lines match the expected block.
  public static func matches(expected: [String], actual: [String]) -> Bool {
    Alignment(expected: expected, actual: actual).matches
  }

  /// A command's printed text as lines: final newline dropped, trailing whitespace and
  /// trailing blank lines removed (neither is compared).
  public static func outputLines(_ output: String) -> [String] {
    var lines = Transcript.lines(of: output).map {
      String(NumberMatch.trimmingTrailingWhitespace(Substring($0)))
    }
    while lines.last == "" { lines.removeLast() }
    return lines
  }
}

/// The cheapest alignment of an expected block with printed lines: an edit script where
/// a matching pair and `...` swallowing a printed line cost nothing, and a missing line, an
/// extra line or a pair differing only in numbers costs one. The block matches when the
/// cost is zero — the same as `...` matching lazily with backtracking — and the script
/// gives the diff and the re-recording.
struct Alignment {
  enum Step: Equatable {
    case match(Int, Int)     // expected i matches actual j
    case changed(Int, Int)   // expected i and actual j differ only in numbers  (- then +)
    case ellipsis(Int)       // expected i is `...`; it ends here
    case swallow(Int)        // actual j is covered by the current `...`
    case missing(Int)        // expected i was not printed  (-)
    case extra(Int)          // actual j was not expected   (+)

    var isDifference: Bool {
      switch self {
      case .missing, .extra, .changed: true
      case .match, .ellipsis, .swallow: false
      }
    }
  }

  let expected: [String]
  let actual: [String]
  private(set) var steps: [Step] = []

  var matches: Bool { !steps.contains(where: \.isDifference) }

  init(expected: [String], actual: [String]) {
    self.expected = expected
    self.actual = actual
    let n = expected.count, m = actual.count
    let isEllipsis = expected.map { $0.trimmingCharacters(in: .whitespaces) == "..." }
    // cost[i][j]: cheapest alignment of expected[i...] with actual[j...], filled backwards.
    var cost = [[Int]](repeating: [Int](repeating: 0, count: m + 1), count: n + 1)
    var known = [[Bool?]](repeating: [Bool?](repeating: nil, count: m), count: n)
    func lineMatches(_ i: Int, _ j: Int) -> Bool {
      if let result = known[i][j] { return result }
      let result = NumberMatch.matches(expected: expected[i], actual: actual[j])
      known[i][j] = result
      return result
    }
    func sameShape(_ i: Int, _ j: Int) -> Bool {
      NumberMatch.sameShape(expected: expected[i], actual: actual[j])
    }
    for j in stride(from: m - 1, through: 0, by: -1) { cost[n][j] = cost[n][j + 1] + 1 }
    for i in stride(from: n - 1, through: 0, by: -1) {
      cost[i][m] = cost[i + 1][m] + (isEllipsis[i] ? 0 : 1)
      for j in stride(from: m - 1, through: 0, by: -1) {
        if isEllipsis[i] {
          cost[i][j] = min(cost[i + 1][j], cost[i][j + 1])
        } else {
          var best = min(cost[i + 1][j], cost[i][j + 1]) + 1
          if best > cost[i + 1][j + 1], lineMatches(i, j) { best = cost[i + 1][j + 1] }
          else if best > cost[i + 1][j + 1] + 1, sameShape(i, j) { best = cost[i + 1][j + 1] + 1 }
          cost[i][j] = best
        }
      }
    }
    // Walk the cheapest path; prefer ending `...` early (lazy), then a match, then a pair
    // differing in numbers, then `-` before `+`.
    var i = 0, j = 0
    while i < n || j < m {
      if i < n && isEllipsis[i] {
        if cost[i + 1][j] == cost[i][j] { steps.append(.ellipsis(i)); i += 1 }
        else { steps.append(.swallow(j)); j += 1 }
      } else if i < n && j < m && cost[i + 1][j + 1] == cost[i][j] && lineMatches(i, j) {
        steps.append(.match(i, j)); i += 1; j += 1
      } else if i < n && j < m && cost[i + 1][j + 1] + 1 == cost[i][j] && sameShape(i, j) {
        steps.append(.changed(i, j)); i += 1; j += 1
      } else if i < n && cost[i + 1][j] + 1 == cost[i][j] {
        steps.append(.missing(i)); i += 1
      } else {
        steps.append(.extra(j)); j += 1
      }
    }
  }

  /// The block to write when re-recording: expected lines where they match (their
  /// precision and `...` kept), printed lines where they differ, with their times as globs
  /// (as `save transcript` writes them), so a re-recorded transcript passes on the next run.
  var recorded: [String] {
    steps.compactMap { step in
      switch step {
      case .match(let i, _), .ellipsis(let i): expected[i]
      case .extra(let j), .changed(_, let j): Transcript.timesAsGlob(actual[j]) ?? actual[j]
      case .swallow, .missing: nil
      }
    }
  }

  /// Unified-style hunks: `-` expected, `+` printed, ` ` context (two lines), each hunk headed
  /// by the transcript line where it starts. `firstLine` is the line of expected[0].
  func diff(firstLine: Int, context: Int = 2) -> [String] {
    // One row per shown step: its marker, text and the transcript line it sits at.
    var rows: [(mark: Character, text: String, line: Int)] = []
    var nextLine = firstLine
    for step in steps {
      switch step {
      case .match(let i, _), .ellipsis(let i):
        rows.append((" ", expected[i], firstLine + i)); nextLine = firstLine + i + 1
      case .missing(let i):
        rows.append(("-", expected[i], firstLine + i)); nextLine = firstLine + i + 1
      case .changed(let i, let j):
        rows.append(("-", expected[i], firstLine + i)); nextLine = firstLine + i + 1
        rows.append(("+", actual[j], nextLine))
      case .extra(let j):
        rows.append(("+", actual[j], nextLine))
      case .swallow:
        continue
      }
    }
    let changed = rows.indices.filter { rows[$0].mark != " " }
    var shown = Set<Int>()
    for c in changed { for k in max(0, c - context)...min(rows.count - 1, c + context) { shown.insert(k) } }
    var out: [String] = []
    var previous = -2
    for k in shown.sorted() {
      if k != previous + 1 { out.append("@@ line \(rows[k].line) @@") }
      out.append("\(rows[k].mark)\(rows[k].text)")
      previous = k
    }
    return out
  }
}
