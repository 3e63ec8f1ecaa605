// PrintedText.swift — what a command printed, as a file should keep it: the text a
// terminal would end up showing, without escape codes or progress-bar redraws.

/// `text` as the lines a terminal would finally show: `\r` returns to the start of the line
/// and later text overwrites it, `ESC[2K` / `ESC[K` erase, other escape sequences (colours,
/// cursor moves) are dropped; `\r\n` ends a line like `\n`.
///
/// A session's cells should already be free of these (`Session.write` keeps no `\r` redraw),
/// but a notebook or transcript must not carry a stray control code into a file, where it
/// would show as garbage or break the transcript's line matching.
func printedText(_ text: String) -> String {
  // Nearly every output holds neither: one pass over the bytes, and the text as it is.
  guard text.utf8.contains(where: { $0 == 0x0D || $0 == 0x1B }) else { return text }
  var out: [Character] = []
  var line: [Character] = []   // the current line as shown
  var cursor = 0               // where the next character lands in `line`
  var scalars = text.unicodeScalars.makeIterator()
  var pending = scalars.next()

  func advance() { pending = scalars.next() }
  func put(_ c: Character) {
    if cursor < line.count { line[cursor] = c } else { line.append(c) }
    cursor += 1
  }

  while let s = pending {
    advance()
    switch s {
    case "\n":
      out += line
      out.append("\n")
      line = []; cursor = 0
    case "\r":
      cursor = 0
    case "\u{1B}":
      guard let next = pending else { break }
      advance()
      if next == "[" {
        // CSI: parameter and intermediate bytes, then one final byte 0x40…0x7E.
        var parameters = ""
        while let p = pending, p.value < 0x40 || p.value > 0x7E {
          parameters.unicodeScalars.append(p); advance()
        }
        let final = pending
        advance()
        if final == "K" {
          if parameters == "2" { line = [] } else if parameters.isEmpty || parameters == "0" {
            line.removeSubrange(min(cursor, line.count)...)
          }
        }
      } else if next == "]" {
        // OSC (a window title, a link): up to BEL or ESC \.
        while let p = pending, p != "\u{07}", p != "\u{1B}" { advance() }
        if pending == "\u{1B}" { advance() }
        advance()
      }
    default:
      if s.value < 0x20 && s != "\t" { continue }  // other control characters show nothing
      put(Character(s))
    }
  }
  out += line
  return String(out)
}
