// CrashNote.swift — what a fuzzer is trying, kept where a signal handler can print it: a trap in
// the code under test kills the whole test process, and the seed and the mutation (or command
// line) are what reproduces it. Shared by the fuzzers of the engine, the datasets and the shell.

#if canImport(Glibc)
import Glibc
#endif

/// The handler prints the note, puts back the handler that was there before (Swift's backtracer)
/// and lets the fault happen again.
public enum CrashNote {
  nonisolated(unsafe) private static var note = UnsafeMutablePointer<CChar>.allocate(capacity: 16_384)
  nonisolated(unsafe) private static var length = 0
  nonisolated(unsafe) private static var previous = UnsafeMutablePointer<sigaction>.allocate(capacity: 32)
  private static let installed: Void = {
    for sig in [SIGILL, SIGTRAP, SIGSEGV, SIGBUS, SIGFPE, SIGABRT] {
      var action = sigaction()
      action.__sigaction_handler.sa_handler = { sig in
        _ = Glibc.write(2, CrashNote.note, CrashNote.length)
        sigaction(sig, CrashNote.previous + Int(sig), nil)
        if sig == SIGABRT || sig == SIGTRAP { raise(sig) }   // a fault comes back by itself when the handler returns
      }
      sigemptyset(&action.sa_mask)
      sigaction(sig, &action, previous + Int(sig))
    }
  }()

  /// Keeps `text` (its first 16 KB) to be printed if the process traps; "" between attempts.
  public static func set(_ text: String) {
    _ = installed
    let bytes = Array(text.utf8.prefix(16_383))
    length = 0
    bytes.withUnsafeBytes { b in if let base = b.baseAddress { _ = memcpy(note, base, b.count) } }
    length = bytes.count
  }
}
