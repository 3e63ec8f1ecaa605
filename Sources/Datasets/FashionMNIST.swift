// FashionMNIST.swift — where Zalando's FashionMNIST lives on this machine, and loading it.

import Foundation

/// FashionMNIST (Xiao, Rasul & Vollgraf 2017): 60,000 training and 10,000 test greyscale
/// images of clothes, 28×28, in ten classes — MNIST's format with a harder task.
public enum FashionMNIST {
  public static let classNames = [
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
  ]

  /// Searched in order when no directory is given and GASHELL_DATA is unset: torchvision's
  /// download folder under the current directory, then Debian's `dataset-fashion-mnist`.
  public static let standardDirectories = ["./data/FashionMNIST/raw", "/usr/share/datasets/fashion-mnist"]

  /// The four files, each stored as is or gzip-compressed (`.gz` appended).
  public static let fileNames = [
    "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte",
  ]

  /// Every image is 28×28: the models take 784 inputs, so other sizes are refused when loading.
  public static let imageRows = 28, imageColumns = 28

  public static let installHint =
    "install it with `sudo apt-get install dataset-fashion-mnist`, or `load fashion from DIR`"

  /// Loads the training and test sets from the first place that has them: `explicit`, else
  /// `$GASHELL_DATA`, else the first of `standardDirectories` holding all four files.
  /// A directory the user named (explicitly or in GASHELL_DATA) that lacks the files is an
  /// error, not a reason to load some other copy.
  public static func load(
    from explicit: String? = nil,
    environment: [String: String] = ProcessInfo.processInfo.environment,
    standardDirectories: [String] = standardDirectories
  ) throws -> (train: LabeledImages, test: LabeledImages, directory: String) {
    let directory = try locate(explicit: explicit, environment: environment,
                               standardDirectories: standardDirectories)
    let (train, test) = try load(directory: directory)
    return (train, test, directory)
  }

  /// The directory `load` reads from, or an error saying where it looked.
  public static func locate(
    explicit: String? = nil,
    environment: [String: String] = ProcessInfo.processInfo.environment,
    standardDirectories: [String] = standardDirectories
  ) throws -> String {
    if let explicit {
      let path = (explicit as NSString).expandingTildeInPath  // `load ~/data` in the REPL has no shell to expand it
      return try checked(path, named: path)
    }
    if let variable = environment["GASHELL_DATA"], !variable.isEmpty {
      return try checked(variable, named: "GASHELL_DATA=\(variable)")
    }
    var looked: [String] = []
    for directory in standardDirectories {
      guard let problem = problem(with: directory) else { return directory }
      // Every error is one line: an absent directory is usual and goes without saying;
      // a present one that fails is a half-done install, worth the detail.
      looked.append(problem == noSuchDirectory ? directory : "\(directory) (\(problem))")
    }
    let places = looked.isEmpty ? "" : " in " + looked.joined(separator: ", ")
    throw DatasetError("FashionMNIST not found\(places) — \(installHint)")
  }

  /// The training and test sets in `directory`, with images and labels checked against each other.
  public static func load(directory: String) throws -> (train: LabeledImages, test: LabeledImages) {
    let paths = try fileNames.map { name in
      guard let path = path(of: name, in: directory) else {
        throw DatasetError(file: directory, "no \(name) or \(name).gz")
      }
      return path
    }
    // Both sets are held to 28×28, so they also agree with each other.
    let train = try labeledImages(images: paths[0], labels: paths[1])
    let test = try labeledImages(images: paths[2], labels: paths[3])
    return (train, test)
  }

  /// One image file and its label file, read and checked against each other.
  static func labeledImages(images imagePath: String, labels labelPath: String) throws -> LabeledImages {
    let images = try IDXFile.images(Gzip.contents(ofFile: imagePath), file: imagePath)
    // A valid IDX file of another size would load and then crash the first forward pass.
    guard (images.rows, images.columns) == (imageRows, imageColumns) else {
      throw DatasetError(file: imagePath, "images are \(images.rows)×\(images.columns), "
                         + "FashionMNIST's are \(imageRows)×\(imageColumns)")
    }
    let labels = try IDXFile.labels(Gzip.contents(ofFile: labelPath), file: labelPath)
    guard images.count == labels.count else {
      throw DatasetError(file: labelPath, "\(labels.count) labels, but \(imagePath) has \(images.count) images")
    }
    guard images.count > 0 else { throw DatasetError(file: imagePath, "holds no images") }
    // The loss indexes the model's outputs by label: an out-of-range one must stop here.
    if let bad = labels.firstIndex(where: { Int($0) >= classNames.count }) {
      throw DatasetError(file: labelPath, "label \(labels[bad]) of image \(bad) is not a class 0…\(classNames.count - 1)")
    }
    return LabeledImages(pixels: images.pixels, labels: labels, rows: images.rows, columns: images.columns)
  }

  /// The file for `name` in `directory`: uncompressed when both exist, as it reads faster.
  static func path(of name: String, in directory: String) -> String? {
    let base = (directory as NSString).appendingPathComponent(name)
    return [base, base + ".gz"].first { FileManager.default.fileExists(atPath: $0) }
  }

  /// Why `directory` cannot be loaded from, or nil if it has all four files.
  static func problem(with directory: String) -> String? {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) else { return noSuchDirectory }
    guard isDirectory.boolValue else { return "not a directory" }
    let missing = fileNames.filter { path(of: $0, in: directory) == nil }
    return missing.isEmpty ? nil : "missing " + missing.map { "\($0)[.gz]" }.joined(separator: ", ")
  }

  private static let noSuchDirectory = "no such directory"

  private static func checked(_ directory: String, named name: String) throws -> String {
    guard let problem = problem(with: directory) else { return directory }
    throw DatasetError(file: name, "\(problem); not looking anywhere else")
  }
}
