// AccumulationSchedule.swift — how many micro-batches make one optimizer step:
// a constant N, or a per-epoch schedule like Lightning's {0: 8, 4: 2}
// (epochs 0–3 accumulate 8, epochs 4 on accumulate 2). Epochs are 0-based,
// as in Lightning; before the first listed epoch the factor is 1.

public struct AccumulationSchedule: Equatable, Sendable, CustomStringConvertible {
  /// (first epoch, factor), sorted by epoch.
  public let changes: [Change]

  public struct Change: Equatable, Sendable {
    public let epoch: Int
    public let factor: Int
  }

  public init(_ n: Int) {
    precondition(n >= 1)
    changes = [Change(epoch: 0, factor: n)]
  }

  public init(_ schedule: [Int: Int]) {
    precondition(!schedule.isEmpty && schedule.allSatisfy { $0.key >= 0 && $0.value >= 1 })
    changes = schedule.sorted { $0.key < $1.key }.map { Change(epoch: $0.key, factor: $0.value) }
  }

  /// N for 0-based epoch `epoch`.
  public func factor(forEpoch epoch: Int) -> Int {
    changes.last { $0.epoch <= epoch }?.factor ?? 1
  }

  public var isConstant: Bool { changes.count == 1 && changes[0].epoch == 0 }

  /// "4", or "{0: 8, 4: 2}" as Lightning writes it.
  public var description: String {
    isConstant ? "\(changes[0].factor)"
      : "{" + changes.map { "\($0.epoch): \($0.factor)" }.joined(separator: ", ") + "}"
  }

  /// Parses "4" or "{0: 8, 4: 2}" (braces and spaces optional: "0:8,4:2").
  public static func parse(_ text: String) throws -> AccumulationSchedule {
    let t = text.trimmingCharacters(in: " ")
    if let n = Int(t) {
      guard n >= 1 else { throw ScheduleError("accumulate must be at least 1, got \(n)") }
      return AccumulationSchedule(n)
    }
    var body = Substring(t)
    if body.hasPrefix("{") && body.hasSuffix("}") { body = body.dropFirst().dropLast() }
    var schedule: [Int: Int] = [:]
    var items = body.split(separator: ",", omittingEmptySubsequences: false)
    if items.last!.allSatisfy({ $0 == " " }) { items.removeLast() }  // `{}`, or Python's trailing comma `{0: 8,}`
    for item in items {
      guard !item.allSatisfy({ $0 == " " }) else { throw ScheduleError("an empty entry between commas") }
      let kv = item.split(separator: ":")
      guard kv.count == 2, let epoch = Int(kv[0].trimmingCharacters(in: " ")),
            let factor = Int(kv[1].trimmingCharacters(in: " ")) else {
        throw ScheduleError("cannot read '\(item.trimmingCharacters(in: " "))' as EPOCH: N")
      }
      guard epoch >= 0 else { throw ScheduleError("epochs count from 0, got \(epoch)") }
      guard factor >= 1 else { throw ScheduleError("accumulate must be at least 1, got \(factor) for epoch \(epoch)") }
      guard schedule[epoch] == nil else { throw ScheduleError("epoch \(epoch) is listed twice") }
      schedule[epoch] = factor
    }
    guard !schedule.isEmpty else { throw ScheduleError("empty schedule") }
    return AccumulationSchedule(schedule)
  }
}

public struct ScheduleError: Error, CustomStringConvertible {
  public let description: String
  init(_ d: String) { description = d }
}

extension StringProtocol {
  func trimmingCharacters(in set: Character) -> String {
    var s = Substring(self)
    while s.first == set { s = s.dropFirst() }
    while s.last == set { s = s.dropLast() }
    return String(s)
  }
}
