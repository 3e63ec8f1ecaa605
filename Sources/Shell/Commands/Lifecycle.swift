// Lifecycle.swift — `reset`, `pause`, `clear` and `quit`: the session's own lifecycle.

extension Command {
  static let reset: Command = Command(
    name: "reset", summary: "A fresh model from the seed, same shape; a new run",
    details: "reset       new weights from `set seed`, gradients and optimizer state cleared, back to epoch 1",
    run: { session, arguments in
      try noArguments(arguments)
      let old = try session.requireTrainer()
      let t = session.newTrainer(old.model.architecture)
      session.install(t, origin: "seed \(session.settings.seed)")
      session.say("fresh " + t.model.architecture.title
        + " from seed \(session.settings.seed); epoch 1, batch 1")
    })

  static let pause: Command = Command(
    name: "pause", summary: "Wait for Enter (in a lesson on a terminal; nothing otherwise)",
    run: { session, arguments in
      try noArguments(arguments)
      session.waitForEnter()
    })

  static let clear: Command = Command(
    name: "clear", summary: "Clear the screen (at a terminal; nothing otherwise); the session stays as it is",
    run: { session, arguments in
      try noArguments(arguments)
      session.clearScreen()
    })

  static let quit: Command = Command(
    name: "quit", aliases: ["exit"], summary: "Leave gashell (Ctrl-D too); history is saved",
    run: { session, arguments in
      try noArguments(arguments)
      session.quit()
    })
}
