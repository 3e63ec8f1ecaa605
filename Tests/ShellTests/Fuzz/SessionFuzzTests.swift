// SessionFuzzTests.swift — the session fuzzer's entry points: a short seeded slice in every
// `swift test`, and a long run chosen by the environment:
//   GASHELL_FUZZ_LINES=100000 GASHELL_FUZZ_SEED=7 swift test --skip-build --filter SessionFuzz
// GASHELL_FUZZ_AVOID=cursor-past-epoch steps around a known crash so a long run goes on past it;
// GASHELL_FUZZ_REPLAY=FILE runs a session log again (the log a crash leaves beside the scratch folder).
// And a few directed checks of what the fuzzer relies on.

import Engine
import Foundation
import Testing
@testable import Shell

private let environment = ProcessInfo.processInfo.environment
private let longRunLines = environment["GASHELL_FUZZ_LINES"].flatMap { Int($0.replacingOccurrences(of: "_", with: "")) }
private let fuzzSeed = environment["GASHELL_FUZZ_SEED"].flatMap { UInt64($0) } ?? 1

@Suite struct SessionFuzzTests {
  /// Runs `lines` generated lines from `seed`; every finding is a failure, printed with its reproduction.
  func fuzz(lines: Int, seed: UInt64, shrinkBudget: Double) throws {
    let folder = try ScratchFolder()
    defer { folder.remove() }
    let fuzzer = try SessionFuzzer(seed: seed, files: FuzzFiles(path: folder.file("fuzz")))
    fuzzer.shrinkBudget = shrinkBudget
    fuzzer.avoid = Set((environment["GASHELL_FUZZ_AVOID"] ?? "").split(separator: ",").map(String.init))
    let report = try fuzzer.run(lines: lines) { partial in print("… \(partial.lines) lines, \(partial.findings.count) findings, \(Int(partial.seconds)) s") }
    print(report)
    for finding in report.findings {
      Issue.record("\(finding)")
    }
  }

  /// 3,000 lines: 8–10 s in a debug build on two cores (`make fuzz` runs 100,000). The cost guard
  /// times each model's `backward` and keeps every line under about half a second.
  @Test(.enabled(if: longRunLines == nil)) func shortSeededSlice() throws {
    try fuzz(lines: 3000, seed: fuzzSeed, shrinkBudget: 10)
  }

  /// GASHELL_FUZZ_LINES lines (and GASHELL_FUZZ_SEED), with up to two minutes spent shrinking findings.
  @Test(.enabled(if: longRunLines != nil)) func longRun() throws {
    try fuzz(lines: longRunLines ?? 0, seed: fuzzSeed, shrinkBudget: 120)
  }

  /// GASHELL_FUZZ_REPLAY=FILE: the lines of a session log (written beside the scratch folder while
  /// fuzzing, and left there when the process crashes) run again, each printed with its output.
  @Test(.enabled(if: environment["GASHELL_FUZZ_REPLAY"] != nil)) func replay() throws {
    let folder = try ScratchFolder()
    defer { folder.remove() }
    let fuzzer = try SessionFuzzer(seed: fuzzSeed, files: FuzzFiles(path: folder.file("fuzz")))
    for v in try fuzzer.replayLog(environment["GASHELL_FUZZ_REPLAY"]!) { Issue.record("[\(v.kind)] \(v.detail)") }
  }

  /// The same seed, the same lines; another seed, others.
  @Test func theGeneratorIsDeterministic() throws {
    let files = FuzzFiles(path: "/nonexistent-gashell-fuzz")
    func lines(_ seed: UInt64) -> [String] {
      var g = CommandLineGenerator(seed: seed, files: files)
      return (0..<500).map { _ in g.next().line }
    }
    #expect(lines(3) == lines(3))
    #expect(lines(3) != lines(4))
    // Every kind of line comes up, and the lines reach past the 4096-character limit.
    var g = CommandLineGenerator(seed: 5, files: files)
    let kinds = Set((0..<2000).map { _ in g.next().kind })
    #expect(kinds == Set(CommandLineGenerator.Kind.allCases))
    #expect(lines(5).contains { $0.count > Session.longestLine } || lines(6).contains { $0.count > Session.longestLine })
  }

  /// A `save` that would write outside the scratch folder is never run; inside it, it is.
  @Test func savesStayInsideTheScratchFolder() throws {
    let folder = try ScratchFolder()
    defer { folder.remove() }
    let fuzzer = try SessionFuzzer(seed: 1, files: FuzzFiles(path: folder.file("fuzz")))
    var report = FuzzReport()
    let inside = folder.file("fuzz") + "/w1.safetensors"
    for line in ["save weights \(inside)", "save plot loss \(folder.file("fuzz"))/plot.svg", "save \"weights\" '\(inside)'"] {
      #expect(fuzzer.guarded(line, &report) == line)
    }
    for line in ["save weights /tmp/x.safetensors", "save transcript notebook", "save weights \(inside)/../../x",
                 "save weights ~/x.safetensors", "save plot loss x.svg", "save state \(folder.path)/outside.state",
                 "save weights loss", "save \(inside) weights"] {
      #expect(fuzzer.guarded(line, &report) == nil, "\(line)")
    }
  }

  /// NaN must be caught before it reaches the weights: a large learning rate ends `train` with
  /// one error line, the weights finite and the window dropped. (On the synthetic images, and with a
  /// narrow model, lr 10 does not diverge: the ReLUs die and the loss stays finite. The tutorial's
  /// network on FashionMNIST does, within an epoch; with momentum, clipping or without zero_grad it
  /// may not, and then the weights must still be finite.)
  @Test(.enabled(if: FileManager.default.fileExists(atPath: "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz")),
        arguments: [("set lr 10", true), ("set lr 10; set batch 16; set accumulate 4", true),
                    ("set lr 10; set normalize off; set batch 16; set accumulate 4", true),
                    ("set lr 10; set momentum 0.9", false), ("set lr 10; set clip 1e6 micro", false),
                    ("set lr 10; set autozero off", false), ("set optimizer adam; set lr 10", false)])
  func divergenceIsCaughtBeforeTheWeights(_ settings: String, mustDiverge: Bool) throws {
    let t = TestSession()
    try t.run(["load fashion from /usr/share/datasets/fashion-mnist train 2000 test 200", "model mlp 512"]
      + settings.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) })
    var diverged: ShellError?
    for _ in 0..<3 where diverged == nil {
      do { try t.run("train 1") } catch let e as ShellError { diverged = e }
      let weights = t.trainer!.model.parameters.values
      #expect(weights.firstNonFinite == nil, "weights hold \(weights.firstNonFinite.map { weights[$0] } ?? 0)")
    }
    guard let error = diverged else {
      #expect(!mustDiverge, "3 epochs at lr 10 did not diverge: the check is not exercised")
      return
    }
    #expect(error.description.hasPrefix("error: ") && !error.description.contains(where: \.isNewline))
    #expect(error.message.hasSuffix("`reset` (or `load weights`) starts again from good weights"), "\(error)")
    #expect(t.session.prompt == "ga> ")
    #expect(t.trainer!.model.parameters.grads.buffer.allSatisfy { $0 == 0 })
  }
}
