// CellOutput.swift — what a cell prints and shows, as iopub messages in the order it happened:
// text as `stdout` streams, plots and pictures as `display_data`, and `train`'s progress as
// one display per epoch, updated in place (`update_display_data`) until it holds the results.

import Dispatch
import Shell

final class CellOutput {
  private let publisher: Publisher
  private let parent: Message
  /// `silent` execution broadcasts nothing.
  private let silent: Bool
  private var pending = ""
  private var shownIDs: Set<String> = []
  private var lastFlush = DispatchTime.now().uptimeNanoseconds

  init(_ publisher: Publisher, parent: Message, silent: Bool) {
    self.publisher = publisher
    self.parent = parent
    self.silent = silent
  }

  /// Whole lines go out at most every 50 ms: a command's lines in one message, yet a long
  /// `train` is seen as it runs (the rest goes when the command ends, or before a display).
  func write(_ text: String) {
    guard !silent else { return }
    pending += text
    if pending.hasSuffix("\n") && Double(DispatchTime.now().uptimeNanoseconds - lastFlush) > 50e6 { flush() }
  }

  func flush() {
    lastFlush = DispatchTime.now().uptimeNanoseconds
    guard !pending.isEmpty else { return }
    publisher.publish("stream", ["name": "stdout", "text": pending], parent: parent)
    pending = ""
  }

  func show(_ display: Display) {
    guard !silent else { return }
    flush()   // what was printed before it stays before it
    var data: [String: Any] = ["text/plain": display.text]
    if let svg = display.svg { data["image/svg+xml"] = svg }
    var content: [String: Any] = ["data": data, "metadata": [String: Any]()]
    guard let id = display.id else {
      publisher.publish("display_data", content, parent: parent)
      return
    }
    content["transient"] = ["display_id": id]
    publisher.publish(shownIDs.insert(id).inserted ? "display_data" : "update_display_data", content, parent: parent)
  }
}
