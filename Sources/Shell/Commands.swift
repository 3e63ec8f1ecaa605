// Commands.swift — the command table. `help` lists the commands in this order,
// which is the order a lesson uses them.

extension Command {
  public static let all: [Command] = [
    .help, .load, .model, .set, .show,
    .forward, .backward, .step, .zero,
    .train, .test, .runs, .compare, .profile, .plot,
    .save, .reset, .pause, .clear, .quit,
  ]
}
