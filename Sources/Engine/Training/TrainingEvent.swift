// TrainingEvent.swift — what `Trainer.train` reports, in the order it happens: one stream
// that a front end turns into what it prints, plots and records.

public enum TrainingEvent: Sendable {
  /// A window left full by earlier `backward` calls was stepped before any more backward
  /// (the tutorial's loop would have stepped right after the micro-batch that filled it).
  case fullWindowStepped(microBatches: Int, samples: Int)
  /// A micro-batch went forward and backward; the gradients hold it, and no step has zeroed them yet.
  case backward(Trainer.MicroBatch)
  /// The window was full after that micro-batch: the optimizer stepped (and zeroed the gradients).
  case stepped(after: Trainer.MicroBatch)
  /// That micro-batch was its epoch's last.
  case epochEnded(after: Trainer.MicroBatch)
}
