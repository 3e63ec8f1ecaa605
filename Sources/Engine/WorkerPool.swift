// WorkerPool.swift — the calling thread plus resident helper threads that run
// one job in parts. OpenBLAS's own threading wakes its threads for every
// product and is slow and erratic on the tutorial's small shapes; here the
// helpers spin briefly between jobs (a micro-batch is a few hundred µs) and
// sleep on a condition variable when the shell is idle.

import Synchronization
#if canImport(Glibc)
import Glibc
#endif

public final class WorkerPool: @unchecked Sendable {
  /// Threads taking part in a job, the caller included.
  public let threadCount: Int

  private typealias Job = (_ part: Int, _ parts: Int) -> Void
  private var job: Job?
  private let generation = Atomic<Int>(0)
  private let pending = Atomic<Int>(0)
  private let stopping = Atomic<Bool>(false)
  private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
  private let wake = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
  private var helpers: [pthread_t] = []

  /// Spins before a helper sleeps: long enough to bridge the gaps inside a
  /// training step, short enough not to burn a core while the user types.
  private static let spinLimit = 200_000

  public init(threads: Int) {
    threadCount = max(1, threads)
    pthread_mutex_init(mutex, nil)
    pthread_cond_init(wake, nil)
    for part in 1..<threadCount {
      let context = Unmanaged.passRetained(WorkerContext(pool: self, part: part)).toOpaque()
      var thread = pthread_t()
      let rc = pthread_create(&thread, nil, { raw in
        let context = Unmanaged<WorkerContext>.fromOpaque(raw!).takeRetainedValue()
        context.pool.workerLoop(part: context.part)
        return nil
      }, context)
      precondition(rc == 0, "pthread_create failed: \(rc)")
      helpers.append(thread)
    }
  }

  deinit {
    stopping.store(true, ordering: .sequentiallyConsistent)
    pthread_mutex_lock(mutex)
    generation.add(1, ordering: .sequentiallyConsistent)
    pthread_cond_broadcast(wake)
    pthread_mutex_unlock(mutex)
    for t in helpers { pthread_join(t, nil) }
    pthread_cond_destroy(wake); pthread_mutex_destroy(mutex)
    wake.deallocate(); mutex.deallocate()
  }

  /// Runs `body(part, parts)` for every part 0..<threadCount, part 0 on the
  /// calling thread, and returns when all parts are done.
  public func run(_ body: (_ part: Int, _ parts: Int) -> Void) {
    if threadCount == 1 { body(0, 1); return }
    withoutActuallyEscaping(body) { body in
      job = body
      pending.store(threadCount - 1, ordering: .sequentiallyConsistent)
      pthread_mutex_lock(mutex)
      generation.add(1, ordering: .sequentiallyConsistent)
      pthread_cond_broadcast(wake)
      pthread_mutex_unlock(mutex)
      body(0, threadCount)
      while pending.load(ordering: .acquiring) != 0 { spinPause() }
      job = nil
    }
  }

  private func workerLoop(part: Int) {
    var seen = 0  // not a fresh load: a job may already have been posted before this thread ran
    while true {
      var spins = 0
      while generation.load(ordering: .acquiring) == seen && spins < Self.spinLimit {
        spinPause(); spins += 1
      }
      if generation.load(ordering: .acquiring) == seen {
        pthread_mutex_lock(mutex)
        while generation.load(ordering: .acquiring) == seen { pthread_cond_wait(wake, mutex) }
        pthread_mutex_unlock(mutex)
      }
      seen = generation.load(ordering: .acquiring)
      if stopping.load(ordering: .acquiring) { return }
      job!(part, threadCount)
      pending.subtract(1, ordering: .releasing)
    }
  }
}

private final class WorkerContext {
  let pool: WorkerPool
  let part: Int
  init(pool: WorkerPool, part: Int) { self.pool = pool; self.part = part }
}

@inline(__always) private func spinPause() {
  #if arch(x86_64)
  _ = 0  // a plain re-load loop; `pause` is not reachable from Swift without a shim
  #endif
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
