// Publisher.swift — the iopub socket, where everything a request causes is broadcast: status,
// streams, displays, errors. The shell thread and the control thread both publish, so the
// socket is behind a lock.

import CZeroMQ
import Synchronization

final class Publisher: Sendable {
  private let socket: Mutex<Socket?>
  let session: String
  let signer: Signer

  init(_ socket: Socket, session: String, signer: Signer) {
    self.socket = Mutex(socket)
    self.session = session
    self.signer = signer
  }

  func publish(_ type: String, _ content: [String: Any], parent: Message?) {
    var message = Message(type, session: session, parent: parent, content: content)
    message.identities = [Array("kernel.\(session).\(type)".utf8)]   // the topic, as ipykernel names it
    let frames = message.frames(signer: signer)
    socket.withLock { $0?.send(frames) }
  }

  /// `busy` before a request is handled, `idle` after; `starting` once.
  func status(_ state: String, parent: Message?) {
    publish("status", ["execution_state": state], parent: parent)
  }

  /// Closes the socket; later publications are dropped.
  func close() {
    socket.withLock { s in s?.close(); s = nil }
  }

  /// Answers `request` on `socket` (shell or control), to the peer that sent it.
  func reply(_ request: Message, on socket: Socket, _ type: String, _ content: [String: Any]) {
    var reply = Message(type, session: session, parent: request, content: content)
    reply.identities = request.identities
    socket.send(reply.frames(signer: signer))
  }
}
