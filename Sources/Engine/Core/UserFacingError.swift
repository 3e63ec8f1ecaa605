// UserFacingError.swift — errors already phrased for the person at the prompt: the shell
// prints their message as it is, instead of wrapping each one where it is caught.

public protocol UserFacingError: Error {
  /// One line a learner can act on (without the "error: " the shell puts in front).
  var userMessage: String { get }
}

extension UserFacingError where Self: CustomStringConvertible {
  public var userMessage: String { description }
}

extension CheckpointError: UserFacingError {}
extension OptimizerStateError: UserFacingError {}
extension FileError: UserFacingError {}
extension SafeTensorsError: UserFacingError {}
extension ScheduleError: UserFacingError {}
