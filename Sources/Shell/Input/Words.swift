// Words.swift — a command line cut into words. Spaces and tabs separate words; quotes keep
// a file name with spaces in one word ("my run.safetensors" or 'my run.safetensors'), and a
// backslash keeps the next character as it is (my\ run.safetensors, as a shell writes it).

import Foundation

public enum Words {
  /// The words of `line`. An unclosed quote is an error: guessing where the name ends could
  /// write a file the learner did not mean.
  public static func split(_ line: String) throws -> [String] {
    let (words, openQuote) = cut(line)
    if let quote = openQuote {
      throw ShellError("unclosed \(quote) — end the quoted name with another \(quote)")
    }
    return words
  }

  /// `gashell -c 'cmd; cmd'` cut into its commands: at each `;` outside quotes, so a quoted
  /// file name may hold one.
  public static func commands(_ text: String) -> [String] {
    var commands: [String] = [], current = ""
    var quote: Character?, escaped = false
    for c in text {
      if escaped {
        escaped = false
      } else if let q = quote {
        if c == q { quote = nil }
      } else if c == "\\" {
        escaped = true
      } else if c == "\"" || c == "'" {
        quote = c
      } else if c == ";" {
        commands.append(current)
        current = ""
        continue
      }
      current.append(c)   // quotes and backslashes stay: `split` reads them again
    }
    commands.append(current)
    return commands.map { $0.trimmingCharacters(in: .whitespaces) }
  }

  /// The words of `line` as far as it goes, for Tab completion: an open quote just runs to the end.
  static func splitLeniently(_ line: String) -> [String] { cut(line).words }

  private static func cut(_ line: String) -> (words: [String], openQuote: Character?) {
    var words: [String] = []
    var word = "", inWord = false
    var quote: Character?
    var escaped = false
    for c in line {
      if escaped {
        word.append(c); escaped = false
      } else if let q = quote {
        if c == q { quote = nil } else { word.append(c) }
      } else if c == "\\" {
        escaped = true; inWord = true
      } else if c == "\"" || c == "'" {
        quote = c; inWord = true      // "" is a word, if an empty one
      } else if c == " " || c == "\t" {
        if inWord { words.append(word); word = ""; inWord = false }
      } else {
        word.append(c); inWord = true
      }
    }
    if escaped { word.append("\\") }
    if inWord { words.append(word) }
    return (words, quote)
  }
}
