/// The names the task queue shares across the store: the notification channel executors are woken through.
enum TaskQueue {
    /// The channel a transaction that queues tasks notifies (payload: how many), delivered when it commits, to
    /// every server replica listening.
    static let channel = "provenance_tasks"
    /// The payload of the notification a transaction sends when it leaves ready tasks for later
    /// (`TaskAdvance.release`): any replica may go on with them.
    static let releasesDeferred = "release"
    /// The payload of a transaction that recorded events of the live stream (the `stream_events` triggers send it).
    static let streamEvents = "stream"
}
