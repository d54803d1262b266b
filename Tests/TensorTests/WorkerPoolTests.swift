import Dispatch
import Foundation
import Testing

@testable import Tensor

@Suite struct WorkerPoolTests {
    /// Regions published just as the worker gives up spinning and goes to sleep: the moment a
    /// wake-up can be lost if the worker's "I am asleep" flag and the region counter are not
    /// ordered against each other (x86 lets a plain store pass a later load). A lost wake-up
    /// leaves the caller waiting forever; a watchdog turns that into a failure.
    @Test func noWakeUpIsLostWhenARegionStartsAsTheWorkerFallsAsleep() async throws {
        let pool = WorkerPool(workers: 1)
        let regions = 40_000
        let finished = DispatchSemaphore(value: 0)
        let counter = Counter()
        Thread {
            var state: UInt64 = 1
            for _ in 0..<regions {
                // Wait 150-260 µs: around the 200 µs the worker spins before it sleeps.
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                let delay = 150_000 + (state >> 33) % 110_000
                let deadline = DispatchTime.now().uptimeNanoseconds + delay
                while DispatchTime.now().uptimeNanoseconds < deadline {}
                _ = pool.run(parts: 2) { part in if part == 1 { counter.increment() } }
            }
            finished.signal()
        }.start()
        let result = finished.wait(timeout: .now() + 90)
        #expect(result == .success, "a region never completed after \(counter.value) of \(regions): a wake-up was lost")
        #expect(counter.value == regions)
    }
}

private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() {
        lock.lock()
        count += 1
        lock.unlock()
    }
    var value: Int {
        lock.lock()
        defer { lock.unlock() }
        return count
    }
}
