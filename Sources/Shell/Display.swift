// Display.swift — output that is more than lines of text: a plot with its SVG, a picture, or
// `train`'s progress updated in place. A front end that can show these (the Jupyter kernel)
// sets `Session.display`; without one their text is printed like any other output.

public struct Display: Sendable, Equatable {
  /// What a terminal shows: the braille plot, the picture in characters, the progress line.
  public var text: String
  /// The same as a standalone SVG document, when there is one.
  public var svg: String?
  /// A display that later ones with the same id replace: `train`'s progress during an epoch,
  /// and then that epoch's results. Unique for the whole process, so no other cell's is touched.
  public var id: String?

  public init(text: String, svg: String? = nil, id: String? = nil) {
    self.text = text
    self.svg = svg
    self.id = id
  }
}
