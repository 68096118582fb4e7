import ProvenanceCore

/// The one writer of engine states: every UPDATE that changes a run's, a task's or an attempt's state takes its
/// `SET` and its guard from here, so that
/// - each change is one of `StateMachine`'s transitions (asking for another is a programming error, caught the
///   first time the statement is built, which every engine test does);
/// - a row in any other state is left as it is (the guard is the `WHERE <alias>.state IN (...)` of the states the
///   table allows the change from), so a late or repeated write can never move a row backwards;
/// - a run's change is appended to its history with the time and the event that caused it.
///
/// `StateTransitionTests` checks that no other code in the store writes a `state` column.
enum StateTransitionSQL {
    /// `state = <to>` for a change caused by any of `events`, with the history entry when the rows are runs (whose
    /// changes name one event). `alias` qualifies the history column (`r.history`) where the statement joins.
    static func set<State: EngineState>(_ to: State, on events: EngineEvent..., alias: String? = nil) -> String {
        set(String(to.rawValue), among: events.map { (to, $0) }, alias: alias)
    }

    /// `state = <expression>` for a change to one of `targets` (a state computed per row, as a run's outcome or an
    /// attempt's ending), each caused by its event, with the history entry when the rows are runs.
    static func set<State: EngineState>(
        _ expression: String, among targets: [(state: State, event: EngineEvent)], alias: String? = nil
    ) -> String {
        for target in targets {
            precondition(!State.table.sources(of: target.state, on: target.event).isEmpty,
                         "no \(State.kind) becomes \(target.state.name) on \(target.event)")
        }
        guard State.self == RunState.self else { return "state = \(expression)" }
        let events = Set(targets.map(\.event))
        precondition(events.count == 1, "a run's change names one event: \(events)")
        let history = "\(alias.map { $0 + "." } ?? "")history"
        return "state = \(expression), history = \(history) || jsonb_build_array(\(historyEntry(state: expression, event: targets[0].event)))"
    }

    /// `<alias>.state IN (...)`: the states `StateMachine` lets a row become `to` from on any of `events`, or only
    /// those of them in `only` (a change the caller makes from some of the allowed states alone).
    static func from<State: EngineState>(
        _ to: State, on events: EngineEvent..., only: [State]? = nil, alias: String? = nil
    ) -> String {
        from(among: events.map { (to, $0) }, only: only, alias: alias)
    }

    /// `<alias>.state IN (...)`: the states any of `targets` may be reached from (or those of them in `only`).
    static func from<State: EngineState>(
        among targets: [(state: State, event: EngineEvent)], only: [State]? = nil, alias: String? = nil
    ) -> String {
        let allowed = State.allCases.filter { state in targets.contains { State.table.allows(state, $0.state, on: $0.event) } }
        if let only {
            precondition(only.allSatisfy(allowed.contains), "\(only.map(\.name)) are not all allowed sources of \(targets.map(\.state.name))")
        }
        let sources = only.map { only in allowed.filter(only.contains) } ?? allowed
        precondition(!sources.isEmpty, "no \(State.kind) reaches \(targets.map(\.state.name)) on \(targets.map(\.event))")
        return "\(alias.map { $0 + "." } ?? "")state IN (\(sources.map { String($0.rawValue) }.joined(separator: ", ")))"
    }

    /// A new row's state: the table's initial one (a run's with its first history entry, `submit`).
    static func initial<State: EngineState>(_ kind: State.Type) -> String {
        String(State.table.initial.rawValue)
    }

    /// A run's first history entry: submitted, in the runs' initial state.
    static let submittedHistory = "jsonb_build_array(\(historyEntry(state: initial(RunState.self), event: .submit)))"

    private static func historyEntry(state: String, event: EngineEvent) -> String {
        "jsonb_build_object('state', \(state), 'time', \(TaskAdvance.now), 'event', '\(event.rawValue)')"
    }
}
