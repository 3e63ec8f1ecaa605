// Interrupt.swift — Ctrl-C as a flag: the SIGINT handler only sets it; the prompt and the
// training loops poll it.

import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Set by the SIGINT handler; a global `let`, so the capture-free handler can reach it.
private let interruptRequested = Atomic<Bool>(false)

/// Ctrl-C, polled. Long commands check `requested` once per micro-batch and stop cleanly;
/// at the prompt `LineEditor` turns it into `.interrupted`.
public enum Interrupt {
  /// Installs the SIGINT handler (idempotent). Flags 0, no `SA_RESTART`: a blocked `read`
  /// returns `EINTR`, which is how `readline()` and `getline()` notice Ctrl-C. Must run
  /// before the first `readline()`: libedit saves this handler and passes SIGINT on to it.
  public static func install() {
    var action = sigaction()
    action.__sigaction_handler.sa_handler = { _ in
      interruptRequested.store(true, ordering: .relaxed)
    }
    sigemptyset(&action.sa_mask)
    action.sa_flags = 0
    sigaction(SIGINT, &action, nil)
  }

  /// True once Ctrl-C was pressed since the last `clear()`.
  public static var requested: Bool { interruptRequested.load(ordering: .relaxed) }

  /// Forgets a pending Ctrl-C; call before starting a command.
  public static func clear() { interruptRequested.store(false, ordering: .relaxed) }

  /// Sets the flag as Ctrl-C would (for tests and for commands that stop themselves).
  public static func request() { interruptRequested.store(true, ordering: .relaxed) }
}
