// ResidentMemory.swift — the process's resident memory as Linux counts it, to measure what
// training really holds beside what the memory report accounts: VmRSS now, VmHWM (the peak)
// since start or since it was reset (writing "5" to /proc/self/clear_refs sets it back to the
// current RSS), and glibc's malloc_trim, which hands freed memory back first.

import Foundation
#if canImport(Glibc)
import Glibc
#endif

public enum ResidentMemory {
  /// VmHWM from /proc/self/status in KiB: the peak since start or since `resetPeak()`.
  public static var peakKiB: Int? { statusField("VmHWM") }

  /// VmRSS: the resident set now, in KiB.
  public static var residentKiB: Int? { statusField("VmRSS") }

  /// Sets VmHWM back to the current RSS. Returns false where the kernel does not allow it.
  @discardableResult
  public static func resetPeak() -> Bool {
    guard let file = fopen("/proc/self/clear_refs", "w") else { return false }
    let ok = fputs("5", file) >= 0
    return fclose(file) == 0 && ok
  }

  /// Returns the memory malloc holds free to the system, so that what is allocated next shows in
  /// the RSS instead of reusing pages it already counts. (glibc's malloc_trim, which Swift's
  /// Glibc module does not show: found by name.)
  public static func trim() {
    if let trim = dlsym(nil, "malloc_trim") {
      _ = unsafeBitCast(trim, to: (@convention(c) (Int) -> Int32).self)(0)
    }
  }

  private static func statusField(_ name: String) -> Int? {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
    for line in status.split(separator: "\n") where line.hasPrefix(name + ":") {
      return Int(line.dropFirst(name.count + 1).split(whereSeparator: \.isWhitespace).first ?? "")
    }
    return nil
  }
}
