/// The names the task queue shares across the store: the notification channel executors are woken through.
enum TaskQueue {
    /// The channel a transaction that queues tasks notifies (payload: how many), delivered when it commits, to
    /// every server replica listening.
    static let channel = "provenance_tasks"
}
