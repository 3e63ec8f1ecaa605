// Progress.swift — the live line during `train` on a terminal: epoch, samples/s,
// running loss and ETA, redrawn in place a few times a second. A front end with displays
// (Jupyter) gets it as one display per epoch, updated in place and replaced by the epoch's
// results. Elsewhere it prints nothing.

import Foundation

struct Progress {
  let session: Session
  let batchesPerEpoch: Int
  let batchSize: Int
  private var start = 0.0, lastDraw = 0.0, epoch = 0
  private var lossSum = 0.0, seen = 0, samples = 0
  private var drawn = false
  private var displayID = ""
  private var live: Bool { session.display != nil }

  init(session: Session, batchesPerEpoch: Int, batchSize: Int) {
    self.session = session
    self.batchesPerEpoch = batchesPerEpoch
    self.batchSize = batchSize
  }

  mutating func start(epoch: Int) {
    self.epoch = epoch
    start = now(); lastDraw = start
    lossSum = 0; seen = 0; samples = 0
    displayID = ""
  }

  mutating func update(_ m: Trainer.MicroBatch) {
    guard session.showsProgress || live else { return }
    lossSum += Double(m.loss); seen += 1; samples += m.samples
    let t = now()
    guard t - lastDraw > 0.2 else { return }
    lastDraw = t
    let fraction = Double(m.index + 1) / Double(batchesPerEpoch)
    let width = 24, filled = Int(fraction * Double(width))
    let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
    let rate = Double(samples) / max(t - start, 1e-9)
    let remaining = Double((batchesPerEpoch - m.index - 1) * batchSize) / max(rate, 1)
    let line = " epoch \(epoch + 1) \(bar) \(fixed(100 * fraction, 0))%  \(grouped(Int(rate))) samples/s  loss \(fixed(lossSum / Double(seen), 4))  ETA \(fixed(remaining, 0)) s"
    if live {
      if displayID.isEmpty { displayID = "gashell-progress-" + UUID().uuidString }
      session.show(Display(text: line + "\n", id: displayID), transient: true)
    } else {
      session.write("\r\u{1B}[2K" + line)
    }
    drawn = true
  }

  /// Clears the line before the epoch's results are printed; a display waits for them
  /// (`end(with:)`), unless training stops inside the epoch (`stopped`): then it is emptied.
  mutating func finish(stopped: Bool = false) {
    guard drawn else { return }
    if !live {
      session.write("\r\u{1B}[2K")
      drawn = false
    } else if stopped {
      session.show(Display(text: "", id: displayID), transient: true)
      drawn = false
    }
  }

  /// The epoch's results: in place of its progress display when there is one, else printed.
  mutating func end(with lines: [String]) {
    let text = lines.map { $0 + "\n" }.joined()
    if live && drawn {
      session.show(Display(text: text, id: displayID))
      drawn = false
    } else {
      session.write(text)
    }
  }
}

import Engine
