// JSON.swift — the little JSON a safetensors header needs: a strict parser for reading and
// string quoting for writing, plus the one-line quoting of names in error messages.

/// A name from a file as messages quote it, 'like this', on one line whatever it holds.
func shown(_ name: String) -> String { "'" + oneLine(name) + "'" }

/// `text` with control characters and line or paragraph separators escaped as Swift writes them
/// (`\n`, `\u{1B}`): a name with a newline must not break an error into two lines.
func oneLine(_ text: String) -> String {
  var out = ""
  for scalar in text.unicodeScalars {
    switch scalar.properties.generalCategory {
    case .control, .lineSeparator, .paragraphSeparator: out += scalar.escaped(asASCII: true)
    default: out.unicodeScalars.append(scalar)
    }
  }
  return out
}

/// A JSON string literal: quotes, backslashes and control characters escaped.
func quoted(_ text: String) -> String {
  var out = "\""
  for scalar in text.unicodeScalars {
    switch scalar {
    case "\"": out += "\\\""
    case "\\": out += "\\\\"
    case "\n": out += "\\n"
    case _ where scalar.value < 0x20:
      let hex = String(scalar.value, radix: 16)
      out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
    default: out.unicodeScalars.append(scalar)
    }
  }
  return out + "\""
}

/// A parsed JSON value. Numbers, true, false and null keep their text: we only ever need integers.
/// Objects keep their keys in order, duplicates included, so the reader can report them.
indirect enum JSONValue {
  case object([(key: String, value: JSONValue)]), array([JSONValue]), string(String), literal(String)
}

/// A small recursive-descent JSON parser (RFC 8259) for the header.
struct JSONParser {
  struct Failure: Error, CustomStringConvertible { let description: String }

  let bytes: ArraySlice<UInt8>
  var index: Int

  /// The header: one JSON object, then only whitespace (the padding).
  static func object(_ bytes: ArraySlice<UInt8>) throws(Failure) -> [(key: String, value: JSONValue)] {
    var parser = JSONParser(bytes: bytes, index: bytes.startIndex)
    guard parser.peek() == UInt8(ascii: "{") else { throw parser.failure("expected '{'") }
    guard case .object(let pairs) = try parser.value(depth: 0) else { fatalError("unreachable") }
    guard parser.peek() == nil else { throw parser.failure("unexpected text after the object") }
    return pairs
  }

  func failure(_ what: String, at position: Int? = nil) -> Failure {
    Failure(description: "\(what) at byte \((position ?? index) - bytes.startIndex) of the header")
  }

  /// The next byte after whitespace, not consumed; nil at the end.
  mutating func peek() -> UInt8? {
    while index < bytes.endIndex, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
    return index < bytes.endIndex ? bytes[index] : nil
  }

  mutating func expect(_ character: Character) throws(Failure) {
    guard peek() == character.asciiValue else { throw failure("expected '\(character)'") }
    index += 1
  }

  mutating func value(depth: Int) throws(Failure) -> JSONValue {
    guard depth < 32 else { throw failure("nested too deeply") }  // bounds the recursion on hostile input
    switch peek() {
    case UInt8(ascii: "{"):
      index += 1
      var pairs: [(key: String, value: JSONValue)] = []
      while peek() != UInt8(ascii: "}") {
        if !pairs.isEmpty { try expect(",") }
        guard peek() == UInt8(ascii: "\"") else { throw failure("expected a string key") }
        let key = try string()
        try expect(":")
        pairs.append((key, try value(depth: depth + 1)))
      }
      index += 1
      return .object(pairs)
    case UInt8(ascii: "["):
      index += 1
      var items: [JSONValue] = []
      while peek() != UInt8(ascii: "]") {
        if !items.isEmpty { try expect(",") }
        items.append(try value(depth: depth + 1))
      }
      index += 1
      return .array(items)
    case UInt8(ascii: "\""):
      return .string(try string())
    case nil:
      throw failure("unexpected end")
    default:
      let start = index
      while index < bytes.endIndex, isLiteral(bytes[index]) { index += 1 }
      let text = String(decoding: bytes[start..<index], as: UTF8.self)
      guard ["true", "false", "null"].contains(text) || isNumber(text) else {
        index = start
        throw failure("unexpected character")
      }
      return .literal(text)
    }
  }

  /// A string literal, the index on its opening quote. Errors point at the string or at the escape.
  mutating func string() throws(Failure) -> String {
    let start = index
    index += 1
    var utf8: [UInt8] = []
    while index < bytes.endIndex, bytes[index] != UInt8(ascii: "\"") {
      let escapeStart = index, byte = bytes[index]
      index += 1
      guard byte >= 0x20 else { throw failure("control character in a string", at: escapeStart) }
      guard byte == UInt8(ascii: "\\") else { utf8.append(byte); continue }
      guard index < bytes.endIndex else { break }
      let escape = bytes[index]
      index += 1
      switch escape {
      case UInt8(ascii: "u"):
        var scalar = hex4()
        if (0xD800..<0xDC00).contains(scalar), bytes[index...].starts(with: Array("\\u".utf8)) {
          index += 2
          let low = hex4()
          scalar = (0xDC00..<0xE000).contains(low) ? 0x10000 + (scalar - 0xD800) << 10 + (low - 0xDC00) : .max
        }
        guard let unicode = Unicode.Scalar(scalar) else { throw failure("invalid \\u escape", at: escapeStart) }
        utf8 += Array(String(unicode).utf8)
      default:
        let simple: [UInt8: UInt8] = [0x22: 0x22, 0x5C: 0x5C, 0x2F: 0x2F, 0x62: 0x08, 0x66: 0x0C,
                                      0x6E: 0x0A, 0x72: 0x0D, 0x74: 0x09]  // " \\ / b f n r t
        guard let byte = simple[escape] else { throw failure("invalid escape", at: escapeStart) }
        utf8.append(byte)
      }
    }
    guard index < bytes.endIndex else { throw failure("unterminated string", at: start) }
    index += 1
    guard let text = String(validating: utf8, as: UTF8.self) else {
      throw failure("invalid UTF-8 in a string", at: start)
    }
    return text
  }

  /// Four hex digits, consumed; 0xFFFFFFFF (no Unicode scalar) if they are not.
  mutating func hex4() -> UInt32 {
    let text = String(decoding: bytes[index..<min(index + 4, bytes.endIndex)], as: UTF8.self)
    guard text.count == 4, text.allSatisfy(\.isHexDigit), let value = UInt32(text, radix: 16) else { return .max }
    index += 4
    return value
  }

  func isLiteral(_ byte: UInt8) -> Bool {
    (0x30...0x39).contains(byte) || (0x61...0x7A).contains(byte) || [0x2B, 0x2D, 0x2E, 0x45].contains(byte)
  }

  /// JSON's number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
  func isNumber(_ text: String) -> Bool {
    text.wholeMatch(of: /-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/) != nil
  }
}
