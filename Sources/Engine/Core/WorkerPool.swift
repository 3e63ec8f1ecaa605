// WorkerPool.swift — the calling thread plus resident helper threads that run
// one job in parts. OpenBLAS's own threading wakes its threads for every
// product and is slow and erratic on the tutorial's small shapes; here the
// helpers spin briefly between jobs (a micro-batch is a few hundred µs) and
// sleep on a condition variable when the shell is idle.
//
// Parts are claimed, not assigned: the caller runs part 0, then every part no
// helper has claimed yet. On a busy machine a helper the OS has not scheduled
// therefore never holds up a job: the caller does its part and the job runs at
// one thread's speed instead of waiting a scheduler time slice. Which thread
// runs a part never changes what the part computes.

import Synchronization
#if canImport(Glibc)
import Glibc
#endif

public final class WorkerPool: @unchecked Sendable {
  /// Threads taking part in a job, the caller included.
  public let threadCount: Int
  private let crew: Crew
  private var helpers: [pthread_t] = []

  public init(threads: Int) {
    threadCount = max(1, threads)
    crew = Crew(threadCount: threadCount)
    for _ in 1..<threadCount {
      // The helper holds the crew, not the pool: dropping the pool stops its threads.
      let context = Unmanaged.passRetained(crew).toOpaque()
      var thread = pthread_t()
      let rc = pthread_create(&thread, nil, { raw in
        Unmanaged<Crew>.fromOpaque(raw!).takeRetainedValue().helperLoop()
        return nil
      }, context)
      precondition(rc == 0, "pthread_create failed: \(rc)")
      helpers.append(thread)
    }
  }

  deinit {
    crew.stop()
    for t in helpers { pthread_join(t, nil) }
  }

  /// Runs `body(part, parts)` for every part 0..<threadCount, part 0 on the
  /// calling thread, and returns when all parts are done.
  public func run(_ body: (_ part: Int, _ parts: Int) -> Void) {
    if threadCount == 1 { body(0, 1); return }
    crew.run(body)
  }
}

/// What the caller and the helpers share: the posted job and its parts.
private final class Crew: @unchecked Sendable {
  typealias Job = (_ part: Int, _ parts: Int) -> Void
  let threadCount: Int
  private var job: Job?
  /// The posted job's generation and its next unclaimed part in one word
  /// (generation << partBits | part), so that a helper late for one job
  /// cannot claim a part of the next.
  private let ticket = Atomic<Int>(0)
  private static let partBits = 16, partMask = 1 << partBits - 1
  private var generation = 0  // jobs posted so far; only the caller touches it
  /// Parts of the current job that helpers have finished.
  private let finished = Atomic<Int>(0)
  private let stopping = Atomic<Bool>(false)
  private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
  private let wake = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

  /// Spins before a helper sleeps: long enough to bridge the gaps inside a
  /// training step, short enough not to burn a core while the user types.
  private static let spinLimit = 200_000
  /// While spinning, the core is offered to other threads every this many spins.
  private static let yieldInterval = 256

  init(threadCount: Int) {
    precondition(threadCount <= Self.partMask, "\(threadCount) threads")
    self.threadCount = threadCount
    pthread_mutex_init(mutex, nil)
    pthread_cond_init(wake, nil)
  }

  deinit {
    pthread_cond_destroy(wake); pthread_mutex_destroy(mutex)
    wake.deallocate(); mutex.deallocate()
  }

  func run(_ body: Job) {
    withoutActuallyEscaping(body) { body in
      job = body
      finished.store(0, ordering: .relaxed)
      post(firstUnclaimed: 1)  // part 0 is the caller's
      body(0, threadCount)
      var helped = threadCount - 1
      while let part = claim(generation) {
        body(part, threadCount)
        helped -= 1
      }
      spin(until: { finished.load(ordering: .acquiring) == helped })
      job = nil
    }
  }

  /// Ends the helpers' loops (the pool joins them).
  func stop() {
    stopping.store(true, ordering: .sequentiallyConsistent)
    post(firstUnclaimed: threadCount)  // a new generation with nothing to claim wakes them
  }

  /// Publishes a new generation whose parts from `firstUnclaimed` on are free, and wakes sleeping helpers.
  private func post(firstUnclaimed part: Int) {
    generation += 1
    pthread_mutex_lock(mutex)
    ticket.store(generation << Self.partBits | part, ordering: .sequentiallyConsistent)
    pthread_cond_broadcast(wake)
    pthread_mutex_unlock(mutex)
  }

  /// Claims the next free part of job `generation`; nil when none is left.
  private func claim(_ generation: Int) -> Int? {
    var t = ticket.load(ordering: .acquiring)
    while t >> Self.partBits == generation && t & Self.partMask < threadCount {
      let (claimed, current) = ticket.compareExchange(expected: t, desired: t + 1, ordering: .acquiringAndReleasing)
      if claimed { return t & Self.partMask }
      t = current
    }
    return nil
  }

  func helperLoop() {
    var seen = 0  // not a fresh load: a job may already have been posted before this thread ran
    while true {
      let posted = { self.ticket.load(ordering: .acquiring) >> Self.partBits != seen }
      if !spin(until: posted, limit: Self.spinLimit) {
        pthread_mutex_lock(mutex)
        while !posted() { pthread_cond_wait(wake, mutex) }
        pthread_mutex_unlock(mutex)
      }
      if stopping.load(ordering: .acquiring) { return }
      seen = ticket.load(ordering: .acquiring) >> Self.partBits
      while let part = claim(seen) {
        job!(part, threadCount)
        finished.add(1, ordering: .releasing)
      }
    }
  }

  /// Spins until `ready()` or `limit` spins, offering the core to other threads now and
  /// then: on a machine busy with other work, the thread we wait for may need it.
  @discardableResult
  private func spin(until ready: () -> Bool, limit: Int = .max) -> Bool {
    var spins = 0
    while !ready() {
      if spins == limit { return false }
      spins += 1
      if spins % Self.yieldInterval == 0 { sched_yield() }
    }
    return true
  }
}

extension WorkerPool {
  /// The slice of 0..<n that `part` of `parts` works on. Slices are multiples of
  /// 16 columns (whole SIMD/GEMM panels); a dimension too small to be worth
  /// splitting goes entirely to part 0.
  @inlinable
  public static func slice(_ n: Int, part: Int, of parts: Int) -> Range<Int> {
    if parts == 1 || n < 64 { return part == 0 ? 0..<n : 0..<0 }
    let chunk = ((n + parts - 1) / parts + 15) / 16 * 16
    let lower = min(n, part * chunk), upper = min(n, lower + chunk)
    return lower..<upper
  }
}
