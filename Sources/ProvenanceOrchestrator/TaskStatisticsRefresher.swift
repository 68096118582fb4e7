import ProvenanceStore
import ServiceLifecycle
import Synchronization

/// Has the store renew the task tables' statistics when submitted runs have grown them a lot (see
/// `PostgresStore.refreshTaskStatistics`), beside those runs rather than inside their submissions: the engine
/// counts the tasks each submission adds and wakes it once they reach `PostgresStore.statisticsCheckTasks`.
struct TaskStatisticsRefresher: Service {
    let engine: Engine

    func run() async throws {
        await cancelWhenGracefulShutdown {
            for await _ in engine.statistics.wakeups.stream {
                await engine.store.refreshTaskStatistics(afterAdding: engine.statistics.take())
            }
        }
    }
}

/// The tasks runs added since the statistics were last checked.
final class AddedTasks: Sendable {
    private let count = Mutex(0)
    let wakeups = Wakeups()

    /// Counts a submission's tasks, waking the refresher once enough have been added.
    func add(_ tasks: Int) {
        let total = count.withLock { count in
            count += tasks
            return count
        }
        if total >= PostgresStore.statisticsCheckTasks { wakeups.wake() }
    }

    /// The count so far, starting it again.
    func take() -> Int { count.withLock { count in defer { count = 0 }; return count } }
}
