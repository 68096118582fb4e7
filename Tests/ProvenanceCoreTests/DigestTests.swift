import Testing

@testable import ProvenanceCore

/// Digests decide identity (pipeline versions, cache hits, repeated completions), so two different things must
/// never share one: SHA-256 over a canonical encoding, where joined text and a 64-bit FNV-1a let them collide.
@Suite struct DigestTests {
    @Test func sha256IsTheStandardOne() {
        // FIPS 180-2's test vector.
        #expect(Digest.sha256(text: "abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    /// Two strings with one 64-bit FNV-1a hash, found for this test by a Pollard-rho search (about 10^10 hashes on
    /// one core): what the old digests were. Anything appended to both keeps them colliding.
    static let fnvCollision = (left: "fhqjf3pgco7dk", right: "3fu4cmhycsluk")

    @Test func aKnownFNV1aCollisionPairDoesNotCollide() {
        let (left, right) = Self.fnvCollision
        #expect(StableHash.fnv1a64(left) == StableHash.fnv1a64(right))
        #expect(StableHash.fnv1a64(left + "|the same suffix") == StableHash.fnv1a64(right + "|the same suffix"))
        #expect(Digest.sha256(text: left) != Digest.sha256(text: right))
        #expect(Digest.sha256 { $0.append(left) } != Digest.sha256 { $0.append(right) })
        // As the idempotency digest of two failures, or the binding of two page tokens, they now differ.
        #expect(AttemptFailure(error: left).digest != AttemptFailure(error: right).digest)
        #expect(PageToken.hash(left) != PageToken.hash(right))
        let component = ComponentReference(name: "train", version: "1")
        #expect(TaskFingerprint.of(component: component, parameters: ["p": .string(left)], inputs: [:])
            != TaskFingerprint.of(component: component, parameters: ["p": .string(right)], inputs: [:]))
    }

    @Test func theEncodingTellsApartWhatJoinedTextDidNot() {
        let joinedLeft = Digest.sha256 { $0.append("a|b"); $0.append("c") }
        let joinedRight = Digest.sha256 { $0.append("a"); $0.append("b|c") }
        #expect(joinedLeft != joinedRight)
        #expect(Digest.sha256 { $0.append(JSON.int(5)) } != Digest.sha256 { $0.append(JSON.double(5)) })
        #expect(Digest.sha256 { $0.append(String?.none) } != Digest.sha256 { $0.append("") })
        #expect(Digest.sha256 { $0.append(JSON.array([.string("a"), .string("b")])) }
            != Digest.sha256 { $0.append(JSON.array([.string("ab")])) })
    }

    @Test func keyOrderAndNegativeZeroDoNotChangeADigest() {
        let ordered: JSON = .object([(key: "a", value: .int(1)), (key: "b", value: .object([(key: "x", value: .null), (key: "y", value: .bool(true))]))])
        let shuffled: JSON = .object([(key: "b", value: .object([(key: "y", value: .bool(true)), (key: "x", value: .null)])), (key: "a", value: .int(1))])
        #expect(Digest.sha256 { $0.append(ordered) } == Digest.sha256 { $0.append(shuffled) })
        #expect(Digest.sha256 { $0.append(JSON.double(0)) } == Digest.sha256 { $0.append(JSON.double(-0.0)) })
    }

    @Test func taskFingerprintsThatCollidedAsJoinedTextNowDiffer() {
        let component = ComponentReference(name: "train", version: "1")
        // The old fingerprint joined the inputs as "name=id,...": {"a=1,b": 2} and {"a": 1, "b": 2} both read
        // "a=1,b=2", and one task would have been served the other's cached outputs.
        let left: [String: ArtifactID] = ["a=1,b": ArtifactID(2)]
        let right: [String: ArtifactID] = ["a": ArtifactID(1), "b": ArtifactID(2)]
        func oldInputText(_ inputs: [String: ArtifactID]) -> String {
            inputs.keys.sorted().map { "\($0)=\(inputs[$0]!.rawValue)" }.joined(separator: ",")
        }
        #expect(oldInputText(left) == oldInputText(right))
        #expect(TaskFingerprint.of(component: component, parameters: [:], inputs: left)
            != TaskFingerprint.of(component: component, parameters: [:], inputs: right))
        // The component's name and version are separate values too: "a|1" at version "2" is not "a" at "1|2".
        #expect(TaskFingerprint.of(component: ComponentReference(name: "a|1", version: "2"), parameters: [:], inputs: [:])
            != TaskFingerprint.of(component: ComponentReference(name: "a", version: "1|2"), parameters: [:], inputs: [:]))
        let fingerprint = TaskFingerprint.of(component: component, parameters: ["lr": .double(0.1)], inputs: right)
        #expect(fingerprint.count == 64 && fingerprint.allSatisfy(\.isHexDigit))
        #expect(fingerprint == TaskFingerprint.of(component: component, parameters: ["lr": .double(0.1)], inputs: right))
    }

    @Test func completionReportsThatCollidedAsJoinedTextNowDiffer() {
        // The old digest wrote "|name=uri;state" per output: one output whose URI is "u;|n=w" read the same as
        // two outputs "u" and "w", so a different report was taken for a repeat of the first.
        let one = AttemptReport(outputs: ["m": OutputReport(uri: "u;|n=w")])
        let two = AttemptReport(outputs: ["m": OutputReport(uri: "u"), "n": OutputReport(uri: "w")])
        #expect(one.digest != two.digest)
        #expect(one.digest == AttemptReport(outputs: ["m": OutputReport(uri: "u;|n=w")]).digest)
        let typed = AttemptReport(outputs: ["m": OutputReport(uri: "u", customProperties: ["k": .typed(.int(5))])])
        let bare = AttemptReport(outputs: ["m": OutputReport(uri: "u", customProperties: ["k": .json(.int(5))])])
        #expect(typed.digest != bare.digest)
        #expect(AttemptFailure(error: "boom", exitCode: 1).digest != AttemptFailure(error: "boom", exitCode: nil).digest)
    }
}
