// KernelSpec.swift — `gashell kernel install` and `uninstall`: the kernelspec folder `gashell`
// (kernel.json and a logo) where `jupyter kernelspec list` looks for kernels.

import Engine
import Foundation

public enum KernelSpec {
  public static let name = "gashell"
  /// "message": the control channel's interrupt_request, heard by the control thread on every
  /// platform. SIGINT works too (`signal`): both set the flag `train` polls.
  static let interruptMode = "message"

  /// Where the kernelspec goes, as `jupyter kernelspec install` names the places.
  public enum Location: Sendable {
    /// The user's Jupyter data folder: $JUPYTER_DATA_DIR, else $XDG_DATA_HOME/jupyter or ~/.local/share/jupyter.
    case user
    /// The active virtual environment ($VIRTUAL_ENV, or $CONDA_PREFIX): PREFIX/share/jupyter.
    case sysPrefix
    /// DIR/share/jupyter, e.g. a venv's folder.
    case prefix(String)
  }

  /// The folder `kernels/gashell` for `location`.
  public static func directory(_ location: Location) throws(KernelError) -> String {
    let environment = ProcessInfo.processInfo.environment
    let data: String
    switch location {
    case .user:
      if let d = environment["JUPYTER_DATA_DIR"], !d.isEmpty {
        data = d
      } else if let x = environment["XDG_DATA_HOME"], !x.isEmpty {
        data = x + "/jupyter"
      } else {
        data = NSHomeDirectory() + "/.local/share/jupyter"
      }
    case .sysPrefix:
      guard let prefix = environment["VIRTUAL_ENV"] ?? environment["CONDA_PREFIX"], !prefix.isEmpty else {
        throw KernelError("--sys-prefix needs an active virtual environment ($VIRTUAL_ENV); `--prefix DIR` names one")
      }
      data = prefix + "/share/jupyter"
    case .prefix(let dir):
      data = absolute(dir) + "/share/jupyter"
    }
    return data + "/kernels/" + name
  }

  /// kernel.json for `executable`: Jupyter starts `gashell kernel -f CONNECTION_FILE`.
  static func json(executable: String) -> String {
    let spec: [String: Any] = [
      "argv": [executable, "kernel", "-f", "{connection_file}"],
      "display_name": "gashell", "language": "gashell", "interrupt_mode": interruptMode,
      "metadata": ["debugger": false],
    ]
    let data = try! JSONSerialization.data(withJSONObject: spec, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    return String(decoding: data, as: UTF8.self) + "\n"
  }

  /// Writes the kernelspec for this executable; returns its folder.
  public static func install(_ location: Location) throws(KernelError) -> String {
    let folder = try directory(location)
    do {
      try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
      try AtomicFile.write(json(executable: executablePath), to: folder + "/kernel.json")
      try AtomicFile.write(logo, to: folder + "/logo-svg.svg")
    } catch {
      throw KernelError("cannot install the kernelspec in \(folder): \(error)")
    }
    return folder
  }

  /// Removes the kernelspec folder; returns it, or nil when there was none.
  public static func uninstall(_ location: Location) throws(KernelError) -> String? {
    let folder = try directory(location)
    guard FileManager.default.fileExists(atPath: folder + "/kernel.json") else { return nil }
    do { try FileManager.default.removeItem(atPath: folder) } catch {
      throw KernelError("cannot remove \(folder): \(error.localizedDescription)")
    }
    return folder
  }

  /// This gashell's absolute path, so the kernelspec works from any folder and any $PATH.
  static var executablePath: String {
    if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return path }
    return absolute(CommandLine.arguments[0])
  }

  private static func absolute(_ path: String) -> String {
    let expanded = (path as NSString).expandingTildeInPath
    let full = expanded.hasPrefix("/") ? expanded : FileManager.default.currentDirectoryPath + "/" + expanded
    return (full as NSString).standardizingPath
  }

  /// The launcher's icon: the saw-tooth of ‖g‖ under accumulation (it climbs, then a step zeroes it).
  static let logo = """
    <svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">
    <rect width="64" height="64" rx="10" fill="#1f3a5f"/>
    <polyline points="6,52 14,40 22,28 30,16 30,52 38,40 46,28 54,16 54,52" fill="none" stroke="#f5b041"
      stroke-width="4" stroke-linejoin="round"/>
    </svg>

    """
}
