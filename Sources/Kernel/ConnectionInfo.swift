// ConnectionInfo.swift — the connection file Jupyter writes before starting a kernel: where
// its five sockets are to be bound, and the key that signs every message.

import Foundation

struct ConnectionInfo {
  let transport: String            // "tcp" or "ipc"
  let ip: String
  let key: String
  let ports: [String: Int]         // "shell_port": 53794, …

  init(file path: String) throws(KernelError) {
    guard let data = FileManager.default.contents(atPath: path) else { throw KernelError("cannot read the connection file \(path)") }
    guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
      throw KernelError("the connection file \(path) is not a JSON object")
    }
    transport = object["transport"] as? String ?? "tcp"
    guard transport == "tcp" || transport == "ipc" else { throw KernelError("transport '\(transport)' is not supported: tcp or ipc") }
    ip = object["ip"] as? String ?? "127.0.0.1"
    key = object["key"] as? String ?? ""
    let scheme = object["signature_scheme"] as? String ?? "hmac-sha256"
    guard scheme == "hmac-sha256" || key.isEmpty else { throw KernelError("signature scheme '\(scheme)' is not supported: hmac-sha256") }
    var ports: [String: Int] = [:]
    for name in ["shell_port", "iopub_port", "stdin_port", "control_port", "hb_port"] {
      guard let port = (object[name] as? NSNumber)?.intValue, port > 0 else {
        throw KernelError("the connection file has no \(name)")
      }
      ports[name] = port
    }
    self.ports = ports
  }

  /// "tcp://127.0.0.1:53794"; for ipc, jupyter_client's "ipc://IP-PORT" (IP is a path prefix there).
  func endpoint(_ name: String) -> String {
    let port = ports[name]!
    return transport == "ipc" ? "ipc://\(ip)-\(port)" : "tcp://\(ip):\(port)"
  }
}
