// WordWrap.swift — long output lines broken at words for a terminal of some width, instead of
// the terminal's own wrap, which cuts a word (or a number) in two. A continued line keeps the
// line's indentation and two spaces more, so it reads as the same item.

public enum WordWrap {
  /// `line` (no newline) in pieces of at most `width` characters, broken at the last space
  /// that fits; a word longer than the room left is cut at the width.
  public static func lines(_ line: String, width: Int) -> [String] {
    let characters = Array(line)
    guard width >= 20, characters.count > width else { return [line] }
    let indent = min(characters.prefix { $0 == " " }.count, width / 2) + 2
    var pieces: [String] = [], start = 0, room = width
    while characters.count - start > room {
      var cut = start + room
      // The last space within the room that has a word before it ends this piece.
      if let space = characters[(start + 1)...cut].lastIndex(of: " ") { cut = space }
      pieces.append(String(characters[start..<cut]).trimmingTrailingSpaces)
      start = cut
      while start < characters.count && characters[start] == " " { start += 1 }
      room = width - indent
    }
    pieces.append(String(characters[start...]))
    return [pieces[0]] + pieces.dropFirst().map { String(repeating: " ", count: indent) + $0 }
  }

  /// Text as a terminal shows it: each complete line wrapped, anything else (a progress line
  /// rewritten with `\r`, an escape sequence) left as it is.
  public static func text(_ text: String, width: Int) -> String {
    guard !text.contains("\r"), !text.contains("\u{1B}") else { return text }
    return text.split(separator: "\n", omittingEmptySubsequences: false)
      .map { lines(String($0), width: width).joined(separator: "\n") }
      .joined(separator: "\n")
  }
}

extension String {
  fileprivate var trimmingTrailingSpaces: String {
    var s = self
    while s.last == " " { s.removeLast() }
    return s
  }
}
