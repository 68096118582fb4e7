/// Wake-ups for one waiting loop: any number of wakes while it works make one more pass.
struct Wakeups: Sendable {
    let stream: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation

    init() {
        (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Asks for one more pass.
    func wake() { continuation.yield() }
}
