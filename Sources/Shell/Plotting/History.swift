// History.swift — what `plot grad` draws: ‖g‖ after every backward, step and zero.

/// Everything a plot needs: losses per optimizer step and the gradient norm's saw-tooth.
public struct History: Sendable {
  public enum GradientEvent: String, Sendable { case backward, step, zero }
  /// ‖g‖ after every backward, step and zero: it climbs within a window and drops to 0 at the step.
  public var gradientNorms: [(event: GradientEvent, norm: Float)] = []
  /// The cap keeps a long `train` from growing the history without bound.
  public static let limit = 200_000

  mutating func record(_ event: GradientEvent, _ norm: Float) {
    // Past the cap the oldest half goes (once per 100,000 events, not a shift per event):
    // `plot grad 40` must show the latest 40 however long the session has trained.
    if gradientNorms.count >= History.limit { gradientNorms.removeFirst(History.limit / 2) }
    gradientNorms.append((event, norm))
  }
}
