import ProvenanceCore
import Testing

@Suite struct PropertyValueTests {
    @Test func bareLiteralsTakeTheirTypeFromTheLiteralForCustomProperties() throws {
        #expect(try PropertyValue.from(.json(5), expected: nil, path: "p") == .int(5))
        #expect(try PropertyValue.from(.json(5.0), expected: nil, path: "p") == .double(5))
        #expect(try PropertyValue.from(.json("x"), expected: nil, path: "p") == .string("x"))
        #expect(try PropertyValue.from(.json(true), expected: nil, path: "p") == .bool(true))
        #expect(try PropertyValue.from(.json(["k": 1]), expected: nil, path: "p") == .structValue(["k": 1]))
    }

    @Test func bareLiteralsFollowTheSchema() throws {
        #expect(try PropertyValue.from(.json(5), expected: .double, path: "p") == .double(5))
        #expect(throws: ProvenanceError.self) { try PropertyValue.from(.json(1.5), expected: .int, path: "p") }
        #expect(throws: ProvenanceError.self) { try PropertyValue.from(.json("1"), expected: .int, path: "p") }
    }

    @Test func taggedValuesAreReadAndCheckedAgainstTheSchema() throws {
        #expect(try PropertyValue.from(.json(["int": 7]), expected: .int, path: "p") == .int(7))
        let proto = try PropertyValue.from(
            .json(["proto": ["type_url": "type.googleapis.com/x.Y", "value": "AQID"]]), expected: nil, path: "p")
        #expect(proto == .proto(typeURL: "type.googleapis.com/x.Y", value: [1, 2, 3]))
        #expect {
            try PropertyValue.from(.json(["string": "x"]), expected: .int, path: "properties.n")
        } throws: { error in
            (error as? ProvenanceError)?.message == "properties.n: expected a value of type INT, got STRING"
        }
        #expect(throws: ProvenanceError.self) { try PropertyValue.from(.json(["int": 1.5]), expected: nil, path: "p") }
    }

    @Test func taggedFormRoundTrips() throws {
        let values: [PropertyValue] = [
            .int(Int64.max), .double(0.1), .string("s"), .bool(false), .structValue(["a": [1, "b"]]),
            .proto(typeURL: "t", value: [0, 255]),
        ]
        for value in values {
            let reparsed = try JSONParser.parse(JSONWriter.string(value.taggedJSON))
            #expect(try PropertyValue.fromTagged(reparsed, path: "p") == value)
        }
    }

    @Test func propertyMapTextIsTheTaggedJSONWritten() {
        let map: [String: PropertyValue] = [
            "z": .int(-42), "a": .double(3), "m": .string("quote \" and ü"), "b": .bool(true),
            "s": .structValue(["k": [1, 2.5]]), "p": .proto(typeURL: "t", value: [1]),
        ]
        for properties in [map, ["only": .double(0.25)], [:]] {
            #expect(PropertyMap.taggedJSONText(properties) == JSONWriter.string(PropertyMap.taggedJSON(properties)))
        }
    }
}
