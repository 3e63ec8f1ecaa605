// NonFiniteError.swift — a NaN or an infinity, caught where it first appears: in a micro-batch's
// loss (before its backward adds anything) or in the accumulated gradient (before the step uses
// it). Either way the open window is dropped and the weights stay those of the last good step.

public struct NonFiniteError: Error, CustomStringConvertible {
  public enum Place: Sendable, Equatable {
    /// The mean loss of batch `batch` (0-based) of 0-based `epoch`, which has `batches` batches.
    case loss(epoch: Int, batch: Int, batches: Int)
    /// The accumulated gradient of `parameter`, at flat index `index` within it, before step `step`
    /// (1-based) of `optimizer`: NaN, ±Inf, or a finite value past the optimizer's largest safe one.
    case gradient(parameter: String, index: Int, step: Int, optimizer: String)
  }
  public let place: Place
  public let value: Float
  /// Micro-batches of the open window that were dropped with it.
  public let dropped: Int

  public var description: String {
    let shown = value.isNaN ? "nan" : value > 0 ? "inf" : "-inf"
    let window = dropped == 0 ? "" : "; the window's \(dropped) micro-batch\(dropped == 1 ? " was" : "es were") dropped (gradients zeroed)"
    switch place {
    case .loss(let epoch, let batch, let batches):
      return "the loss of epoch \(epoch + 1), batch \(batch + 1) of \(batches) is \(shown): its backward was not run\(window)"
    case .gradient(let parameter, let index, let step, let optimizer):
      let what = value.isFinite
        ? "\(value) (\(parameter)[\(index)]), too large for \(optimizer): its square would overflow exp_avg_sq to inf"
        : "\(shown) (\(parameter)[\(index)])"
      return "the accumulated gradient holds \(what): step \(step) is refused and the weights stay as they were\(window)"
    }
  }
}

extension NonFiniteError: UserFacingError {}
