// Help.swift — `help` and `help CMD`, both read from the command table.

extension Command {
  static let help: Command = Command(
    name: "help", aliases: ["?"], arguments: "[COMMAND]",
    summary: "List the commands, or explain one",
    details: "help            every command with a one-line summary\nhelp set        settings, their ranges and examples",
    complete: { words, _ in words.isEmpty ? .words(Command.all.map(\.name)) : .words([]) },
    run: { session, arguments in
      guard let name = arguments.first else {
        let width = Command.all.map(\.name.count).max()!
        for c in Command.all { session.say("  " + pad(c.name, width) + "   " + c.summary) }
        session.say("`help COMMAND` explains one. Lines starting with # are comments.")
        return
      }
      guard let command = Command.named(name) else {
        throw ShellError("no command '\(name)'" + suggestion(name, among: Command.all.map(\.name)) + " — `help` lists them")
      }
      guard arguments.count == 1 else { throw UsageError("help explains one command at a time") }
      session.say("\(command.usage) — \(command.summary)")
      if !command.details.isEmpty {
        for line in command.details.split(separator: "\n", omittingEmptySubsequences: false) { session.say("  " + line) }
      }
    })
}
