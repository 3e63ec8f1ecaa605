// TranscriptFilesTests.swift — every Tests/Transcripts/*.txt replayed in a fresh session, the
// lesson transcripts held to their lessons, and the command table held to the transcripts.
// GASHELL_RECORD=1 rewrites the transcripts that differ (review them with `git diff`).

import Foundation
import Testing
@testable import Shell

/// Where the transcripts are, and the scratch folder their `save` commands write to.
enum TranscriptFiles {
  /// The package root: three levels above this file.
  static let root = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
  static let folder = root.appendingPathComponent("Tests/Transcripts")

  /// File names, sorted: the arguments of the replay test.
  static let names: [String] = {
    let all = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
    return all.filter { $0.hasSuffix(".txt") }.sorted()
  }()

  static func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

  static func text(_ name: String) throws -> String {
    try String(contentsOfFile: path(name), encoding: .utf8)
  }

  /// Transcripts save files under this folder. It is created, never emptied: another test
  /// run may be replaying at the same time, and every file in it is rewritten by each run.
  static let scratch = "/tmp/gashell-transcripts"
  static let scratchReady: Bool = {
    (try? FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)) != nil
  }()

  /// The lesson each lesson transcript replays in quick mode.
  static let lessons = [
    ("lesson-01-quick.txt", "lessons/01-baseline.ga"),
    ("lesson-02-quick.txt", "lessons/02-accumulation.ga"),
    ("lesson-03-quick.txt", "lessons/03-equivalence.ga"),
    ("lesson-04-quick.txt", "lessons/04-memory.ga"),
    ("lesson-05-quick.txt", "lessons/05-wrappers-and-schedules.ga"),
    ("lesson-06-quick.txt", "lessons/06-policies.ga"),
    ("lesson-07-quick.txt", "lessons/07-pitfalls.ga"),
    ("lesson-08-quick.txt", "lessons/08-effective-batch.ga"),
    ("lesson-09-quick.txt", "lessons/09-lr-schedules.ga"),
    ("lesson-10-quick.txt", "lessons/10-adam.ga"),
    ("lesson-11-quick.txt", "lessons/11-profiling.ga"),
  ]
}

@Suite struct TranscriptFilesTests {
  @Test func thereAreTranscripts() {
    #expect(TranscriptFiles.names.count >= 10, "found \(TranscriptFiles.names) in \(TranscriptFiles.folder.path)")
  }

  @Test(arguments: TranscriptFiles.names)
  func replays(_ name: String) throws {
    #expect(TranscriptFiles.scratchReady, "cannot create \(TranscriptFiles.scratch)")
    let path = TranscriptFiles.path(name)
    let result = try TranscriptCheck.check(path: path, record: TranscriptReplay.recordRequested)
    let passed = result.passed   // not `result.passed` inside #expect, which would print all of it
    #expect(passed, "\(name) differs (GASHELL_RECORD=1 re-records it):\n\(result.diff)")
  }

  /// Each lesson transcript is `set quick on`, then exactly the lesson's commands in order:
  /// a lesson edited without its transcript fails here rather than drifting apart.
  @Test(arguments: TranscriptFiles.lessons)
  func lessonTranscriptFollowsItsLesson(_ transcript: String, _ lesson: String) throws {
    let entries = Transcript.parse(try TranscriptFiles.text(transcript)).entries
    let script = Script(name: lesson, text: try String(
      contentsOfFile: TranscriptFiles.root.appendingPathComponent(lesson).path, encoding: .utf8))
    let trimmed = script.lines.map { $0.trimmingCharacters(in: .whitespaces) }
    // A lesson's `! command` shows an error on purpose; the transcript has the command.
    let commands = trimmed.filter { !$0.isEmpty && !$0.hasPrefix("#") }
      .map { $0.hasPrefix("!") ? $0.dropFirst().trimmingCharacters(in: .whitespaces) : $0 }
    #expect(entries.first?.command == "set quick on")
    #expect(entries.dropFirst().map(\.command) == commands)
    // And its narration, in order, after the transcript's own introduction.
    let narration = entries.dropFirst().flatMap(\.narration)
      + Transcript.parse(try TranscriptFiles.text(transcript)).trailingNarration
    #expect(narration.filter { $0.hasPrefix("#") } == trimmed.filter { $0.hasPrefix("#") })
  }

  /// Every command of the table is typed in some transcript, and explained by `help CMD`.
  @Test func everyCommandIsInATranscript() throws {
    let typed = try Self.typed()
    for command in Command.all {
      for name in [command.name] + command.aliases {
        let missing = !typed.contains { $0 == name || $0.hasPrefix(name + " ") }
        #expect(!missing, "no transcript types `\(name)`")
      }
      let unexplained = !typed.contains("help \(command.name)")
      #expect(!unexplained, "no transcript types `help \(command.name)`")
    }
  }

  /// Every setting is set, and every topic shown, in some transcript.
  @Test func everySettingAndTopicIsInATranscript() throws {
    let typed = try Self.typed()
    for setting in Setting.allCases {
      let missing = !typed.contains { $0.hasPrefix("set \(setting.rawValue) ") }
      #expect(!missing, "no transcript types `set \(setting.rawValue) …`")
    }
    for topic in Command.showTopics {
      let missing = !typed.contains { $0 == "show \(topic)" || $0.hasPrefix("show \(topic) ") }
      #expect(!missing, "no transcript types `show \(topic)`")
    }
  }

  /// Every command typed in the transcripts.
  static func typed() throws -> Set<String> {
    Set(try TranscriptFiles.names.flatMap { Transcript.parse(try TranscriptFiles.text($0)).entries.map(\.command) })
  }
}
