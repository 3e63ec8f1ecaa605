// Kernel+Requests.swift — the shell channel's requests: a cell to execute, and the
// completion, inspection and is-complete questions a notebook asks as you type.

import Foundation
import LineEditing
import Shell

extension Kernel {
  /// A cell is a script: its lines run in order, `#` lines are comments, and the first error
  /// (or an interrupt) stops it as an `error` reply; the session goes on with the next cell.
  func execute(_ request: Message) {
    let content = request.content
    let code = content["code"] as? String ?? ""
    let silent = content["silent"] as? Bool ?? false
    let storeHistory = !silent && (content["store_history"] as? Bool ?? true)
    if storeHistory { executionCount += 1 }
    if !silent { publisher.publish("execute_input", ["code": code, "execution_count": executionCount], parent: request) }

    let output = CellOutput(publisher, parent: request, silent: silent)
    session.output = output.write
    session.display = output.show
    Interrupt.clear()   // an interrupt that came while idle is not for this cell
    let stop = Script(name: "cell", text: code).runUntilStopped(in: session, present: false)
    output.flush()
    session.output = { _ in }   // nothing prints between cells; if it did, it would not be this cell's
    session.display = nil
    if session.wantsToQuit { Kernel.stop() }   // `quit` ends the kernel, as `exit` ends IPython's

    guard let stop else {
      reply(request, "execute_reply", ["status": "ok", "execution_count": executionCount,
                                       "user_expressions": [String: Any](), "payload": [Any]()])
      return
    }
    let problem = stop.interrupted ? "interrupted — the cell stops here" : String(stop.message.trimmingPrefix("error: "))
    let error: [String: Any] = [
      "ename": stop.interrupted ? "Interrupted" : "Error", "evalue": problem,
      "traceback": ["line \(stop.line): \(stop.interrupted ? problem : stop.message)"],
    ]
    if !silent { publisher.publish("error", error, parent: request) }
    reply(request, "execute_reply", error.merging(["status": "error", "execution_count": executionCount]) { a, _ in a })
    if content["stop_on_error"] as? Bool ?? true { abortQueuedCells() }
  }

  /// After an error, the cells already sent (Run All) are not run: each is answered `aborted`,
  /// as ipykernel does, so a notebook stops at its first error.
  private func abortQueuedCells() {
    while shell.waitForInput(milliseconds: 0), let frames = shell.receive() {
      guard let request = Kernel.parse(frames, publisher.signer, channel: "shell") else { continue }
      guard request.type == "execute_request" else { handleShell(frames); continue }
      publisher.status("busy", parent: request)
      reply(request, "execute_reply", ["status": "aborted", "execution_count": executionCount])
      publisher.status("idle", parent: request)
    }
  }

  func complete(_ request: Message) {
    let code = request.content["code"] as? String ?? ""
    let cursor = (request.content["cursor_pos"] as? NSNumber)?.intValue ?? code.unicodeScalars.count
    let (matches, start, end) = Introspection.complete(code, cursor: cursor, session: session)
    reply(request, "complete_reply", ["status": "ok", "matches": matches, "cursor_start": start,
                                      "cursor_end": end, "metadata": [String: Any]()])
  }

  func inspect(_ request: Message) {
    let code = request.content["code"] as? String ?? ""
    let cursor = (request.content["cursor_pos"] as? NSNumber)?.intValue ?? code.unicodeScalars.count
    let help = Introspection.inspect(code, cursor: cursor)
    reply(request, "inspect_reply", ["status": "ok", "found": help != nil,
                                     "data": help.map { ["text/plain": $0] } ?? [String: Any](),
                                     "metadata": [String: Any]()])
  }

  func isComplete(_ request: Message) {
    let code = request.content["code"] as? String ?? ""
    reply(request, "is_complete_reply", ["status": Introspection.isComplete(code)])
  }
}
