// Kernel.swift — gashell as a Jupyter kernel: the five sockets of the connection file, a
// thread each for the heartbeat and the control channel (so both answer while a cell trains),
// and the shell channel on the calling thread, running every cell in one Session.

import CZeroMQ
import Foundation
import LineEditing
import Shell
import Synchronization

/// Set by a shutdown request (on either channel), `quit`, or SIGTERM: the loops end.
private let stopping = Atomic<Bool>(false)

public final class Kernel {
  let session: Session
  let publisher: Publisher
  let shell: Socket
  let stdin: Socket
  /// Cells run with `store_history`, as In[n] numbers them.
  var executionCount = 0

  private init(session: Session, publisher: Publisher, shell: Socket, stdin: Socket) {
    self.session = session
    self.publisher = publisher
    self.shell = shell
    self.stdin = stdin
  }

  /// Serves the kernel described by `connectionFile` until it is shut down.
  public static func run(connectionFile: String) throws(KernelError) {
    let connection = try ConnectionInfo(file: connectionFile)
    let signer = Signer(key: connection.key)
    let context = try Context()
    let shell = try Socket(context, ZMQ_ROUTER, bindingTo: connection.endpoint("shell_port"))
    let control = try Socket(context, ZMQ_ROUTER, bindingTo: connection.endpoint("control_port"))
    let stdin = try Socket(context, ZMQ_ROUTER, bindingTo: connection.endpoint("stdin_port"))
    let iopub = try Socket(context, ZMQ_PUB, bindingTo: connection.endpoint("iopub_port"))
    let heartbeat = try Socket(context, ZMQ_REP, bindingTo: connection.endpoint("hb_port"))
    let publisher = Publisher(iopub, session: UUID().uuidString.lowercased(), signer: signer)

    // interrupt_mode "signal" sends SIGINT, which sets the flag an interrupt_request sets.
    Interrupt.install()
    let heartbeatThread = Thread { heartbeat.echoForever(); heartbeat.close() }
    heartbeatThread.name = "heartbeat"
    heartbeatThread.start()
    let controlThread = Thread { serveControl(control, publisher) }
    controlThread.name = "control"
    controlThread.start()

    let kernel = Kernel(session: Session(), publisher: publisher, shell: shell, stdin: stdin)
    kernel.configureSession()
    publisher.status("starting", parent: nil)
    kernel.serveShell()

    shell.close()
    stdin.close()
    publisher.close()
    context.terminate()   // the heartbeat's blocked receive returns, the control loop has ended
  }

  private func configureSession() {
    session.isInterrupted = { Interrupt.requested }
    session.showsProgress = false   // no terminal: progress comes as an updated display instead
  }

  /// The shell channel: one request at a time, each between `busy` and `idle`.
  private func serveShell() {
    while !Kernel.isStopping {
      guard shell.waitForInput(milliseconds: 100), let frames = shell.receive() else { continue }
      handleShell(frames)
    }
  }

  static var isStopping: Bool { stopping.load(ordering: .relaxed) || Interrupt.termination != nil }

  static func stop() {
    stopping.store(true, ordering: .relaxed)
    Interrupt.request()   // a cell still training stops at its next micro-batch
  }

  func handleShell(_ frames: [[UInt8]]) {
    guard let request = Kernel.parse(frames, publisher.signer, channel: "shell") else { return }
    publisher.status("busy", parent: request)
    defer { publisher.status("idle", parent: request) }
    switch request.type {
    case "kernel_info_request": reply(request, "kernel_info_reply", KernelInfo.content)
    case "execute_request": execute(request)
    case "complete_request": complete(request)
    case "inspect_request": inspect(request)
    case "is_complete_request": isComplete(request)
    case "history_request": reply(request, "history_reply", ["status": "ok", "history": [Any]()])
    case "comm_info_request": reply(request, "comm_info_reply", ["status": "ok", "comms": [String: Any]()])
    case "shutdown_request":
      reply(request, "shutdown_reply", ["status": "ok", "restart": request.content["restart"] as? Bool ?? false])
      Kernel.stop()
    default: Kernel.log("ignored a shell message of unknown type '\(request.type)'")
    }
  }

  func reply(_ request: Message, _ type: String, _ content: [String: Any]) {
    publisher.reply(request, on: shell, type, content)
  }

  /// A received message, or nil after one line on stderr saying why it is ignored (ipykernel
  /// drops bad messages the same way: a reply could not be trusted to reach anyone).
  static func parse(_ frames: [[UInt8]], _ signer: Signer, channel: String) -> Message? {
    do { return try Message(frames: frames, signer: signer) } catch {
      log("ignored a \(channel) message: \(error)")
      return nil
    }
  }

  static func log(_ line: String) {
    FileHandle.standardError.write(Data("gashell kernel: \(line)\n".utf8))
  }
}

/// The control channel, on its own thread: a shutdown or an interrupt is heard while the shell
/// thread is busy in a cell.
private func serveControl(_ control: Socket, _ publisher: Publisher) {
  defer { control.close() }
  while !Kernel.isStopping {
    guard control.waitForInput(milliseconds: 100), let frames = control.receive(),
          let request = Kernel.parse(frames, publisher.signer, channel: "control") else { continue }
    publisher.status("busy", parent: request)
    switch request.type {
    case "shutdown_request":
      publisher.reply(request, on: control, "shutdown_reply",
                      ["status": "ok", "restart": request.content["restart"] as? Bool ?? false])
      Kernel.stop()
    case "interrupt_request":
      Interrupt.request()   // what Ctrl-C does: `train` stops at the next micro-batch, the cell ends there
      publisher.reply(request, on: control, "interrupt_reply", ["status": "ok"])
    case "kernel_info_request":
      publisher.reply(request, on: control, "kernel_info_reply", KernelInfo.content)
    default:
      Kernel.log("ignored a control message of unknown type '\(request.type)'")
    }
    publisher.status("idle", parent: request)
  }
}
