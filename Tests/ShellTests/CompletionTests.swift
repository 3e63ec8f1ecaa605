// CompletionTests.swift — what Tab offers at each position: commands, sub-commands, setting
// names and values, parameter names, and files where a file goes.

import Testing
@testable import Shell

@Suite struct CompletionTests {
  func words(_ line: String) -> [String] {
    guard case .words(let w) = Command.candidates(line: line, wordStart: line.count) else {
      Issue.record("'\(line)' completes files, not words")
      return []
    }
    return w
  }

  func completesFiles(_ line: String) -> Bool {
    Command.candidates(line: line, wordStart: line.count) == .files
  }

  @Test func firstWordIsEveryCommandAndAlias() {
    let all = Command.all.flatMap { [$0.name] + $0.aliases }
    #expect(words("") == all)
    #expect(Set(all).isSuperset(of: ["help", "?", "load", "set", "show", "backward", "step", "quit", "exit"]))
    // The word being typed does not narrow the list: the line editor filters by prefix.
    #expect(Command.candidates(line: "sho", wordStart: 0) == .words(all))
  }

  @Test func subCommands() {
    #expect(words("load ") == ["fashion", "weights", "state"])
    #expect(Command.candidates(line: "load state ", wordStart: 11) == .files)
    #expect(words("load fashion ") == ["train", "test", "from"])
    #expect(words("load fashion train 600 ") == ["train", "test", "from"])
    #expect(words("model ") == ["mlp", "cnn"])
    #expect(words("save ").starts(with: ["weights", "grads"]))
    #expect(words("train 3 ") == ["steps"])
    #expect(words("show ") == Command.showTopics)
    #expect(words("help ") == Command.all.map(\.name))
  }

  @Test func settingNamesAndValues() {
    #expect(words("set ") == Setting.allCases.map(\.rawValue))
    #expect(words("set optimizer ").starts(with: ["sgd", "adam", "adamw"]))
    #expect(words("set shuffle ") == ["on", "off"])
    #expect(words("set quick ") == ["on", "off"])
    #expect(Set(words("set normalize ")).isSuperset(of: ["n", "window", "samples", "off"]))
    #expect(words("set accumulate ").contains("4"))
    #expect(words("set lr 0.1 ") == [])
    #expect(words("set nosuch ") == [])
  }

  @Test func parameterNames() {
    let names = ["0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"]
    #expect(words("show grad ") == names)
    #expect(words("show weights ") == names)
    #expect(words("show grad 0.weight ") == [])
    #expect(words("show settings ") == [])
  }

  @Test func filePositions() {
    #expect(completesFiles("load weights "))
    #expect(completesFiles("load fashion from "))
    #expect(completesFiles("save weights "))
    #expect(completesFiles("save grads "))
    #expect(!completesFiles("load weights a.safetensors "))
  }

  /// The position is where the word starts: words after it are not looked at.
  @Test func completionInTheMiddleOfALine() {
    #expect(Command.candidates(line: "set batch 16", wordStart: 4) == .words(Setting.allCases.map(\.rawValue)))
    #expect(Command.candidates(line: "show  grad ", wordStart: 6) == .words(Command.showTopics))
  }

  @Test func unknownCommandsCompleteNothing() {
    #expect(words("frobnicate ") == [])
    #expect(words("step ") == [])
  }
}

@Suite struct SessionCompletionTests {
  @Test func parameterNamesComeFromTheModelThere() throws {
    let session = Session(output: { _ in })
    try session.execute("model mlp 8 batchnorm")
    #expect(Command.candidates(line: "show grad ", wordStart: 10, session: session)
      == .words(["0.weight", "0.bias", "1.weight", "1.bias", "3.weight", "3.bias", "4.weight", "4.bias", "6.weight", "6.bias"]))
  }
}
