// Progress.swift — the live line during `train` on a terminal: epoch, samples/s,
// running loss and ETA, redrawn in place a few times a second. Elsewhere it prints nothing.

struct Progress {
  let session: Session
  let batchesPerEpoch: Int
  let batchSize: Int
  private var start = 0.0, lastDraw = 0.0, epoch = 0
  private var lossSum = 0.0, seen = 0, samples = 0
  private var drawn = false

  init(session: Session, batchesPerEpoch: Int, batchSize: Int) {
    self.session = session
    self.batchesPerEpoch = batchesPerEpoch
    self.batchSize = batchSize
  }

  mutating func start(epoch: Int) {
    self.epoch = epoch
    start = now(); lastDraw = start
    lossSum = 0; seen = 0; samples = 0
  }

  mutating func update(_ m: Trainer.MicroBatch) {
    guard session.showsProgress else { return }
    lossSum += Double(m.loss); seen += 1; samples += m.samples
    let t = now()
    guard t - lastDraw > 0.2 else { return }
    lastDraw = t
    let fraction = Double(m.index + 1) / Double(batchesPerEpoch)
    let width = 24, filled = Int(fraction * Double(width))
    let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
    let rate = Double(samples) / max(t - start, 1e-9)
    let remaining = Double((batchesPerEpoch - m.index - 1) * batchSize) / max(rate, 1)
    session.write("\r\u{1B}[2K epoch \(epoch + 1) \(bar) \(fixed(100 * fraction, 0))%  \(grouped(Int(rate))) samples/s  loss \(fixed(lossSum / Double(seen), 4))  ETA \(fixed(remaining, 0)) s")
    drawn = true
  }

  /// Clears the line before the epoch's results are printed.
  mutating func finish() {
    if drawn { session.write("\r\u{1B}[2K"); drawn = false }
  }
}

import Engine
