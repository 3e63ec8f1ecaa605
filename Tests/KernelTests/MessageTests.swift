// MessageTests.swift — the wire form of a Jupyter message: frames, signature, refusals.

import Foundation
import Testing
@testable import Kernel

@Suite struct MessageTests {
  let signer = Signer(key: "a0436f6c-1916-498b-8eb9-e81ab9368e84")

  /// HMAC-SHA256 of "The quick brown fox jumps over the lazy dog" under key "key" (RFC 4231 style
  /// reference value, as Wikipedia and every HMAC library quote it).
  @Test func signsAsHMACSHA256() {
    let s = Signer(key: "key").signature([Array("The quick brown fox ".utf8), Array("jumps over the lazy dog".utf8)])
    #expect(s == "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8")
  }

  @Test func roundTripsThroughFrames() throws {
    var m = Message("execute_request", session: "s", parent: nil, content: ["code": "help", "silent": false])
    m.identities = [Array("peer".utf8)]
    let back = try Message(frames: m.frames(signer: signer), signer: signer)
    #expect(back.type == "execute_request")
    #expect(back.identities == [Array("peer".utf8)])
    #expect(back.content["code"] as? String == "help")
    #expect(back.content["silent"] as? Bool == false)
  }

  @Test func refusesABadSignatureAndMalformedFrames() {
    let m = Message("kernel_info_request", session: "s", parent: nil, content: [:])
    var frames = m.frames(signer: signer)
    #expect(throws: KernelError.self) { try Message(frames: frames, signer: Signer(key: "another key")) }
    // [delimiter, signature, header, parent header, metadata, content]: a parent header that is
    // not JSON, re-signed so that only the JSON is wrong.
    frames[3] = Array("{not json".utf8)
    frames[1] = Array(signer.signature(Array(frames[2...5])).utf8)
    #expect(throws: KernelError.self) { try Message(frames: frames, signer: signer) }
    #expect(throws: KernelError.self) { try Message(frames: [Array("no delimiter".utf8)], signer: signer) }
    #expect(throws: KernelError.self) { try Message(frames: Array(frames.prefix(4)), signer: signer) }
  }
}
