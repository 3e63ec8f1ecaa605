// TranscriptCheck.swift — replays a transcript against a fresh session: what
// `gashell --check` and the test suite both use.

import Engine
import Foundation

public enum TranscriptCheck {
  /// Replays `text` in a new session; the result has the diff and the re-recorded text.
  /// A `save` to `protecting` (the file being checked, under any spelling of its name) is not run:
  /// it would overwrite the transcript mid-check. It prints one error line instead, so the check
  /// fails there rather than passing over a file it has just rewritten.
  public static func replay(_ text: String, name: String, protecting file: String? = nil) -> TranscriptReplay.Result {
    var buffer = ""
    let session = Session(output: { buffer += $0 })
    return TranscriptReplay.replay(Transcript.parse(text), source: name) { line in
      buffer = ""
      if let file, let saved = Command.fileSaved(by: line), Command.sameFile(saved, file) {
        buffer = ShellError("not replayed: it would overwrite \(saved), the transcript being checked").description + "\n"
      } else {
        session.executeReportingErrors(line)
      }
      return (buffer, session.prompt)
    }
  }

  /// Checks the file at `path`; with `record`, rewrites it with what was printed.
  public static func check(path: String, record: Bool) throws -> TranscriptReplay.Result {
    let text = try String(contentsOfFile: path, encoding: .utf8)
    let result = replay(text, name: path, protecting: path)
    if record && result.recorded != text {
      // Through a symbolic link, as `save` writes; a FileError says which file and why.
      do { try AtomicFile.write(result.recorded, to: path) } catch { throw ShellError("\(error)") }
    }
    return result
  }
}
