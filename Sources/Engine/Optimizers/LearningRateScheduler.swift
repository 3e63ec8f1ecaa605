// LearningRateScheduler.swift — torch.optim.lr_scheduler's StepLR, LinearLR (the usual linear
// warm-up) and CosineAnnealingLR, as the tutorial's loop would use them: `scheduler.step()` once
// after each `optimizer.step()`. PyTorch computes each rate from the previous one (its chainable
// form), in double; so do we, so that the rates are PyTorch's to the last bit.
//
// Stepped after every micro-batch instead (the scheduler.step() left inside the backward loop),
// a schedule written in optimizer steps runs N times too fast: a warm-up meant for 100 steps is
// over after 25 when N = 4. The trainer does either, and says which.

import Foundation

public enum LearningRateSchedule: Equatable, Sendable {
  /// StepLR(step_size, gamma): the rate × gamma every `every` steps.
  case step(every: Int, gamma: Double)
  /// LinearLR(start_factor, end_factor = 1, total_iters): from rate × start up to the rate, in `steps`.
  case warmup(steps: Int, startFactor: Double)
  /// CosineAnnealingLR(T_max, eta_min): from the rate down to `minimum` along half a cosine in `period`.
  case cosine(period: Int, minimum: Double)

  /// What PyTorch calls it, with its arguments: "LinearLR(start_factor=0.1, total_iters=100)".
  public var pytorchName: String {
    switch self {
    case .step(let every, let gamma): "StepLR(step_size=\(every), gamma=\(gamma))"
    case .warmup(let steps, let start): "LinearLR(start_factor=\(start), total_iters=\(steps))"
    case .cosine(let period, let minimum): "CosineAnnealingLR(T_max=\(period), eta_min=\(minimum))"
    }
  }
}

public struct LearningRateScheduler: Equatable, Sendable {
  public let schedule: LearningRateSchedule
  /// The optimizer's rate when the scheduler was made (PyTorch's base_lrs).
  public let baseRate: Double
  /// PyTorch's last_epoch: how many times `step()` has been called.
  public private(set) var steps = 0
  /// The rate in force now (the optimizer's group["lr"]).
  public private(set) var rate: Double

  /// As PyTorch's constructor, which takes a first step to epoch 0: LinearLR starts at rate × start.
  public init(_ schedule: LearningRateSchedule, baseRate: Double) {
    self.schedule = schedule
    self.baseRate = baseRate
    if case .warmup(_, let start) = schedule { rate = baseRate * start } else { rate = baseRate }
  }

  /// Where a saved scheduler was: its steps and its rate (restored as saved, not recomputed).
  public init(_ schedule: LearningRateSchedule, baseRate: Double, steps: Int, rate: Double) {
    self.schedule = schedule
    self.baseRate = baseRate
    self.steps = steps
    self.rate = rate
  }

  /// scheduler.step(): PyTorch's get_lr() for the next epoch, from the current rate.
  public mutating func step() {
    steps += 1
    let t = Double(steps), lr = rate
    switch schedule {
    case .step(let every, let gamma):
      if steps % every == 0 { rate = lr * gamma }
    case .warmup(let total, let start):
      guard steps <= total else { return }
      let end = 1.0
      rate = lr * (1.0 + (end - start) / (Double(total) * start + (t - 1) * (end - start)))
    case .cosine(let period, let minimum):
      let T = Double(period)
      if (steps - 1 - period) % (2 * period) == 0 {
        rate = lr + (baseRate - minimum) * (1 - cos(Double.pi / T)) / 2
      } else {
        rate = (1 + cos(Double.pi * t / T)) / (1 + cos(Double.pi * (t - 1) / T)) * (lr - minimum) + minimum
      }
    }
  }
}
