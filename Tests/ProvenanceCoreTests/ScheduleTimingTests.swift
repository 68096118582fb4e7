import Testing

@testable import ProvenanceCore

/// Cron expressions, time zones and what daylight-saving transitions do to a schedule's fires.
@Suite struct ScheduleTimingTests {
    func instant(_ text: String) throws -> Int64 { try RFC3339Time.microseconds(text, field: "t") }

    func cron(_ expression: String, zone: String = "UTC", dst: DaylightSavingPolicy = .shift) throws -> ScheduleTrigger {
        .cron(
            try CronExpression(parsing: expression, field: "cron"), timeZone: try ScheduleTimeZone(identifier: zone, field: "time_zone"),
            dst: dst)
    }

    /// The fires after `from`, as UTC text.
    func fires(_ trigger: ScheduleTrigger, after from: String, count: Int) throws -> [String] {
        var fires: [String] = []
        var cursor = try instant(from)
        while fires.count < count, let next = trigger.nextFire(after: cursor) {
            fires.append(RFC3339Time.text(microseconds: next, fraction: false))
            cursor = next
        }
        return fires
    }

    @Test func badExpressionsAreRefusedNamingWhatIsWrong() {
        let cases: [(String, String)] = [
            ("* * * *", "has 4 fields"), ("60 * * * *", "minute field '60' has 60, outside 0-59"),
            ("* 24 * * *", "hour field"), ("0 0 ? * *", "Quartz"), ("0 0 31 2 *", "never matches"),
            ("*/0 * * * *", "step"), ("5-1 * * * *", "backwards"), ("@fortnightly", "unknown macro"),
            ("0 0 * foo *", "not a number or a name"),
        ]
        for (expression, message) in cases {
            #expect {
                try CronExpression(parsing: expression, field: "cron")
            } throws: { error in
                let error = error as! ProvenanceError
                return error.details?["field"] == .string("cron") && error.message.contains(message)
            }
        }
        #expect(throws: ProvenanceError.self) { try ScheduleTimeZone(identifier: "Mars/Olympus", field: "time_zone") }
        #expect(throws: ProvenanceError.self) { try ScheduleTimeZone(identifier: "EST", field: "time_zone") }
    }

    @Test func cronFieldsMatchAsVixieCronDoes() throws {
        #expect(try fires(cron("*/15 * * * *"), after: "2026-01-05T10:07:00Z", count: 2)
            == ["2026-01-05T10:15:00Z", "2026-01-05T10:30:00Z"])
        // Both day fields restricted: the 13th, or any Friday.
        #expect(try fires(cron("0 0 13 * fri"), after: "2026-02-01T00:00:00Z", count: 3)
            == ["2026-02-06T00:00:00Z", "2026-02-13T00:00:00Z", "2026-02-20T00:00:00Z"])
        // A starred day-of-month leaves the weekday alone to decide; 7 is Sunday.
        #expect(try fires(cron("30 6 */2 * 7"), after: "2026-02-01T07:00:00Z", count: 1) == ["2026-02-08T06:30:00Z"])
        #expect(try fires(cron("0 0 29 2 *"), after: "2026-01-01T00:00:00Z", count: 1) == ["2028-02-29T00:00:00Z"])
        #expect(try fires(cron("@monthly"), after: "2026-12-15T00:00:00Z", count: 1) == ["2027-01-01T00:00:00Z"])
    }

    @Test func aCronScheduleFiresAtLocalTimeInItsZone() throws {
        // 02:00 in Berlin is 01:00 UTC in winter, 00:00 UTC in summer.
        #expect(try fires(cron("0 2 * * *", zone: "Europe/Berlin"), after: "2026-01-10T12:00:00Z", count: 1) == ["2026-01-11T01:00:00Z"])
        #expect(try fires(cron("0 2 * * *", zone: "Europe/Berlin"), after: "2026-07-10T12:00:00Z", count: 1) == ["2026-07-11T00:00:00Z"])
    }

    /// Berlin springs forward on 2026-03-29 (02:00 CET becomes 03:00 CEST) and falls back on 2026-10-25 (03:00 CEST
    /// becomes 02:00 CET); New York on 2026-03-08 and 2026-11-01, at 02:00 local.
    @Test func skippedLocalTimesFollowTheDSTPolicy() throws {
        // 02:30 does not exist on 2026-03-29 in Berlin: shifted by the hour the clocks jumped, 03:30 CEST.
        #expect(try fires(cron("30 2 * * *", zone: "Europe/Berlin"), after: "2026-03-28T12:00:00Z", count: 2)
            == ["2026-03-29T01:30:00Z", "2026-03-30T00:30:00Z"])
        #expect(try fires(cron("30 2 * * *", zone: "Europe/Berlin", dst: .skip), after: "2026-03-28T12:00:00Z", count: 1)
            == ["2026-03-30T00:30:00Z"])
        #expect(try fires(cron("30 2 * * *", zone: "America/New_York"), after: "2026-03-07T12:00:00Z", count: 2)
            == ["2026-03-08T07:30:00Z", "2026-03-09T06:30:00Z"])
        // Local order and instant order differ in the gap: shifted 02:00 is the real 03:00 (one fire), shifted
        // 02:59 comes after the real 03:00.
        #expect(try fires(cron("0,59 2,3 * * *", zone: "Europe/Berlin"), after: "2026-03-28T23:30:00Z", count: 3)
            == ["2026-03-29T01:00:00Z", "2026-03-29T01:59:00Z", "2026-03-30T00:00:00Z"])
    }

    @Test func repeatedLocalTimesFollowTheDSTPolicy() throws {
        // 02:30 happens twice on 2026-10-25 in Berlin: 00:30 UTC (CEST) and 01:30 UTC (CET).
        #expect(try fires(cron("30 2 * * *", zone: "Europe/Berlin"), after: "2026-10-24T12:00:00Z", count: 2)
            == ["2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"])
        #expect(try fires(cron("30 2 * * *", zone: "Europe/Berlin", dst: .repeatTwice), after: "2026-10-24T12:00:00Z", count: 3)
            == ["2026-10-25T00:30:00Z", "2026-10-25T01:30:00Z", "2026-10-26T01:30:00Z"])
        #expect(try fires(cron("30 1 * * *", zone: "America/New_York", dst: .repeatTwice), after: "2026-10-31T12:00:00Z", count: 2)
            == ["2026-11-01T05:30:00Z", "2026-11-01T06:30:00Z"])
        // Hourly in real time with `repeat`: the repeated hour fires twice, no hour is lost.
        #expect(try fires(cron("0 * * * *", zone: "Europe/Berlin", dst: .repeatTwice), after: "2026-10-24T23:30:00Z", count: 4)
            == ["2026-10-25T00:00:00Z", "2026-10-25T01:00:00Z", "2026-10-25T02:00:00Z", "2026-10-25T03:00:00Z"])
    }

    @Test func intervalsCountFromTheirAnchor() throws {
        let anchor = try instant("2026-01-01T00:00:10Z")
        let trigger = ScheduleTrigger.interval(every: 90_000_000, anchor: anchor)
        #expect(try fires(trigger, after: "2025-12-31T00:00:00Z", count: 3)
            == ["2026-01-01T00:00:10Z", "2026-01-01T00:01:40Z", "2026-01-01T00:03:10Z"])
        #expect(try fires(trigger, after: "2026-01-01T00:01:40Z", count: 1) == ["2026-01-01T00:03:10Z"])
    }

    @Test func aScheduleKeepsToItsStartAndEndTimes() throws {
        var spec = ScheduleSpec(
            name: "s", pipeline: "p", timing: .interval(60_000_000), startTime: try instant("2026-01-01T00:00:00Z"),
            endTime: try instant("2026-01-01T00:02:00Z"))
        #expect(spec.nextFire(after: try instant("2025-06-01T00:00:00Z"), created: 0) == (try instant("2026-01-01T00:00:00Z")))
        #expect(spec.nextFire(after: try instant("2026-01-01T00:01:00Z"), created: 0) == (try instant("2026-01-01T00:02:00Z")))
        #expect(spec.nextFire(after: try instant("2026-01-01T00:02:00Z"), created: 0) == nil)
        spec.timing = .cron(try CronExpression(parsing: "0 2 * * *", field: "cron"), timeZone: try ScheduleTimeZone(identifier: "Asia/Kolkata", field: "time_zone"), dst: .shift)
        #expect(spec.scheduledTimeText(try instant("2026-01-01T00:00:00Z")) == "2026-01-01T05:30:00+05:30")
    }

    @Test func theSpecReadsItsJSONAndNamesBadFields() throws {
        let spec = try ScheduleSpec(json: try JSONParser.parse("""
            {"name": "acme-daily", "pipeline": "personalization", "cron": "0 2 * * *", "time_zone": "Europe/Berlin",
             "parameters": {"customer": "acme"}, "labels": {"customer": "acme"}, "overlap": "queue"}
            """))
        #expect(spec.catchUp == .latest && spec.overlap == .queue && spec.maxConcurrency == 1)
        #expect(try ScheduleSpec(json: spec.json) == spec)
        let bad: [(String, String)] = [
            (#"{"name": "a", "pipeline": "p"}"#, "cron"),
            (#"{"name": "a", "pipeline": "p", "cron": "0 2 * * *", "interval": "1h"}"#, "interval"),
            (#"{"name": "a", "pipeline": "p", "interval": "1h", "time_zone": "UTC"}"#, "time_zone"),
            (#"{"name": "a", "pipeline": "p", "interval": "0s"}"#, "interval"),
            (#"{"name": "a", "pipeline": "p", "cron": "0 2 * * *", "time_zone": "Nowhere/Land"}"#, "time_zone"),
            (#"{"name": "a", "pipeline": "p", "cron": "0 2 * * *", "catch_up": "some"}"#, "catch_up"),
            (#"{"name": "a", "pipeline": "p", "cron": "0 2 * * *", "max_concurrency": 0}"#, "max_concurrency"),
            (#"{"name": "a", "pipeline": "p", "cron": "0 2 * * *", "start_time": "2026-02-01T00:00:00Z", "end_time": "2026-01-01T00:00:00Z"}"#, "end_time"),
            (#"{"name": "a", "pipeline": "p", "cron": "0 2 * * *", "when": "daily"}"#, "when"),
        ]
        for (json, field) in bad {
            #expect {
                try ScheduleSpec(json: try JSONParser.parse(json))
            } throws: { error in
                (error as? ProvenanceError)?.details?["field"] == .string(field)
            }
        }
    }
}
