// PeakMemory.swift — peak resident memory: getrusage's ru_maxrss for the whole process,
// /proc/self/status's VmHWM for a stretch of it (writing "5" to /proc/self/clear_refs
// resets VmHWM to the current RSS), and child processes of this very executable so
// that each configuration has a peak of its own.

import Engine
import Foundation
#if canImport(Glibc)
import Glibc
#endif

enum PeakMemory {
  /// ru_maxrss: the process's peak resident set since it started, in KiB (Linux's unit).
  static var maxRSSKiB: Int {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    return usage.ru_maxrss
  }

  /// VmHWM in KiB: the peak since start or since `resetHighWaterMark()`.
  static var highWaterMarkKiB: Int? { ResidentMemory.peakKiB }

  /// VmRSS: the resident set now, in KiB.
  static var residentKiB: Int? { ResidentMemory.residentKiB }

  /// Sets VmHWM back to the current RSS. Returns false where the kernel does not allow it.
  @discardableResult
  static func resetHighWaterMark() -> Bool { ResidentMemory.resetPeak() }
}

/// What one child process reports about its training run, in KiB. (Not ru_maxrss: Linux
/// carries it across execve, so a child would report its parent's peak.)
struct ChildPeak {
  /// VmHWM before training: the peak of loading the data.
  let loadingKiB: Int
  /// VmRSS once the data was loaded, before training.
  let loadedKiB: Int
  /// VmHWM over the training alone (reset after loading).
  let trainingKiB: Int

  static let marker = "gabench-peak"
  private static let names = ["loading", "loaded", "training"]

  init(loadingKiB: Int, loadedKiB: Int, trainingKiB: Int) {
    self.loadingKiB = loadingKiB
    self.loadedKiB = loadedKiB
    self.trainingKiB = trainingKiB
  }

  /// The one line a child prints: `gabench-peak loading=… loaded=… training=…`.
  var line: String {
    Self.marker + zip(Self.names, [loadingKiB, loadedKiB, trainingKiB]).map { " \($0)=\($1)" }.joined()
  }

  /// Parses `line` from a child's output.
  init?(output: String) {
    guard let line = output.split(separator: "\n").last(where: { $0.hasPrefix(Self.marker) }) else { return nil }
    var fields: [String: Int] = [:]
    for pair in line.split(separator: " ").dropFirst() {
      let kv = pair.split(separator: "=")
      if kv.count == 2, let v = Int(kv[1]) { fields[String(kv[0])] = v }
    }
    let values = Self.names.compactMap { fields[$0] }
    guard values.count == 3 else { return nil }
    self.init(loadingKiB: values[0], loadedKiB: values[1], trainingKiB: values[2])
  }

  /// Runs this executable again with `arguments` and reads the peak it prints.
  static func measure(arguments: [String]) throws -> ChildPeak {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executablePath())
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    guard process.terminationStatus == 0, let peak = ChildPeak(output: output) else {
      throw BenchmarkError("child `gabench \(arguments.joined(separator: " "))` failed "
                           + "(status \(process.terminationStatus)):\n\(output)")
    }
    return peak
  }

  /// The running executable's own path, wherever it was started from.
  private static func executablePath() -> String {
    var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
    let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
    return n > 0 ? String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
                 : CommandLine.arguments[0]
  }
}

struct BenchmarkError: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}
