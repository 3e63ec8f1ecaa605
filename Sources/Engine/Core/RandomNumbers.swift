// RandomNumbers.swift — a small seeded PRNG of our own, so the same seed gives
// the same initial weights and the same shuffled order on every machine.

/// SplitMix64 (Steele, Lea & Flood 2014): 64 bits of state, passes BigCrush,
/// and its output is fully specified by integer arithmetic — no platform RNG.
public struct RandomNumbers: RandomNumberGenerator, Sendable {
  public private(set) var state: UInt64

  public init(seed: UInt64) { state = seed }

  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// Uniform in [0, 1) with 24 random bits: every value is an exact Float.
  public mutating func nextUnitFloat() -> Float {
    Float(next() >> 40) * (1.0 / 16_777_216.0)
  }

  /// Uniform in [-bound, bound).
  public mutating func uniform(_ bound: Float) -> Float {
    (nextUnitFloat() * 2 - 1) * bound
  }

  /// Uniform integer in 0..<n without modulo bias (Lemire's method).
  public mutating func nextIndex(below n: Int) -> Int {
    precondition(n > 0)
    let bound = UInt64(n)
    var m = next().multipliedFullWidth(by: bound)
    if m.low < bound {
      let threshold = (0 &- bound) % bound
      while m.low < threshold { m = next().multipliedFullWidth(by: bound) }
    }
    return Int(m.high)
  }

  /// Fisher–Yates shuffle with this generator: the same seed, the same order.
  public mutating func shuffle(_ values: inout [Int]) {
    guard values.count > 1 else { return }
    for i in stride(from: values.count - 1, to: 0, by: -1) {
      values.swapAt(i, nextIndex(below: i + 1))
    }
  }
}
