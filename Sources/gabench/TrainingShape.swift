// TrainingShape.swift — a training configuration as the command line writes it:
// "64" is batch 64 without accumulation, "16x4" is micro-batch 16 × accumulate 4.

import ArgumentParser

struct TrainingShape: Hashable, ExpressibleByArgument, CustomStringConvertible {
  let batch: Int
  let accumulate: Int

  init(batch: Int, accumulate: Int = 1) {
    self.batch = batch
    self.accumulate = accumulate
  }

  init?(argument: String) {
    let parts = argument.lowercased().split(separator: "x", omittingEmptySubsequences: false)
    guard parts.count == 1 || parts.count == 2,
          let batch = Int(parts[0]), batch > 0,
          let accumulate = parts.count == 2 ? Int(parts[1]) : 1, accumulate > 0 else { return nil }
    self.init(batch: batch, accumulate: accumulate)
  }

  /// "64" or "16x4": what the command line accepts back.
  var description: String { accumulate == 1 ? "\(batch)" : "\(batch)x\(accumulate)" }

  /// "batch 64" or "16 × 4" for the table.
  var label: String { accumulate == 1 ? "batch \(batch)" : "\(batch) × \(accumulate)" }

  static let standard = [TrainingShape(batch: 64), TrainingShape(batch: 16, accumulate: 4),
                         TrainingShape(batch: 16)]
}
