/// The one table of how OpenLineage run events move a run's execution state.
///
/// Events of one run may arrive in any order (a COMPLETE before its START, a RUNNING after its COMPLETE, a replay
/// of anything), so a run's state never moves backwards: an event takes the run to a state only of a higher rank
/// than the one it holds. Once ended (COMPLETE, FAIL or ABORT), a run keeps the end it was first told of.
public enum OpenLineageRunStates {
    /// Each event type's state, and the rank that decides whether the run moves to it.
    public static let table: [OpenLineageEvent.EventType: (state: ExecutionState, rank: Int)] = [
        .other: (.unknown, 0),
        .start: (.running, 1),
        .running: (.running, 1),
        .complete: (.complete, 2),
        .fail: (.failed, 2),
        .abort: (.canceled, 2),
    ]

    /// The state an event of `type` asks for.
    public static func state(after type: OpenLineageEvent.EventType) -> ExecutionState {
        table[type]?.state ?? .unknown
    }

    /// The rank of a stored state (a state no event type gives ranks lowest, so any event moves it).
    public static func rank(of state: ExecutionState) -> Int {
        table.values.filter { $0.state == state }.map(\.rank).max() ?? 0
    }

    /// Whether a run in `current` moves to `next`.
    public static func moves(from current: ExecutionState, to next: ExecutionState) -> Bool {
        rank(of: next) > rank(of: current)
    }

    /// Whether the state is an end (the run's end time is its event's time).
    public static func isEnd(_ state: ExecutionState) -> Bool {
        rank(of: state) == 2
    }
}
