// WordWrapTests.swift — long output lines broken at words at the terminal's width.

import Foundation
import Testing
@testable import LineEditing

@Suite struct WordWrapTests {
  @Test func aLongLineBreaksAtTheLastSpaceThatFits() {
    let line = "memory = 2.00 MB (batch 16 needs 14.1 MB: does not fit) — set memory off or a smaller model"
    let pieces = WordWrap.lines(line, width: 40)
    #expect(pieces.allSatisfy { $0.count <= 40 })
    #expect(pieces[0] == "memory = 2.00 MB (batch 16 needs 14.1")
    #expect(pieces[1] == "  MB: does not fit) — set memory off or")
    // Nothing is lost or cut inside a word: the words come back in order.
    #expect(pieces.joined(separator: " ").split(separator: " ") == line.split(separator: " "))
  }

  @Test func continuedLinesKeepTheIndentationAndTwoMore() {
    let pieces = WordWrap.lines("    0: Conv2d(1, 32, 3, padding=1)    2.06 MB   im2col columns 452 KB, output 1.61 MB", width: 50)
    #expect(pieces.count == 2)
    #expect(pieces[1].hasPrefix("      ") && !pieces[1].hasPrefix("       "))
  }

  @Test func aWordLongerThanTheWidthIsCutAtIt() {
    let pieces = WordWrap.lines("path /" + String(repeating: "a", count: 70), width: 30)
    #expect(pieces.allSatisfy { $0.count <= 30 })
    #expect(pieces.map { $0.trimmingCharacters(in: .whitespaces) }.joined().count == 76 - 1)   // the one space between the words
  }

  @Test func shortLinesProgressAndEscapesAreLeftAlone() {
    #expect(WordWrap.text("loss 2.3\nok\n", width: 30) == "loss 2.3\nok\n")
    let progress = "\repoch 1: 1,234 of 60,000 samples, loss 2.1, " + String(repeating: "x", count: 60)
    #expect(WordWrap.text(progress, width: 30) == progress)
    #expect(WordWrap.text("\u{1B}[H\u{1B}[2J", width: 30) == "\u{1B}[H\u{1B}[2J")
  }
}
