// TorchFigures.swift — PyTorch's side of the comparison: the JSON that
// /work/shared/reference/pytorch/tuned.py writes with `--json FILE`.

import Foundation

struct TorchFigures {
  let version: String
  let threads: Int
  /// Training samples/s (median and best over its epochs) by configuration.
  let training: [TrainingShape: (median: Double, best: Double)]
  /// Forward-only samples/s over the test set by batch size.
  let evaluation: [Int: Double]

  /// CNN training samples/s by configuration, from cnn_tuned.py.
  var cnn: [TrainingShape: Double] = [:]

  /// No MLP figures: only a CNN file was given.
  init() { version = "?"; threads = 0; training = [:]; evaluation = [:] }

  /// These figures and cnn_tuned.py's JSON line in `path`.
  func withCNN(contentsOf path: String) throws -> TorchFigures {
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    guard let root = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
      throw BenchmarkError("\(path): not the JSON of cnn_tuned.py")
    }
    var copy = self
    for (key, value) in root {
      if let shape = TrainingShape(argument: key), let rate = value as? Double { copy.cnn[shape] = rate }
    }
    return copy
  }

  init(contentsOf path: String) throws {
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    guard let root = try JSONSerialization.jsonObject(with: data) as? [String: Any],
          let train = root["train"] as? [[String: Any]] else {
      throw BenchmarkError("\(path): not the JSON of tuned.py --json")
    }
    version = root["torch"] as? String ?? "?"
    threads = root["threads"] as? Int ?? 0
    var training: [TrainingShape: (median: Double, best: Double)] = [:]
    for row in train {
      guard let batch = row["batch"] as? Int, let n = row["accumulate"] as? Int,
            let median = row["samples_per_s_median"] as? Double,
            let best = row["samples_per_s_best"] as? Double else { continue }
      training[TrainingShape(batch: batch, accumulate: n)] = (median, best)
    }
    var evaluation: [Int: Double] = [:]
    for row in root["eval"] as? [[String: Any]] ?? [] {
      if let batch = row["batch"] as? Int, let rate = row["samples_per_s"] as? Double { evaluation[batch] = rate }
    }
    self.training = training
    self.evaluation = evaluation
  }
}
