// Socket.swift — the few libzmq calls the kernel makes: bind, receive and send multipart
// messages, poll. All of the kernel's pointer code is here.

import CZeroMQ
import Foundation

/// A ZeroMQ context: one per kernel, shared by its sockets (libzmq contexts are thread-safe).
final class Context: @unchecked Sendable {
  let pointer: UnsafeMutableRawPointer

  init() throws(KernelError) {
    guard let p = zmq_ctx_new() else { throw KernelError("cannot create a ZeroMQ context: \(zmqError())") }
    pointer = p
  }

  /// Waits for every socket to be closed and its pending messages sent; blocking calls on
  /// sockets still open return ETERM meanwhile.
  func terminate() {
    while zmq_ctx_term(pointer) != 0 && zmq_errno() == EINTR {}
  }
}

/// One socket. A ZeroMQ socket is not thread-safe: each is used by one thread only, or (iopub)
/// behind a lock.
final class Socket: @unchecked Sendable {
  private let pointer: UnsafeMutableRawPointer
  let endpoint: String

  init(_ context: Context, _ type: Int32, bindingTo endpoint: String) throws(KernelError) {
    guard let p = zmq_socket(context.pointer, type) else { throw KernelError("cannot create a socket: \(zmqError())") }
    pointer = p
    self.endpoint = endpoint
    // Replies still queued at shutdown get a second to leave; then the socket closes anyway.
    var linger: Int32 = 1000
    zmq_setsockopt(p, ZMQ_LINGER, &linger, MemoryLayout<Int32>.size)
    // A ROUTER drops a reply to a peer that is gone instead of blocking on it; that is the default.
    guard zmq_bind(p, endpoint) == 0 else {
      let why = zmqError()
      zmq_close(p)
      throw KernelError("cannot bind \(endpoint): \(why)")
    }
  }

  func close() { zmq_close(pointer) }

  /// The frames of the next message, or nil once the context is terminating.
  func receive() -> [[UInt8]]? {
    var frames: [[UInt8]] = []
    while true {
      var message = zmq_msg_t()
      zmq_msg_init(&message)
      defer { zmq_msg_close(&message) }
      let n = zmq_msg_recv(&message, pointer, 0)
      if n < 0 {
        if zmq_errno() == EINTR { continue }   // a SIGINT (interrupt_mode "signal") while waiting
        return nil
      }
      let size = zmq_msg_size(&message)
      if let data = zmq_msg_data(&message), size > 0 {
        frames.append(Array(UnsafeRawBufferPointer(start: data, count: size)))
      } else {
        frames.append([])
      }
      if zmq_msg_more(&message) == 0 { return frames }
    }
  }

  /// Sends every frame; a frame that cannot be sent (the context is terminating) ends the message.
  func send(_ frames: [[UInt8]]) {
    for (i, frame) in frames.enumerated() {
      let flags = i == frames.count - 1 ? Int32(0) : Int32(ZMQ_SNDMORE)
      var sent: Int32
      repeat {
        sent = frame.withUnsafeBytes { zmq_send(pointer, $0.baseAddress, $0.count, flags) }
      } while sent < 0 && zmq_errno() == EINTR
      if sent < 0 { return }
    }
  }

  /// True when a message can be read within `milliseconds`.
  func waitForInput(milliseconds: Int) -> Bool {
    var item = zmq_pollitem_t(socket: pointer, fd: 0, events: Int16(ZMQ_POLLIN), revents: 0)
    return zmq_poll(&item, 1, milliseconds) > 0 && item.revents & Int16(ZMQ_POLLIN) != 0
  }

  /// Echoes every message (the heartbeat) until the context terminates.
  func echoForever() {
    while let frames = receive() { send(frames) }
  }
}

func zmqError() -> String { String(cString: zmq_strerror(zmq_errno())) }
