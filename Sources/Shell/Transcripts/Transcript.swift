// Transcript.swift — a gashell session pasted as it was: prompts, commands, expected
// output and narration, parsed into entries and rendered back.

/// A pasted gashell session that reads as a document and replays as a test.
///
/// ```
/// # Gradients add up until the optimizer step.     ← narration
/// ga> set accumulate 4                             ← input: prompt + command
/// accumulate = 4                                   ← its expected output
///
/// ga> backward                                     ← the blank line above is narration
/// loss 2.3026   micro-batch 1 of 4 (16 samples) accumulated
/// ga 1/4> show grad                                ← the prompt is not compared
/// ...                                              ← any number of lines
/// ```
///
/// Rules, line by line:
/// - A line starting with a prompt, `ga> ` or `ga N/M> ` (also a bare `ga>` at the end
///   of a line, for an empty command), is input. The prompt is kept for display only.
/// - The lines after an input line are its expected output, up to the next input line
///   or the next narration line. Blank lines inside a block count; trailing blank lines
///   of a block do not (they belong to the narration that follows).
/// - A line starting with `#` is narration: ignored by the matcher, kept for display
///   and for re-recording. Narration ends an output block, so a comment sits between
///   commands, never inside an output. (Output lines that start with `#` or with a
///   prompt cannot be expected; gashell prints none.)
/// - Expected lines match as `NumberMatch` says: numbers to the digits written, a
///   `(tol T)` suffix for a tolerance, a ` (glob)` suffix for `*` wildcards (timings).
/// - Blank lines before the first input or after narration are narration too.
/// - Any other line outside an output block — before the first input, or after a `#`
///   line — is a problem in the transcript, reported with its line number: silently
///   ignoring it could let a wrong expectation pass unchecked. It is kept for display.
public struct Transcript: Sendable, Equatable {
  /// One command and what it should print.
  public struct Entry: Sendable, Equatable {
    /// Lines shown before the prompt: `#` narration and blank lines, as written.
    public var narration: [String]
    /// The prompt as shown, e.g. `"ga> "` or `"ga 2/4> "`.
    public var prompt: String
    /// The command typed after the prompt, trailing whitespace removed.
    public var command: String
    /// Expected output lines, trailing blank lines removed; `...` matches any lines.
    public var expected: [String]
    /// 1-based line of the input in the transcript; expected line k is at lineNumber + 1 + k.
    public var lineNumber: Int

    public init(narration: [String] = [], prompt: String = "ga> ", command: String,
                expected: [String] = [], lineNumber: Int = 0) {
      self.narration = narration
      self.prompt = prompt
      self.command = command
      self.expected = expected
      self.lineNumber = lineNumber
    }
  }

  /// A line the parser could not place; replay fails while any remain.
  public struct Problem: Sendable, Equatable, CustomStringConvertible {
    public var lineNumber: Int
    public var message: String
    public var description: String { "line \(lineNumber): \(message)" }
  }

  public var entries: [Entry]
  /// Narration after the last command's output.
  public var trailingNarration: [String]
  public var problems: [Problem]

  public init(entries: [Entry] = [], trailingNarration: [String] = [], problems: [Problem] = []) {
    self.entries = entries
    self.trailingNarration = trailingNarration
    self.problems = problems
  }

  /// Parses a transcript. Never fails: lines it cannot place become `problems`.
  public static func parse(_ text: String) -> Transcript {
    var transcript = Transcript()
    var narration: [String] = []   // waiting for the next entry
    var inOutput = false           // the lines being read are the last entry's output

    func closeOutput() {
      guard inOutput, let last = transcript.entries.indices.last else { return }
      while let line = transcript.entries[last].expected.last, isBlank(line) {
        narration.insert(transcript.entries[last].expected.removeLast(), at: 0)
      }
      inOutput = false
    }

    for (index, line) in lines(of: text).enumerated() {
      let lineNumber = index + 1
      if let (prompt, command) = splitPrompt(line) {
        closeOutput()
        transcript.entries.append(Entry(narration: narration, prompt: prompt, command: command,
                                        lineNumber: lineNumber))
        narration = []
        inOutput = true
      } else if line.hasPrefix("#") {
        closeOutput()
        narration.append(line)
      } else if inOutput {
        transcript.entries[transcript.entries.count - 1].expected.append(line)
      } else {
        if !isBlank(line) {
          let place = transcript.entries.isEmpty ? "before the first `ga> ` line" : "after narration"
          transcript.problems.append(Problem(
            lineNumber: lineNumber,
            message: "text \(place) is neither input nor narration: start it with `#`"
              + " (narration ends a command's output)"))
        }
        narration.append(line)
      }
    }
    closeOutput()
    transcript.trailingNarration = narration
    return transcript
  }

  /// The transcript written back out; `parse(t.rendered) == t` for a parsed `t`.
  public var rendered: String {
    render(prompts: entries.map(\.prompt), outputs: entries.map(\.expected))
  }

  /// Renders with the given prompt and output block for each entry, narration kept.
  func render(prompts: [String], outputs: [[String]]) -> String {
    var lines: [String] = []
    for (index, entry) in entries.enumerated() {
      lines += entry.narration
      lines.append(prompts[index] + entry.command)
      lines += outputs[index]
    }
    lines += trailingNarration
    return lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n"
  }

  // MARK: - Lines and prompts

  /// Splits a prompt line into the prompt as shown and the command: `"ga 2/4> step"`
  /// gives `("ga 2/4> ", "step")`. Nil for a line that is not input.
  public static func splitPrompt(_ line: String) -> (prompt: String, command: String)? {
    let chars = Array(line.utf8)
    guard chars.starts(with: Array("ga".utf8)) else { return nil }
    var i = 2
    if i < chars.count, chars[i] == UInt8(ascii: " ") {
      // Optional accumulation window "N/M".
      var j = i + 1
      let nStart = j
      while j < chars.count, NumberMatch.isDigit(chars[j]) { j += 1 }
      guard j > nStart, j < chars.count, chars[j] == UInt8(ascii: "/") else { return nil }
      j += 1
      let mStart = j
      while j < chars.count, NumberMatch.isDigit(chars[j]) { j += 1 }
      guard j > mStart else { return nil }
      i = j
    }
    guard i < chars.count, chars[i] == UInt8(ascii: ">") else { return nil }
    i += 1
    if i == chars.count { return (line, "") }                 // "ga>" alone: an empty command
    guard chars[i] == UInt8(ascii: " ") else { return nil }
    i += 1
    let prompt = String(decoding: chars[..<i], as: UTF8.self)
    let command = String(decoding: chars[i...], as: UTF8.self)
    return (prompt, String(NumberMatch.trimmingTrailingWhitespace(Substring(command))))
  }

  /// The lines of a text: `\n` or `\r\n` separated, no final empty line for a final newline.
  static func lines(of text: String) -> [String] {
    // Split bytes, not Characters: "\r\n" is a single Character and would not split on "\n".
    var lines = text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
      .map { line in
        String(decoding: line.last == UInt8(ascii: "\r") ? line.dropLast() : line, as: UTF8.self)
      }
    if lines.last == "" { lines.removeLast() }
    return lines
  }

  static func isBlank(_ line: String) -> Bool { line.allSatisfy(\.isWhitespace) }
}
