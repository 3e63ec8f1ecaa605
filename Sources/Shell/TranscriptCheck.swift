// TranscriptCheck.swift — replays a transcript against a fresh session: what
// `gashell --check` and the test suite both use.

import Foundation

public enum TranscriptCheck {
  /// Replays `text` in a new session; the result has the diff and the re-recorded text.
  public static func replay(_ text: String, name: String) -> TranscriptReplay.Result {
    var buffer = ""
    let session = Session(output: { buffer += $0 })
    return TranscriptReplay.replay(Transcript.parse(text), source: name) { line in
      buffer = ""
      session.executeReportingErrors(line)
      return (buffer, session.prompt)
    }
  }

  /// Checks the file at `path`; with `record`, rewrites it with what was printed.
  public static func check(path: String, record: Bool) throws -> TranscriptReplay.Result {
    let text = try String(contentsOfFile: path, encoding: .utf8)
    let result = replay(text, name: path)
    if record && result.recorded != text {
      try result.recorded.write(toFile: path, atomically: true, encoding: .utf8)
    }
    return result
  }
}
