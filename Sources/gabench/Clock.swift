// Clock.swift — the monotonic clock every figure is timed with, repeated measurements
// taking turns, and the summary of their runs.

#if canImport(Glibc)
import Glibc
#endif

/// Seconds on CLOCK_MONOTONIC: never jumps with the wall clock.
func monotonicSeconds() -> Double {
  var t = timespec()
  clock_gettime(CLOCK_MONOTONIC, &t)
  return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}

/// Seconds of `body`, timed on the monotonic clock.
func timed(_ body: () -> Void) -> Double {
  let start = monotonicSeconds()
  body()
  return monotonicSeconds() - start
}

/// The durations of repeated runs of one measurement.
struct Timings {
  var seconds: [Double] = []

  /// The middle run (mean of the two middle ones for an even count).
  var median: Double {
    let s = seconds.sorted(), n = s.count
    guard n > 0 else { return .nan }
    return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2
  }

  var best: Double { seconds.min() ?? .nan }

  /// `work` units (samples, FLOPs) per second at the median and at the best run.
  func rate(_ work: Double) -> (median: Double, best: Double) { (work / median, work / best) }
}

/// Something timed repeatedly: an untimed warm-up once, then timed runs, each followed
/// by an untimed `settle` that leaves the machine as the next measurement expects it.
struct Measurement {
  let warmUp: () -> Void
  let run: () -> Void
  var settle: () -> Void = {}
}

/// Warms every measurement up, then times `rounds` runs of each, taking turns: load from
/// elsewhere on the machine (another build, say) then spreads over all of them instead of
/// falling on one, and figures compared with each other see the same conditions.
func takeTurns(_ measurements: [Measurement], rounds: Int) -> [Timings] {
  for m in measurements { m.warmUp() }
  var timings = [Timings](repeating: Timings(), count: measurements.count)
  for _ in 0..<rounds {
    for (i, m) in measurements.enumerated() {
      timings[i].seconds.append(timed(m.run))
      m.settle()
    }
  }
  return timings
}
