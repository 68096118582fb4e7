import Testing

@testable import ProvenanceCore

/// The engine's state machine as a table: every allowed transition is taken, every other is refused with an error
/// naming both states, and the state sets the SQL uses come out of the table.
@Suite struct StateMachineTests {
    /// Checks every (from, to, event) of `table`: allowed exactly when listed.
    func checkEveryTriple<State: EngineState>(_ table: TransitionTable<State>) {
        var allowed = 0
        for from in State.allCases {
            for to in State.allCases {
                for event in EngineEvent.allCases {
                    let listed = table.transitions.contains { $0.from == from && $0.to == to && $0.event == event }
                    do throws(ProvenanceError) {
                        try table.check(from, to, on: event)
                        #expect(listed, "\(State.kind) \(from.name) -> \(to.name) on \(event) was allowed")
                        allowed += 1
                    } catch {
                        #expect(!listed, "\(State.kind) \(from.name) -> \(to.name) on \(event) was refused")
                        #expect(error.code == .failedPrecondition)
                        #expect(error.message.contains(from.name) && error.message.contains(to.name), "\(error.message)")
                        #expect(error.message.contains(event.rawValue))
                    }
                }
            }
        }
        #expect(allowed == Set(table.transitions).count)
        #expect(Set(table.transitions).count == table.transitions.count, "a transition is listed twice")
    }

    @Test func everyListedTransitionIsAllowedAndEveryOtherRefused() {
        checkEveryTriple(StateMachine.runs)
        checkEveryTriple(StateMachine.tasks)
        checkEveryTriple(StateMachine.attempts)
        checkEveryTriple(StateMachine.ticks)
    }

    @Test func theStateSetsAreTheTablesOwn() {
        #expect(StateMachine.runs.unfinishedStates == [.pending, .running, .canceling])
        #expect(StateMachine.runs.finalStates == [.succeeded, .failed, .canceled])
        #expect(StateMachine.tasks.unfinishedStates == [.pending, .queued, .running])
        #expect(StateMachine.tasks.finalStates == [.succeeded, .failed, .cached, .skipped, .canceled])
        #expect(StateMachine.attempts.unfinishedStates == [.running])
        #expect(StateMachine.ticks.unfinishedStates == [.queued])
        #expect(RunState.allCases.filter(\.isFinal) == StateMachine.runs.finalStates)
        #expect(TaskState.allCases.filter(\.isFinal) == StateMachine.tasks.finalStates)
    }

    @Test func everyStateIsReachableFromTheInitialOneAndEveryUnfinishedOneCanEnd() {
        func reachable<State: EngineState>(_ table: TransitionTable<State>) -> Set<State> {
            var seen: Set<State> = [table.initial]
            var frontier = [table.initial]
            while let state = frontier.popLast() {
                for transition in table.transitions where transition.from == state && !seen.contains(transition.to) {
                    seen.insert(transition.to)
                    frontier.append(transition.to)
                }
            }
            return seen
        }
        #expect(reachable(StateMachine.runs) == Set(RunState.allCases))
        #expect(reachable(StateMachine.tasks) == Set(TaskState.allCases))
        #expect(reachable(StateMachine.attempts) == Set(AttemptState.allCases))
        #expect(reachable(StateMachine.ticks) == Set(TickState.allCases))
        // No unfinished state is a dead end.
        for state in StateMachine.tasks.unfinishedStates {
            #expect(StateMachine.tasks.transitions.contains { $0.from == state && $0.event != .retry }, "\(state.name)")
        }
        for state in StateMachine.runs.unfinishedStates {
            #expect(StateMachine.runs.transitions.contains { $0.from == state && StateMachine.runs.isFinal($0.to) }, "\(state.name)")
        }
    }

    @Test func whereAnUpdateMayComeFromIsDerived() {
        #expect(StateMachine.tasks.sources(of: .canceled, on: .cancel) == [.pending, .queued, .running])
        #expect(StateMachine.tasks.sources(of: .pending, on: .retry) == [.failed, .skipped, .canceled])
        #expect(StateMachine.tasks.sources(of: .queued, on: .ready) == [.pending])
        #expect(StateMachine.runs.sources(of: .running, on: .lease) == [.pending])
        #expect(StateMachine.runs.sources(of: .canceled, on: .finish) == [.canceling])
    }

    @Test func aRunEndsCanceledIfCancelledElseFailedIfATaskFailedOrWasSkippedElseSucceeded() {
        #expect(StateMachine.runOutcome(canceling: true, taskStates: [.succeeded, .failed]) == .canceled)
        #expect(StateMachine.runOutcome(canceling: false, taskStates: [.succeeded, .skipped]) == .failed)
        #expect(StateMachine.runOutcome(canceling: false, taskStates: [.failed]) == .failed)
        #expect(StateMachine.runOutcome(canceling: false, taskStates: [.succeeded, .cached]) == .succeeded)
        for outcome in [RunState.canceled, .failed, .succeeded] {
            #expect(StateMachine.runs.isFinal(outcome))
        }
    }
}
