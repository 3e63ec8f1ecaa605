// ScriptTests.swift — files of commands: narration and echo for lessons, the first error
// stops the script with FILE:LINE, `quit` ends it, and any line ending works.

import Testing
@testable import Shell

@Suite struct ScriptTests {
  @Test func lessonsShowNarrationAndEchoCommands() {
    let t = TestSession(data: false)
    let ok = Script(name: "l.ga", text: "# Lesson\n#\n# Two lines.\nset batch 16\n\nset accumulate 4\n")
      .run(in: t.session, present: true)
    #expect(ok)
    #expect(t.printed == "Lesson\n\nTwo lines.\nga> set batch 16\nbatch = 16\n\nga> set accumulate 4\naccumulate = 4\n\n")
  }

  @Test func scriptsAreQuiet() {
    let t = TestSession(data: false)
    #expect(Script(name: "-c", text: "# a comment\nset batch 16\n\nset lr 0.1").run(in: t.session, present: false))
    #expect(t.printed == "batch = 16\nlr = 0.1\n")
  }

  @Test func theFirstErrorStopsWithFileAndLine() {
    let t = TestSession(data: false)
    let ok = Script(name: "bad.ga", text: "set batch 16\n# fine so far\nset batch 0\nset batch 32\n")
      .run(in: t.session, present: false)
    #expect(!ok)
    #expect(t.printed == "batch = 16\nbad.ga:3: error: batch must be in 1–60000, got 0\n")
    #expect(t.session.settings.batch == 16)
  }

  /// Ctrl-C during a script's `train` stops the training and then the script.
  @Test func anInterruptStopsTheScript() throws {
    let t = TestSession()
    var calls = 0
    t.session.isInterrupted = { calls += 1; return calls > 3 }   // during the first epoch
    let ok = Script(name: "s.ga", text: "model mlp 8\ntrain 2\nset batch 16\n").run(in: t.session, present: false)
    #expect(!ok)
    #expect(t.printed.contains("interrupted at epoch 1"))
    #expect(t.printed.hasSuffix("s.ga:2: interrupted — the script stops here\n"))
    #expect(t.session.settings.batch == 64)
  }

  @Test func quitEndsTheScript() {
    let t = TestSession(data: false)
    #expect(Script(name: "q.ga", text: "set batch 16\nquit\nset batch 0\n").run(in: t.session, present: false))
    #expect(t.printed == "batch = 16\n")
  }

  @Test(arguments: ["\n", "\r\n", "\r"])
  func lineEndings(_ end: String) {
    let script = Script(name: "s.ga", text: ["# x", "set batch 16", "", "set lr 0.1", ""].joined(separator: end))
    #expect(script.lines == ["# x", "set batch 16", "", "set lr 0.1", ""])
    let t = TestSession(data: false)
    #expect(script.run(in: t.session, present: false))
    #expect(t.printed == "batch = 16\nlr = 0.1\n")
  }
}
