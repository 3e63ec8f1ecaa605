// Transcript+Times.swift — the lines gashell prints with wall-clock times or this machine's
// data folder, written by `save transcript` as glob patterns, so the transcript replays on
// another run, or another machine, instead of failing on the one thing that always differs.

import Foundation

extension Transcript {
  /// `line` as a glob pattern (ending in ` (glob)`) if it is one of the lines whose times vary,
  /// else nil. Everything but the times stays literal: step counts, accuracy and losses still count.
  static func timesAsGlob(_ line: String) -> String? {
    // Each kind of line starts with one of these: most lines are passed over without a regex.
    guard line.hasPrefix("FashionMNIST from ") || line.hasPrefix("steps ") || line.hasPrefix(" ")
            || line.hasPrefix("data ") || line.hasPrefix("forward ") || line.hasPrefix("backward ")
            || line.hasPrefix("step ") || line.hasPrefix("total ") || line.hasPrefix("samples/s ")
            || line.hasPrefix("memory: ") || line.hasPrefix("peak RSS growth ") else { return nil }
    for rule in timedLines where matches(rule.line, line) {
      var pattern = line
      for (time, replacement) in rule.times {
        pattern = time.stringByReplacingMatches(in: pattern, range: NSRange(pattern.startIndex..., in: pattern),
                                                withTemplate: replacement)
      }
      return pattern + " (glob)"
    }
    return nil
  }

  private static func matches(_ regex: NSRegularExpression, _ line: String) -> Bool {
    regex.firstMatch(in: line, range: NSRange(line.startIndex..., in: line)) != nil
  }

  private static func regex(_ pattern: String) -> NSRegularExpression {
    try! NSRegularExpression(pattern: pattern)   // the patterns below are fixed: a typo fails every test
  }

  /// Each kind of line, and what in it becomes `*`. The replacements hold no `*` or `?` but
  /// those meant as wildcards, and the rest of each line kind has none.
  private static let timedLines: [(line: NSRegularExpression, times: [(NSRegularExpression, String)])] = [
    // load fashion: "FashionMNIST from /usr/share/datasets/fashion-mnist in 0.21 s"
    (regex(#"^FashionMNIST from .* in [0-9.]+ s$"#), [(regex(#" from .* in [0-9.]+ s$"#), " from * in * s")]),
    // show data: "FashionMNIST from /usr/share/datasets/fashion-mnist"
    (regex(#"^FashionMNIST from [^ ]+$"#), [(regex(#" from .*$"#), " from *")]),
    // train, after each epoch: "steps 10, train 0.05 s (12,800 samples/s), test 0.01 s"
    (regex(#"^steps [0-9,]+, train [0-9.]+ s \([0-9,]+ samples/s\), test [0-9.]+ s$"#),
     [(regex(#"train [0-9.]+ s \([0-9,]+ samples/s\), test [0-9.]+ s$"#), "train * s (* samples/s), test * s")]),
    // runs: "    1   15.0%  2.251735   0.4s    17.0%  2.252870   0.5s"
    (regex(#"^ +[0-9]+ +[0-9]+\.[0-9]%.* [0-9]+\.[0-9]s"#), [(regex(#" *[0-9]+\.[0-9]s"#), " *s")]),
    // profile: "forward      1.52 ms    190 µs   31.0%   activations 67.9 KB", and its total
    (regex(#"^(data|forward|backward|step) +[0-9.]+ ms +[0-9.,]+ µs +[0-9.]+%"#),
     [(regex(#" +[0-9.]+ ms"#), " * ms"), (regex(#" +[0-9.,]+ µs"#), " * µs"), (regex(#" +[0-9.]+%"#), " *%")]),
    (regex(#"^total +[0-9.]+ ms +[0-9,]+ samples/s$"#), [(regex(#" +[0-9.]+ ms +[0-9,]+ samples/s$"#), " * ms * samples/s")]),
    // profile's measured memory, which moves by a page or a few from run to run:
    // "memory: 266 KB accounted (`show memory`); the process's peak resident memory grew 328 KB while profiling"
    (regex(#"^memory: .* accounted .* grew [0-9.]+ [KMG]?B while profiling$"#),
     [(regex(#"grew [0-9.]+ [KMG]?B while"#), "grew * while")]),
    // and side by side: "peak RSS growth              46.4 MB       14.1 MB"
    (regex(#"^peak RSS growth( +[0-9.]+ [KMG]?B)+$"#), [(regex(#" +[0-9.]+ [KMG]?B"#), " *")]),
    // profile 64 16x4, a column per configuration: "forward   11.1 ms   31.2 ms", "samples/s   35,539   24,787"
    (regex(#"^(data|forward|backward|step|total)( +[0-9.]+ ms)+$"#), [(regex(#" +[0-9.]+ ms"#), " * ms")]),
    (regex(#"^samples/s( +[0-9,]+)+$"#), [(regex(#"( +[0-9,]+)+$"#), " *")]),
  ]
}
