import Foundation
import CQTownSystem

// MARK: - Concurrency helpers every stage may use: parallel map, a computation on its own thread, a
// value let go on its own thread

/// Maps `items` on `workers` threads, keeping the order of the results.
func parallelMap<T: Sendable, R: Sendable>(_ items: [T], workers: Int, _ body: @Sendable (T) -> R) -> [R] {
    if workers <= 1 || items.count < 2 { return items.map(body) }
    let box = ResultBox<R>(count: items.count)
    let next = AtomicCounter()
    DispatchQueue.concurrentPerform(iterations: min(workers, items.count)) { _ in
        while true {
            let i = next.increment()
            if i >= items.count { break }
            box.set(i, body(items[i]))
        }
    }
    return box.values()
}

/// Results written by workers at distinct indices.
final class ResultBox<R>: @unchecked Sendable {
    private var storage: [R?]
    private let lock = NSLock()
    init(count: Int) { storage = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ v: R) { lock.lock(); storage[i] = v; lock.unlock() }
    /// The results, in the items' order.
    func values() -> [R] { storage.map { $0! } }
}

/// A shared counter handing out work items.
final class AtomicCounter: @unchecked Sendable {
    private var value = 0
    private let lock = NSLock()
    func increment() -> Int { lock.lock(); defer { value += 1; lock.unlock() }; return value }
}

/// A computation started on a thread of its own (or, when not enabled, run at once on this
/// one); `value()` waits for it.
final class Concurrent<R: Sendable>: @unchecked Sendable {
    private var result: R?
    private let done = DispatchSemaphore(value: 0)

    init(enabled: Bool, _ body: @escaping @Sendable () -> R) {
        if enabled {
            DispatchQueue.global().async {
                self.result = body()
                self.done.signal()
            }
        } else {
            result = body()
            done.signal()
        }
    }

    /// The result, once the computation has finished.
    func value() -> R {
        done.wait()
        done.signal()
        return result!
    }
}

/// A value let go on a thread of its own (a large one takes long to free, and nothing waits for
/// it unless asked to). `wait()` returns once it is gone.
final class BackgroundRelease<T>: @unchecked Sendable {
    private var value: T?
    private let done = DispatchSemaphore(value: 0)

    init(_ value: consuming T) {
        self.value = value
        DispatchQueue.global().async {
            self.value = nil
            qtown_release_free_memory()
            self.done.signal()
        }
    }

    func wait() {
        done.wait()
        done.signal()
    }
}
