/// Wake-ups for one waiting loop: any number of wakes while it works make one more pass.
struct Wakeups: Sendable {
    let stream: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation

    init() {
        (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Asks for one more pass.
    func wake() { continuation.yield() }

    /// Returns at the next wake (or at once if one is pending), or after `timeout`, or when cancelled. Only one
    /// loop may wait.
    func wait(timeout: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { [stream] in
                var wakes = stream.makeAsyncIterator()
                _ = await wakes.next()
            }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
        }
    }
}
