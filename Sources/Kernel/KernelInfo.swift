// KernelInfo.swift — what `kernel_info_reply` says about gashell: its language, how its files
// are named, a banner, and where to read more.

enum KernelInfo {
  static let protocolVersion = "5.3"

  static var languageInfo: [String: Any] { [
    "name": "gashell", "version": version, "mimetype": "text/x-gashell", "file_extension": ".ga",
    // Commands, # comments and quoted names read like a shell's: the closest highlighting there is.
    "codemirror_mode": "shell", "pygments_lexer": "bash",
  ] }

  /// As `gashell --version` says.
  static let version = "0.1.0"

  static var content: [String: Any] { [
    "status": "ok", "protocol_version": protocolVersion, "implementation": "gashell",
    "implementation_version": version, "language_info": languageInfo,
    "banner": "gashell \(version) — gradient accumulation, one command at a time. "
      + "A cell is a script: its lines run in order and the first error stops it. `help` lists the commands.",
    "help_links": [
      ["text": "The PyTorch tutorial gashell follows",
       "url": "https://pytorch.org/tutorials/beginner/basics/optimization_tutorial.html"],
    ],
  ] }
}
