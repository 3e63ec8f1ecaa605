// ShellError.swift — what a rejected command says: one line, with a hint.

import Engine
import Foundation

/// A command was rejected. Nothing changed; `message` already carries the hint.
public struct ShellError: Error, CustomStringConvertible, Equatable {
  public let message: String
  public init(_ message: String) { self.message = message }
  public var description: String { "error: \(message)" }

  static let noData = ShellError("no data loaded — run `load fashion` first")
  static let noModel = ShellError("no model yet — run `model mlp 512` first")
}

/// So `error.localizedDescription`, as `gashell --check` prints failures, is the message itself.
extension ShellError: LocalizedError {
  public var errorDescription: String? { message }
}

extension ShellError: UserFacingError {
  public var userMessage: String { message }
}
