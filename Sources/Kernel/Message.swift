// Message.swift — a Jupyter message and its wire form (protocol 5.3): routing identities,
// the `<IDS|MSG>` delimiter, the signature, then header, parent header, metadata and content
// as JSON, then any binary buffers.

import Foundation

public struct Message {
  public var identities: [[UInt8]] = []
  public var header: [String: Any]
  public var parentHeader: [String: Any] = [:]
  public var metadata: [String: Any] = [:]
  public var content: [String: Any] = [:]
  public var buffers: [[UInt8]] = []

  public var type: String { header["msg_type"] as? String ?? "" }

  static let delimiter = Array("<IDS|MSG>".utf8)

  /// A new message of `type` from the kernel's `session`, in answer to (or caused by) `parent`.
  public init(_ type: String, session: String, parent: Message?, content: [String: Any]) {
    header = [
      "msg_id": UUID().uuidString.lowercased(), "session": session, "username": "gashell",
      "date": Message.timestamp(), "msg_type": type, "version": "5.3",
    ]
    parentHeader = parent?.header ?? [:]
    self.content = content
  }

  /// Reads the frames of a received message; refuses a bad signature or JSON that is not an object.
  public init(frames: [[UInt8]], signer: Signer) throws(KernelError) {
    guard let split = frames.firstIndex(of: Message.delimiter) else { throw KernelError("no <IDS|MSG> delimiter") }
    let parts = Array(frames[(split + 1)...])
    guard parts.count >= 5 else { throw KernelError("\(parts.count) frames after the delimiter, 5 expected") }
    let signed = Array(parts[1...4])
    guard signer.verifies(parts[0], signed) else { throw KernelError("bad signature") }
    func object(_ frame: [UInt8], _ what: String) throws(KernelError) -> [String: Any] {
      guard let value = try? JSONSerialization.jsonObject(with: Data(frame)), let dictionary = value as? [String: Any] else {
        throw KernelError("the \(what) is not a JSON object")
      }
      return dictionary
    }
    identities = Array(frames[..<split])
    header = try object(signed[0], "header")
    parentHeader = try object(signed[1], "parent header")
    metadata = try object(signed[2], "metadata")
    content = try object(signed[3], "content")
    buffers = Array(parts.dropFirst(5))
    guard header["msg_type"] is String else { throw KernelError("the header has no msg_type") }
  }

  /// The frames to send, signed.
  public func frames(signer: Signer) -> [[UInt8]] {
    let signed = [header, parentHeader, metadata, content].map(Message.json)
    return identities + [Message.delimiter, Array(signer.signature(signed).utf8)] + signed + buffers
  }

  static func json(_ object: [String: Any]) -> [UInt8] {
    // Only strings, numbers, booleans, arrays and dictionaries go in: serialization cannot fail.
    let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
    return Array(data)
  }

  /// ISO 8601 with microseconds and Z, as jupyter_client writes its dates.
  static func timestamp() -> String {
    var t = timespec()
    clock_gettime(CLOCK_REALTIME, &t)
    var time = t.tv_sec, parts = tm()
    gmtime_r(&time, &parts)
    return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday,
                  parts.tm_hour, parts.tm_min, parts.tm_sec, Int(t.tv_nsec / 1000))
  }
}
