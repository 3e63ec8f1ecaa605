// HelpTests.swift — `help` and `help CMD` read the one command table.

import Testing
@testable import Shell

@Suite struct HelpTests {
  @Test func helpListsEveryCommandInTableOrder() throws {
    let lines = try TestSession(data: false).run("help").split(separator: "\n").map(String.init)
    let listed = lines.compactMap { $0.hasPrefix("  ") ? $0.split(separator: " ").first.map(String.init) : nil }
    #expect(listed == Command.all.map(\.name))
    for command in Command.all {
      #expect(lines.contains { $0.hasPrefix("  \(command.name) ") && $0.hasSuffix(command.summary) },
              "help does not list `\(command.name)` with its summary")
    }
  }

  @Test(arguments: Command.all.map(\.name))
  func helpExplainsEachCommand(_ name: String) throws {
    let command = try #require(Command.named(name))
    let out = try TestSession(data: false).run("help \(name)")
    #expect(out.hasPrefix("\(command.usage) — \(command.summary)\n"))
    for line in command.details.split(separator: "\n") { #expect(out.contains("  " + line)) }
  }

  @Test func namesAreUniqueAndAliasesFindTheirCommand() {
    let names = Command.all.flatMap { [$0.name] + $0.aliases }
    #expect(Set(names).count == names.count)
    for command in Command.all {
      for alias in command.aliases { #expect(Command.named(alias)?.name == command.name) }
    }
  }

  @Test func unknownTopicSuggests() throws {
    let t = TestSession(data: false)
    #expect(throws: ShellError("no command 'shwo' — did you mean 'show'? — `help` lists them")) { try t.run("help shwo") }
    #expect(throws: ShellError("no command 'frobnicate' — `help` lists them")) { try t.run("help frobnicate") }
  }
}
