// AtomicWrite.swift — text files (plots) written whole or not at all.
//
// Engine's AtomicFile is internal to Engine. Foundation's `.atomic` does the same on Linux
// (a temporary file beside the target, O_EXCL, written, fsync'd, renamed over it), so
// the shell uses that and only turns its error into one line a learner can act on.

import Foundation

/// Writes `text` as UTF-8 to `path` through a temporary file and a rename: a reader sees
/// the old file or the new one, never half of one.
func writeAtomically(_ text: String, to path: String, shownAs name: String) throws {
  do {
    try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
  } catch {
    // "The operation could not be completed" says nothing; the system's reason does.
    let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError
    let reason = underlying.map { $0.domain == NSPOSIXErrorDomain ? String(cString: strerror(Int32($0.code))) : $0.localizedDescription }
    throw ShellError("cannot write \(name): \(reason ?? error.localizedDescription)")
  }
}
