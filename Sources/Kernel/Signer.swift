// Signer.swift — HMAC-SHA256 over a message's four JSON frames, as the Jupyter wire protocol
// signs them, from OpenSSL's libcrypto (one HMAC call; swift-crypto would add a minute or more
// to every clean build for it).

import CCrypto

public struct Signer: Sendable {
  private let key: [UInt8]

  /// `key` from the connection file; an empty key means messages are not signed.
  public init(key: String) { self.key = Array(key.utf8) }

  /// The hex digest of `parts` (header, parent header, metadata, content), or "" without a key.
  public func signature(_ parts: [[UInt8]]) -> String {
    guard !key.isEmpty else { return "" }
    let data = parts.flatMap { $0 }
    var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
    var length: UInt32 = 0
    key.withUnsafeBytes { k in
      data.withUnsafeBytes { d in
        _ = HMAC(EVP_sha256(), k.baseAddress, Int32(k.count), d.baseAddress?.assumingMemoryBound(to: UInt8.self),
                 d.count, &digest, &length)
      }
    }
    return digest.prefix(Int(length)).map { byte in
      let hex = Array("0123456789abcdef")
      return String([hex[Int(byte >> 4)], hex[Int(byte & 15)]])
    }.joined()
  }

  /// Whether `signature` is the one `parts` should carry, compared in constant time so a
  /// forger learns nothing from how long a wrong guess took.
  public func verifies(_ signature: [UInt8], _ parts: [[UInt8]]) -> Bool {
    let expected = Array(self.signature(parts).utf8)
    guard signature.count == expected.count else { return false }
    if expected.isEmpty { return true }
    return CRYPTO_memcmp(signature, expected, expected.count) == 0
  }
}
