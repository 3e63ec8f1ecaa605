// ErrorMessage.swift — the text of the error a call throws, for tests that compare whole messages.

/// The thrown error's description, or nil if `body` returned.
func message(_ body: () throws -> some Any) -> String? {
  do { _ = try body(); return nil } catch { return "\(error)" }
}
