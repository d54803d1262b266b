import Dispatch
import Foundation
import Synchronization

/// Persistent worker threads for the numeric kernels' parallel regions.
///
/// `DispatchQueue.concurrentPerform` lets the calling thread run every part itself when a
/// pool thread wakes late, which made two-thread forward passes take anywhere from 1× to 1.7×
/// their best time. Here each part has its own thread: workers spin for a short while after a
/// region (most regions follow each other within microseconds, as OpenMP runtimes assume) and
/// then sleep on a semaphore, so an idle process uses no CPU.
final class WorkerPool: @unchecked Sendable {
    /// How long a worker keeps polling for the next region before it sleeps (by default).
    static let defaultSpinNanoseconds: UInt64 = 200_000

    /// Bits of `region` that hold the part count; the rest count regions.
    private static let partBits = 16
    private static let partMask = (1 << partBits) - 1

    private let workerCount: Int
    /// The current region, published in one word: its sequence number above `partBits`, its
    /// part count below. A worker that loads it knows both from the same region. (With the two
    /// in separate variables, a worker not needed in region N could be preempted between them,
    /// read region N+1's part count, run its part, then see N+1 as new and run the part again:
    /// the count of parts left fell twice, and the caller returned while a part still ran.)
    private let region = Atomic<Int>(0)
    private let remaining = Atomic<Int>(0)
    private let sleeping: [AtomicFlag]
    private let wakeUps: [DispatchSemaphore]
    /// Serialises regions: a second caller (another test, a nested region) runs inline instead.
    private let busy = Atomic<Bool>(false)
    /// The current region's work, as a pointer to the caller's closure, written before `region`
    /// is published. Only workers the region needs read it, and the region cannot end (nor the
    /// next overwrite it) before they report. A raw pointer, not a closure value, so that
    /// workers never hold a reference to the caller's non-escaping closure after they report.
    private nonisolated(unsafe) var job: UnsafeRawPointer?
    /// Called by a worker (with its index) after it loaded a region and before it acts on it;
    /// tests hold a worker there, as preemption can.
    private let regionSeen: (@Sendable (Int) -> Void)?
    private let spinNanoseconds: UInt64

    /// - Parameters:
    ///   - spinNanoseconds: how long an idle worker polls before it sleeps (tests lengthen it to
    ///     keep a worker awake on a busy machine).
    ///   - regionSeen: see the property; nil outside tests.
    init(workers: Int, spinNanoseconds: UInt64 = defaultSpinNanoseconds, regionSeen: (@Sendable (Int) -> Void)? = nil) {
        self.regionSeen = regionSeen
        self.spinNanoseconds = spinNanoseconds
        workerCount = max(0, workers)
        sleeping = (0..<workerCount).map { _ in AtomicFlag() }
        wakeUps = (0..<workerCount).map { _ in DispatchSemaphore(value: 0) }
        for index in 0..<workerCount {
            let thread = Thread { [self] in self.workerLoop(index) }
            thread.name = "adapteval-worker-\(index + 1)"
            thread.start()
        }
    }

    /// Runs `body(part)` for every part in 0..<parts, part 0 on the calling thread, and returns
    /// when all have finished. Returns false (running nothing) when the pool is busy or too
    /// small, so the caller can run the parts itself.
    func run(parts requested: Int, _ body: (Int) -> Void) -> Bool {
        guard requested > 1, requested - 1 <= workerCount, requested <= Self.partMask else { return false }
        guard busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            return false
        }
        defer { busy.store(false, ordering: .releasing) }
        withoutActuallyEscaping(body) { body in
            withUnsafePointer(to: body) { pointer in
                job = UnsafeRawPointer(pointer)
                remaining.store(requested - 1, ordering: .relaxed)
                // Sequentially consistent, like the worker's side below: publish the region,
                // then read each worker's sleep flag (a Dekker-style handshake). Only this
                // thread writes `region` (it holds `busy`), so load and store suffice.
                let sequence = region.load(ordering: .relaxed) >> Self.partBits
                region.store((sequence &+ 1) << Self.partBits | requested, ordering: .sequentiallyConsistent)
                for index in 0..<(requested - 1)
                where sleeping[index].value.exchange(false, ordering: .sequentiallyConsistent) {
                    wakeUps[index].signal()
                }
                body(0)
                while remaining.load(ordering: .acquiring) > 0 {}
                job = nil
            }
        }
        return true
    }

    private func workerLoop(_ index: Int) {
        var seen = 0
        while true {
            // Wait for a new region: spin first, then sleep.
            var current = region.load(ordering: .acquiring)
            if current == seen {
                let deadline = DispatchTime.now().uptimeNanoseconds + spinNanoseconds
                var polls = 0
                while current == seen {
                    current = region.load(ordering: .acquiring)
                    polls += 1
                    if polls % 64 == 0 && DispatchTime.now().uptimeNanoseconds > deadline { break }
                }
            }
            while current == seen {
                // Raise the flag, then look for a region: both sequentially consistent, or the
                // load may pass the store (x86 store buffers allow exactly that), the caller
                // may miss the flag while we miss the region, and nobody wakes us.
                sleeping[index].value.store(true, ordering: .sequentiallyConsistent)
                current = region.load(ordering: .sequentiallyConsistent)
                if current != seen {
                    // A region was published before we slept; take back the flag (and any
                    // signal it caused is absorbed by a later spurious wake-up).
                    _ = sleeping[index].value.exchange(false, ordering: .acquiringAndReleasing)
                    break
                }
                wakeUps[index].wait()
                current = region.load(ordering: .acquiring)
            }
            seen = current
            regionSeen?(index)
            // Whether this worker is needed comes from the word it loaded, never from a later read.
            if index + 1 < current & Self.partMask, let job {
                Self.invoke(job, part: index + 1)
                remaining.subtract(1, ordering: .releasing)
            }
        }
    }

    /// Calls the region's closure; not inlined, so any retain of the closure is balanced
    /// before the worker decrements `remaining`.
    @inline(never)
    private static func invoke(_ job: UnsafeRawPointer, part: Int) {
        job.assumingMemoryBound(to: ((Int) -> Void).self).pointee(part)
    }
}

/// An atomic Boolean in a class, so that several can live in an array.
private final class AtomicFlag: Sendable {
    let value = Atomic<Bool>(false)
}
