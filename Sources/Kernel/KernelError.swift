// KernelError.swift — why the kernel cannot start or install: one line for the person who ran it.

public struct KernelError: Error, CustomStringConvertible {
  public let message: String
  init(_ message: String) { self.message = message }
  public var description: String { message }
}
