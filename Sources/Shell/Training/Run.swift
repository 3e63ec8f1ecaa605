// Run.swift — a finished (or ongoing) training run: its settings and one row per epoch,
// so `runs` can put batch 64 and batch 16 × 4 side by side as the tutorial does.

public final class Run {
  public let number: Int
  public var label: String
  public var isOpen = true
  public private(set) var epochs: [Epoch] = []

  public struct Epoch: Sendable {
    public let epoch: Int          // 1-based, as printed
    public let accuracy: Double
    public let averageLoss: Double
    public let steps: Int          // optimizer steps taken in this epoch
    public let seconds: Double     // training time of the epoch
  }

  init(number: Int, label: String) {
    self.number = number
    self.label = label
  }

  func add(_ e: Epoch) { epochs.append(e) }

  /// What `train` did in an epoch it left unfinished (`train N steps`, Ctrl-C): the `train`
  /// that finishes the epoch counts it in, so the row holds the whole epoch.
  struct Unfinished {
    var epoch: Int                 // 0-based
    var steps = 0
    var seconds = 0.0
    var samples = 0
  }
  var unfinished: Unfinished?

  /// Training loss per optimizer step: the mean of the window's micro-batch losses.
  public private(set) var stepLosses: [Float] = []
  private var windowLoss: Float = 0, windowCount = 0

  /// A micro-batch's loss, in the window that is open.
  func note(loss: Float) {
    windowLoss += loss; windowCount += 1
  }

  /// The learning rate each optimizer step used, for `plot lr`.
  public private(set) var stepRates: [Float] = []

  /// The optimizer stepped at `rate`: the window's mean loss is the step's.
  func noteStep(rate: Float) {
    if stepLosses.count < History.limit {
      stepLosses.append(windowLoss / Float(max(windowCount, 1)))
      stepRates.append(rate)
    }
    windowLoss = 0; windowCount = 0
  }
}
