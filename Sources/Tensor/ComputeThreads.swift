import CBLAS
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// How many threads numeric kernels use, and the helper that splits work across them.
///
/// OpenBLAS is pinned to one thread and all parallelism is ours: OpenBLAS does not thread the
/// small per-head attention products, and calling a multi-threaded OpenBLAS from several of
/// our threads at once would serialise on its internal lock.
public enum ComputeThreads {
    private static let configured = Atomic<Int>(0)
    /// One worker per extra core; created on first parallel use.
    private static let pool = WorkerPool(workers: max(0, System.activeProcessorCount - 1))
    private static let blasPinned = Atomic<Bool>(false)

    /// The number of cores the process may use.
    public static var available: Int {
        max(1, System.activeProcessorCount)
    }

    /// The thread count in effect; defaults to every available core.
    public static var count: Int {
        let value = configured.load(ordering: .relaxed)
        return value > 0 ? value : available
    }

    /// Sets the thread count; values below 1 restore the default (all cores).
    public static func set(_ threads: Int) {
        configured.store(max(0, threads), ordering: .relaxed)
        pinBLASToOneThread()
    }

    /// Makes OpenBLAS single-threaded; called before every kernel that uses it.
    @inline(__always)
    static func pinBLASToOneThread() {
        if !blasPinned.load(ordering: .relaxed) {
            openblas_set_num_threads(1)
            blasPinned.store(true, ordering: .relaxed)
        }
    }

    /// Runs `body(start..<end)` over `0..<total` split into contiguous chunks, one per thread.
    ///
    /// Work smaller than `minimumPerThread` items per thread runs on the calling thread, because
    /// waking a thread costs more than a few thousand floating-point operations.
    public static func parallelChunks(
        _ total: Int, minimumPerThread: Int = 1, _ body: (Range<Int>) -> Void
    ) {
        guard total > 0 else { return }
        let threads = min(count, max(1, total / max(1, minimumPerThread)))
        if threads == 1 {
            body(0..<total)
            return
        }
        withoutActuallyEscaping(body) { body in
            let part: (Int) -> Void = { part in
                let start = total * part / threads
                let end = total * (part + 1) / threads
                if start < end { body(start..<end) }
            }
            if !pool.run(parts: threads, part) {
                for index in 0..<threads { part(index) }
            }
        }
    }

    /// Runs `body(index)` for each index in `0..<total`, handing out indices dynamically so
    /// that uneven items (sequences of different lengths) balance across threads.
    public static func parallelForEach(_ total: Int, _ body: (Int) -> Void) {
        guard total > 0 else { return }
        let threads = min(count, total)
        if threads == 1 {
            for index in 0..<total { body(index) }
            return
        }
        let next = Atomic<Int>(0)
        withoutActuallyEscaping(body) { body in
            let drain: (Int) -> Void = { _ in
                while true {
                    let index = next.add(1, ordering: .relaxed).oldValue
                    if index >= total { break }
                    body(index)
                }
            }
            if !pool.run(parts: threads, drain) { drain(0) }
        }
    }
}

/// Processor count without Foundation, which this module does not import.
enum System {
    static var activeProcessorCount: Int {
        Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
    }
}
