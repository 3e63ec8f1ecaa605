// GashellBinaryTests.swift — the real `gashell` executable run as a subprocess: `--check`,
// a lesson, a script that fails, `-c`, commands from a pipe, and exit statuses.

import Foundation
import Testing

/// The built `gashell` and a way to run it with stdin from a string (never a terminal).
extension Array {
  /// Consecutive pieces of `n` elements (the last may be shorter).
  func chunks(of n: Int) -> [ArraySlice<Element>] {
    stride(from: 0, to: count, by: n).map { self[$0..<Swift.min($0 + n, count)] }
  }
}

enum Gashell {
  /// Beside the test bundle in the build products folder (`swift build --build-tests` builds
  /// it too); else `.build/debug/gashell` under the package root.
  static let path: String? = {
    var folders: [URL] = []
    if let bundle = Bundle.main.executableURL { folders.append(bundle.deletingLastPathComponent()) }
    folders.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent())
    for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
      folders.append(URL(fileURLWithPath: bundle.bundlePath).deletingLastPathComponent())
    }
    folders.append(TranscriptFiles.root.appendingPathComponent(".build/debug"))
    return folders.map { $0.appendingPathComponent("gashell").path }
      .first { FileManager.default.isExecutableFile(atPath: $0) }
  }()

  struct Result {
    var status: Int32
    var output: String   // stdout and stderr, interleaved as printed
  }

  /// Runs gashell in the package root with `arguments`, `input` on stdin.
  static func run(_ arguments: [String], input: String = "", environment: [String: String] = [:]) throws -> Result {
    let path = try #require(path, "no gashell executable beside the tests or in .build/debug: run `swift build` first")
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    process.currentDirectoryURL = TranscriptFiles.root
    var env = ProcessInfo.processInfo.environment
    env["GASHELL_RECORD"] = nil   // a recording test run must not rewrite files through --check
    process.environment = env.merging(environment) { $1 }
    let stdin = Pipe(), stdout = Pipe()
    process.standardInput = stdin
    process.standardOutput = stdout
    process.standardError = stdout
    try process.run()
    stdin.fileHandleForWriting.write(Data(input.utf8))
    try stdin.fileHandleForWriting.close()
    let data = stdout.fileHandleForReading.readDataToEndOfFile()   // until gashell closes it
    process.waitUntilExit()
    return Result(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
  }

  /// A file under the scratch folder with `text`, named for the test.
  static func scratchFile(_ name: String, _ text: String) throws -> String {
    #expect(TranscriptFiles.scratchReady)
    let path = TranscriptFiles.scratch + "/\(ProcessInfo.processInfo.processIdentifier)-\(name)"
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }
}

@Suite struct GashellBinaryTests {
  /// Lesson 4's claim that the memory report is what the process really holds, in a gashell of
  /// its own (inside this test process other tests allocate meanwhile, and the RSS is shared):
  /// profile's measured peak growth within 3 % of what show memory accounts, for the CNN at
  /// batch 64 and at 16 × 4, and for the MLP.
  @Test func profileMeasuresWhatShowMemoryAccounts() throws {
    let r = try Gashell.run(["-c", "load fashion train 600 test 100; model cnn; set momentum 0.9; profile 64 16x4 samples 128; "
                                   + "model mlp 512; profile 64 16x4 samples 128"])
    #expect(r.status == 0, "\(r.output)")
    func megabytes(_ row: String) -> [[Double]] {
      r.output.split(separator: "\n").filter { $0.hasPrefix(row) }.map { line in
        line.dropFirst(row.count).split(separator: " ").chunks(of: 2).map { pair in
          let (value, unit) = (Double(pair.first!)!, pair.last!)
          return value * (unit == "KB" ? 1e-3 : unit == "MB" ? 1 : unit == "GB" ? 1e3 : 1e-6)
        }
      }
    }
    let accounted = megabytes("memory (show memory)"), measured = megabytes("peak RSS growth")
    #expect(accounted.count == 2 && measured.count == 2, "\(r.output)")
    #expect(accounted.first == [48.1, 15.8], "\(r.output)")
    for (a, m) in zip(accounted.joined(), measured.joined()) {
      #expect(abs(m / a - 1) <= 0.03, "measured \(m) MB against \(a) MB accounted:\n\(r.output)")
    }
  }

  @Test func checkReplaysATranscriptThroughTheBinary() throws {
    #expect(TranscriptFiles.scratchReady)
    let file = "Tests/Transcripts/files.txt"
    let r = try Gashell.run(["--check", file])
    #expect(r.status == 0, "\(r.output)")
    #expect(r.output.contains("ok    \(file)"))
    #expect(r.output.contains("1 passed, 0 failed"))
  }

  /// A saved transcript replays although every time in it differs on the next run: times, and
  /// the folder the data came from, are written as globs; accuracy and losses stay exact.
  @Test func aSavedTranscriptWithTimesPassesItsOwnCheck() throws {
    let path = try Gashell.scratchFile("timed.txt", "")
    let session = "load fashion train 600 test 100; show data; model mlp 8; set lr 0.1; train 2; runs; profile 4; "
      + "save transcript \(path)"
    let first = try Gashell.run(["-c", session])
    #expect(first.status == 0, "\(first.output)")
    let saved = try String(contentsOfFile: path, encoding: .utf8)
    #expect(saved.components(separatedBy: " (glob)\n").count - 1 == 2 + 2 + 2 + 6)   // load/data, epochs, runs, profile (5 times, 1 measured memory)
    #expect(saved.contains("\nsteps 10, train * s (* samples/s), test * s (glob)\n"))
    let check = try Gashell.run(["--check", path])
    #expect(check.status == 0, "\(check.output)")
    #expect(check.output.contains("1 passed, 0 failed"))
  }

  @Test func checkOfAWrongTranscriptPrintsADiffAndFails() throws {
    let path = try Gashell.scratchFile("wrong.txt", """
      # The batch is 16, not 32.
      ga> set batch 16
      batch = 32
      ga> set accumulate 4
      accumulate = 4

      """)
    let r = try Gashell.run(["--check", path])
    #expect(r.status == 1, "\(r.output)")
    #expect(r.output.contains("FAIL  \(path)"))
    #expect(r.output.contains("\(path):2: ga> set batch 16"))
    #expect(r.output.contains("-batch = 32\n+batch = 16"))
    #expect(r.output.contains("1 of 2 commands differ"))
    #expect(r.output.contains("0 passed, 1 failed"))
  }

  @Test func checkRerecordsWhenAsked() throws {
    let path = try Gashell.scratchFile("rerecord.txt", "# Re-recorded.\nga> set batch 16\nbatch = 32\n")
    let r = try Gashell.run(["--check", path], environment: ["GASHELL_RECORD": "1"])
    #expect(r.status == 0, "\(r.output)")
    #expect(try String(contentsOfFile: path, encoding: .utf8) == "# Re-recorded.\nga> set batch 16\nbatch = 16\n")
    #expect(try Gashell.run(["--check", path]).status == 0)
  }

  @Test func quickLessonRunsToTheRunsTable() throws {
    let r = try Gashell.run(["--quick", "lessons/02-accumulation.ga"])
    #expect(r.status == 0, "\(r.output)")
    #expect(r.output.contains("ga> runs\nrun 1: batch 64, sgd lr 0.001 — 2 epochs, 94 steps"), "\(r.output)")
    #expect(r.output.contains("run 2: batch 16 × 4, sgd lr 0.001 — 2 epochs, 94 steps"))
    #expect(r.output.contains("epoch     acc  avg loss    time      acc  avg loss    time"))
    #expect(!r.output.contains("error"))
  }

  @Test func scriptStopsAtTheFirstErrorWithFileAndLine() throws {
    let path = try Gashell.scratchFile("bad.ga", "# A script with a mistake on line 3.\nset batch 16\nset batch 0\nshow settings\n")
    let r = try Gashell.run([path])
    #expect(r.status == 1, "\(r.output)")
    #expect(r.output.contains("\(path):3: error: batch must be in 1–60000, got 0"), "\(r.output)")
    #expect(!r.output.contains("ga> show settings"))       // nothing after the error runs
  }

  /// Mistakes on the command line get one line and status 1, not the usage text.
  @Test func missingScriptFails() throws {
    let r = try Gashell.run(["/tmp/gashell-transcripts/no-such-lesson.ga"])
    #expect(r.status == 1)
    #expect(r.output == "gashell: cannot read /tmp/gashell-transcripts/no-such-lesson.ga: no such file\n")
    let folder = try Gashell.run(["Tests"])
    #expect(folder.status == 1 && folder.output == "gashell: cannot read Tests: it is a directory\n")
    let notebook = try Gashell.run(["--notebook", "x.txt", "-c", "help"])
    #expect(notebook.status == 1 && notebook.output.hasPrefix("gashell: a notebook's file name ends in .ipynb"))
  }

  /// With nowhere to print (stdout closed), gashell stops with status 1 instead of trapping.
  @Test func aClosedStandardOutputEndsQuietly() throws {
    let path = try #require(Gashell.path)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", "'\(path)' -c help >&- 2>/dev/null"]
    try process.run()
    process.waitUntilExit()
    #expect(process.terminationStatus == 1)
  }

  @Test func commandsAfterDashC() throws {
    let ok = try Gashell.run(["-c", "set batch 16; set accumulate 4; show settings"])
    #expect(ok.status == 0, "\(ok.output)")
    #expect(ok.output.hasPrefix("batch = 16\naccumulate = 4\n"))
    #expect(ok.output.contains("one optimizer step sees 64 samples (batch 16 × accumulate 4)"))

    let bad = try Gashell.run(["-c", "set batch 16; frobnicate; show settings"])
    #expect(bad.status == 1)
    #expect(bad.output == "batch = 16\n-c:2: error: unknown command 'frobnicate' — `help` lists the commands\n")
  }

  @Test func commandsFromAPipe() throws {
    let ok = try Gashell.run([], input: "# comment\nset batch 16\n\n   \nset lr 0.01\n")
    #expect(ok.status == 0, "\(ok.output)")
    #expect(ok.output == "batch = 16\nlr = 0.01\n")   // no prompt, no banner, no `\r`

    let bad = try Gashell.run([], input: "set batch 16\n\nset lr fast\nset lr 0.01\n")
    #expect(bad.status == 1)
    #expect(bad.output == "batch = 16\n<stdin>:3: error: lr must be a number like 0.001 or 1e-3, got 'fast'\n")
  }

  @Test func quitInAPipeStopsThere() throws {
    let r = try Gashell.run([], input: "set batch 16\nquit\nset batch 0\n")
    #expect(r.status == 0, "\(r.output)")
    #expect(r.output == "batch = 16\n")
  }

  @Test func windowsLineEndingsInAScriptAreLineEndings() throws {
    let lines = ["# Saved on Windows.", "set batch 16", "", "set accumulate 4", ""]
    let crlf = try Gashell.run([try Gashell.scratchFile("crlf.ga", lines.joined(separator: "\r\n"))])
    let lf = try Gashell.run([try Gashell.scratchFile("lf.ga", lines.joined(separator: "\n"))])
    #expect(crlf.status == 0, "\(crlf.output)")
    #expect(crlf.output == lf.output)
    #expect(crlf.output.hasPrefix("Saved on Windows.\nga> set batch 16\nbatch = 16\n\nga> set accumulate 4\n"))
  }
}
