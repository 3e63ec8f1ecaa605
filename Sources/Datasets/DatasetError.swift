// DatasetError.swift — what went wrong reading a data set, in words that name the file.

import Engine

/// An error reading or checking a data set. Its description is the whole message,
/// starting with the file it concerns: `train-labels-idx1-ubyte.gz: truncated gzip data`.
public struct DatasetError: Error, CustomStringConvertible, Equatable {
  public let description: String

  public init(_ description: String) { self.description = description }

  /// `file: problem`
  public init(file: String, _ problem: String) { description = "\(file): \(problem)" }
}

extension DatasetError: UserFacingError {}
