// Memory.swift — a simulated device budget (`set memory 6MB`) and the
// out-of-memory error the tutorial warns about, computed from MemoryReport.
// Units are decimal, as device makers count: 1 MB = 1,000,000 bytes.

import Engine
import Glibc

enum Memory {
  /// "6MB", "5.5MB", "800KB", "1GB", "512B" → bytes.
  static func parse(_ text: String) throws -> Int {
    let t = text.uppercased().replacingOccurrences(of: " ", with: "")
    let units: [(String, Double)] = [("GB", 1e9), ("MB", 1e6), ("KB", 1e3), ("B", 1)]
    for (suffix, scale) in units where t.hasSuffix(suffix) {
      guard let x = Double(t.dropLast(suffix.count)), x.isFinite, x > 0 else { break }
      guard x * scale <= 1e12 else { throw ShellError("memory must be at most 1000GB, got \(text)") }
      guard x * scale >= 1 else { throw ShellError("memory must be at least 1B, got \(text)") }
      return Int((x * scale).rounded())
    }
    throw ShellError("memory takes a size like 6MB, 5.5MB, 800KB or 1GB (units B, KB, MB, GB), or off; got '\(text)'")
  }

  /// The machine's memory: without `set memory`, the budget a command must still fit in, so that a
  /// batch of 60,000 with Adam is an error line rather than the process killed.
  static let machine: Int = {
    let pages = sysconf(Int32(_SC_PHYS_PAGES)), size = sysconf(Int32(_SC_PAGESIZE))
    return pages > 0 && size > 0 ? pages * size : Int.max
  }()

  /// Throws the out-of-memory error when a micro-batch of `batch` rows would not fit the budget.
  static func check(_ session: Session, batch: Int, for what: String = "the activations") throws {
    guard let t = session.trainer else { return }
    let r = MemoryReport(trainer: t, batch: batch)
    let budget = session.settings.memoryBudget ?? machine
    guard r.total > budget else { return }
    let held = r.parameters + r.gradients + r.optimizerState
    let free = max(0, budget - held)
    var hint = "lower `set batch`"
    let effective = session.settings.batch * max(1, session.settings.accumulation.schedule.factor(forEpoch: t.epoch))
    // Suggest the largest micro-batch that divides the effective batch and fits. The divisors come
    // in pairs up to √effective, so even 60,000 × 10,000 takes a blink.
    var divisors: [Int] = []
    var d = 1
    while d * d <= effective {
      if effective % d == 0 { divisors += [d, effective / d] }
      d += 1
    }
    let model = t.model
    if let b = divisors.sorted(by: >).first(where: {
      $0 < batch && held + MemoryReport(model: model, optimizerStateBytes: 0, batch: $0).activations <= budget
    }) {
      hint = "`set batch \(b)` and `set accumulate \(effective / b)` keep \(grouped(effective)) samples per step"
    } else if held > budget {
      hint = "the model alone does not fit: `set memory off` or a smaller model"
    }
    let limit = session.settings.memoryBudget == nil ? "this machine has \(formatBytes(budget))" : "budget \(formatBytes(budget))"
    let largest = r.rows.max { $0.bytes < $1.bytes }.map {
      " — the largest part, \($0.layer == nil ? "the \($0.module)" : $0.module)'s \($0.workspace.name): \(formatBytes($0.bytes))"
    } ?? ""
    throw ShellError("out of memory: tried to allocate \(formatBytes(r.activations)) for \(what) of a batch of \(grouped(batch))\(largest)"
      + " (\(limit); \(formatBytes(held)) held by parameters, gradients and optimizer state; \(formatBytes(free)) free) — \(hint)")
  }

  static func show(_ session: Session) throws {
    let t = try session.requireTrainer()
    let s = session.settings
    let n = s.accumulation.schedule.factor(forEpoch: t.epoch)
    let r = MemoryReport(trainer: t, batch: s.batch)
    session.say("memory for micro-batches of \(s.batch)" + (n > 1 ? " × accumulate \(n)" : "")
      + " (" + t.model.architecture.title + ", \(t.optimizer.name))")
    func row(_ name: String, _ bytes: Int, _ note: String) {
      session.say("  " + pad(name, 17) + pad(formatBytes(bytes), 10, left: true) + (note.isEmpty ? "" : "   " + note))
    }
    row("parameters", r.parameters, "\(grouped(t.model.parameterCount)) floats")
    row("gradients", r.gradients, "one per parameter, accumulated in place")
    row("optimizer state", r.optimizerState, r.optimizerState == 0 ? "plain SGD keeps none" : "\(t.optimizer.name)'s \(t.optimizer.stateDescription)")
    row("activations", r.activations, "batch of \(s.batch): layer outputs, their gradients, the input")
    for line in layerLines(r) { session.say("    " + line) }
    row("total", r.total, "")
    if n > 1 {
      let big = MemoryReport(trainer: t, batch: s.batch * n)
      session.say("  without accumulation a batch of \(grouped(s.batch * n)) needs \(formatBytes(big.activations)) of activations: \(formatBytes(big.total)) in all")
    }
    if let budget = s.memoryBudget {
      session.say("  budget \(formatBytes(budget)): " + (r.total <= budget
        ? "fits, \(formatBytes(budget - r.total)) free" : "does NOT fit (\(formatBytes(r.total - budget)) over)"))
    }
  }

  /// One line per layer that holds anything for this batch: "3: Conv2d(32, 64, 3, padding=1)  14.5 MB
  /// (im2col columns 14.5 MB kept for backward, output 3.21 MB kept, input gradient 1.61 MB)".
  static func layerLines(_ r: MemoryReport) -> [String] {
    var order: [String] = [], parts: [String: [MemoryReport.Row]] = [:]
    for row in r.rows where row.bytes > 0 {
      let key = row.layer.map { "\($0): \(row.module)" } ?? row.module
      if parts[key] == nil { order.append(key) }
      parts[key, default: []].append(row)
    }
    let width = order.map(\.count).max() ?? 0
    return order.map { key in
      let rows = parts[key]!
      let total = rows.reduce(0) { $0 + $1.bytes }
      return pad(key, width) + pad(formatBytes(total), 10, left: true) + "   "
        + rows.map { "\($0.workspace.name) \(formatBytes($0.bytes))" }.joined(separator: ", ")
    }
  }
}
