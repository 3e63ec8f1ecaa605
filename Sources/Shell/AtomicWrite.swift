// AtomicWrite.swift — text files (plots, notebooks, transcripts) written whole or not at all.
//
// Engine's AtomicFile does the writing (a temporary file beside the target, O_EXCL, written,
// fsync'd, renamed over it; a symbolic link followed, a fifo or device refused); the shell only
// turns its error into one line a learner can act on.

import Engine

/// Writes `text` as UTF-8 to `path` through a temporary file and a rename: a reader sees
/// the old file or the new one, never half of one. `hint` follows a failure the system reported;
/// a refusal (the path is a fifo, say) already says what is wrong and gets none.
func writeAtomically(_ text: String, to path: String, shownAs name: String, hint: String = "") throws {
  do {
    try AtomicFile.write(text, to: path)
  } catch let error as FileError {
    // The system's reason, and the directory it concerns: "cannot create a temporary file in /x: …".
    throw ShellError("cannot write \(name): \(error.reason)" + (error.code == nil ? "" : hint))
  }
}
