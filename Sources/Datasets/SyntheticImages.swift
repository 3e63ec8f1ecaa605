// SyntheticImages.swift — a small, deterministic, learnable image set for tests that need no files.

import Engine

/// Images whose class is visible: class c is a bright disc in cell c of a square grid laid
/// over the image, jittered by up to a pixel, over seeded background noise. Positions are
/// whole pixels and intensities plain arithmetic (no libm), so a seed gives the same bytes
/// on every machine.
public enum SyntheticImages {
  public static func make(count: Int, rows: Int = 28, columns: Int = 28, classes: Int = 10,
                          seed: UInt64) -> LabeledImages {
    precondition(count >= 0 && rows > 0 && columns > 0 && classes > 0 && classes <= 256)
    var cellsAcross = 1
    while cellsAcross * cellsAcross < classes { cellsAcross += 1 }
    let cellHeight = Float(rows) / Float(cellsAcross), cellWidth = Float(columns) / Float(cellsAcross)
    let radius = max(1, min(cellHeight, cellWidth) / 2)

    var random = RandomNumbers(seed: seed)
    var pixels = [UInt8](repeating: 0, count: count * rows * columns)  // [count, rows·columns]
    var labels = [UInt8](repeating: 0, count: count)
    for i in 0..<count {
      let label = random.nextIndex(below: classes)
      labels[i] = UInt8(label)
      let cy = (Float(label / cellsAcross) + 0.5) * cellHeight + Float(random.nextIndex(below: 3) - 1)
      let cx = (Float(label % cellsAcross) + 0.5) * cellWidth + Float(random.nextIndex(below: 3) - 1)
      for y in 0..<rows {
        for x in 0..<columns {
          let dy = Float(y) + 0.5 - cy, dx = Float(x) + 0.5 - cx
          let disc = max(0, 1 - (dy * dy + dx * dx) / (radius * radius))  // 1 at the centre, 0 at the rim
          let noise = Float(random.nextIndex(below: 64))
          pixels[(i * rows + y) * columns + x] = UInt8(min(255, disc * 191 + noise))
        }
      }
    }
    return LabeledImages(pixels: pixels, labels: labels, rows: rows, columns: columns)
  }
}
