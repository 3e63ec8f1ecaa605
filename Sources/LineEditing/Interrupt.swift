// Interrupt.swift — Ctrl-C, SIGTERM and SIGHUP as flags: the handlers only set them; the prompt
// and the training loops poll them.

import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Set by the signal handlers; global `let`s, so the capture-free handlers can reach them.
private let interruptRequested = Atomic<Bool>(false)
/// SIGTERM or SIGHUP, once one came (0 before): the session stops as on Ctrl-C, then gashell exits.
private let terminationRequested = Atomic<Int32>(0)

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

    // SIGTERM and SIGHUP (the terminal closed): stop as on Ctrl-C, then leave with 128 + signal,
    // history written and no save cut short (writes are not interrupted: they finish or fail whole).
    action.__sigaction_handler.sa_handler = { signal in
      terminationRequested.store(signal, ordering: .relaxed)
      interruptRequested.store(true, ordering: .relaxed)
    }
    sigaction(SIGTERM, &action, nil)
    sigaction(SIGHUP, &action, nil)
    // A closed pipe (`gashell … | head -1`) is an error from write(2), handled where we write,
    // instead of a silent death with status 141.
    signal(SIGPIPE, SIG_IGN)
  }

  /// SIGTERM or SIGHUP, if one came: the caller should wind up and exit with 128 + it.
  public static var termination: Int32? {
    let signal = terminationRequested.load(ordering: .relaxed)
    return signal == 0 ? nil : signal
  }

  /// True once Ctrl-C was pressed since the last `clear()`.
  public static var requested: Bool { interruptRequested.load(ordering: .relaxed) }

  /// Forgets a pending Ctrl-C (never a termination); call before starting a command.
  public static func clear() {
    if termination == nil { interruptRequested.store(false, ordering: .relaxed) }
  }

  /// Sets the flag as Ctrl-C would (for tests and for commands that stop themselves).
  public static func request() { interruptRequested.store(true, ordering: .relaxed) }
}
