import Foundation
import ProvenanceServer

/// A throwaway PKI for TLS tests, made with the `openssl` command: a CA, a server certificate for 127.0.0.1 and
/// localhost, client certificates it signed, and a second CA with a client certificate of its own (which the
/// first CA's server must refuse).
public struct TestCertificates: Sendable {
    /// The directory holding the files.
    public let directory: String

    /// The CA's certificate, which signed the server's and the clients'.
    public var ca: String { directory + "/ca.pem" }
    /// The server's certificate and key.
    public var serverCertificate: String { directory + "/server.pem" }
    public var serverKey: String { directory + "/server.key" }
    /// The server's chain: its certificate, then the CA's.
    public var serverChain: String { directory + "/server-chain.pem" }

    /// A client certificate's files: `NAME.pem` and `NAME.key`.
    public func client(_ name: String) -> (certificate: String, key: String) {
        (directory + "/\(name).pem", directory + "/\(name).key")
    }

    /// Makes the files in a new directory: the CA, the server, and one client per name in `clients` (subject
    /// `CN=NAME`), plus `stranger`, a client of another CA.
    /// Writes `grants` (the YAML of `--client-certificates`) beside the certificates and returns what configures a
    /// server for mutual TLS with them: its certificate and key, this CA for clients, and those grants.
    public func mutualTLS(grants: String) throws -> (inout ServerConfiguration) -> Void {
        let path = directory + "/grants.yaml"
        try grants.write(toFile: path, atomically: true, encoding: .utf8)
        return { config in
            config.tlsCertificate = serverChain
            config.tlsKey = serverKey
            config.tlsClientCA = ca
            config.clientCertificates = path
        }
    }

    public static func make(clients: [String]) throws -> TestCertificates {
        let directory = TestCluster.scratchDirectory("certificates/\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let pki = TestCertificates(directory: directory)
        func openssl(_ arguments: [String]) throws {
            try runProgram("openssl", arguments, directory: directory)
        }
        func authority(_ name: String) throws {
            try openssl([
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
                "-subj", "/CN=\(name)", "-keyout", "\(name).key", "-out", "\(name).pem",
            ])
        }
        func signed(_ name: String, subject: String, by ca: String, extensions: String) throws {
            try openssl([
                "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-subj", subject,
                "-keyout", "\(name).key", "-out", "\(name).csr",
            ])
            try extensions.write(toFile: directory + "/\(name).ext", atomically: true, encoding: .utf8)
            try openssl([
                "x509", "-req", "-in", "\(name).csr", "-CA", "\(ca).pem", "-CAkey", "\(ca).key", "-CAcreateserial",
                "-days", "2", "-extfile", "\(name).ext", "-out", "\(name).pem",
            ])
        }
        try authority("ca")
        try authority("other-ca")
        try signed(
            "server", subject: "/CN=provenance-test-server", by: "ca",
            extensions: "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n")
        for name in clients {
            try signed(name, subject: "/CN=\(name)", by: "ca", extensions: "extendedKeyUsage=clientAuth\n")
        }
        try signed("stranger", subject: "/CN=stranger", by: "other-ca", extensions: "extendedKeyUsage=clientAuth\n")
        let chain = try String(contentsOfFile: pki.serverCertificate, encoding: .utf8) + String(contentsOfFile: pki.ca, encoding: .utf8)
        try chain.write(toFile: pki.serverChain, atomically: true, encoding: .utf8)
        return pki
    }
}
