// KernelCommand.swift — `gashell kernel -f CONNECTION_FILE` (what Jupyter runs) and
// `gashell kernel install|uninstall [--user | --sys-prefix | --prefix DIR]`.

import ArgumentParser
import Foundation
import Kernel

struct KernelCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "gashell kernel",
    abstract: "Serve gashell as a Jupyter kernel (Jupyter starts this; install it once first).",
    discussion: """
      gashell kernel install --user     then pick "gashell" in JupyterLab or `jupyter console --kernel gashell`
      gashell kernel -f kernel-1.json   what Jupyter runs, with the connection file it wrote
      """,
    subcommands: [Install.self, Uninstall.self])

  @Option(name: .customShort("f"), help: ArgumentHelp("The connection file Jupyter wrote.", valueName: "connection-file"))
  var connectionFile: String?   // optional here, or `kernel install` would need it too

  func run() throws {
    guard let connectionFile else { throw kernelFailure("`gashell kernel` needs -f CONNECTION_FILE (Jupyter passes it); `gashell kernel install` installs the kernel") }
    do { try Kernel.run(connectionFile: connectionFile) } catch { throw kernelFailure(error.message) }
  }

  /// --user (the default), --sys-prefix or --prefix DIR: one of them.
  struct Location: ParsableArguments {
    @Flag(help: "In your Jupyter data folder (~/.local/share/jupyter; the default).")
    var user = false
    @Flag(help: "In the active virtual environment ($VIRTUAL_ENV).")
    var sysPrefix = false
    @Option(help: ArgumentHelp("Under DIR/share/jupyter (a venv's folder, say).", valueName: "DIR"))
    var prefix: String?

    func validate() throws {
      guard [user, sysPrefix, prefix != nil].count(where: { $0 }) <= 1 else {
        throw ValidationError("--user, --sys-prefix and --prefix: one at most")
      }
    }

    var location: KernelSpec.Location { prefix.map { .prefix($0) } ?? (sysPrefix ? .sysPrefix : .user) }
  }

  struct Install: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Write the kernelspec `gashell` where Jupyter finds it.")
    @OptionGroup var where_: Location

    func run() throws {
      do {
        let folder = try KernelSpec.install(where_.location)
        print("installed kernelspec gashell in \(folder)")
      } catch { throw kernelFailure(error.message) }
    }
  }

  struct Uninstall: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Remove the kernelspec `gashell` written by install.")
    @OptionGroup var where_: Location

    func run() throws {
      do {
        if let folder = try KernelSpec.uninstall(where_.location) {
          print("removed kernelspec gashell from \(folder)")
        } else {
          print("no kernelspec gashell in \(try KernelSpec.directory(where_.location))")
        }
      } catch { throw kernelFailure(error.message) }
    }
  }
}

private func kernelFailure(_ message: String) -> ExitCode {
  FileHandle.standardError.write(Data("gashell: \(message)\n".utf8))
  return ExitCode(1)
}
