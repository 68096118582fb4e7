/// The files a listener serves TLS with (PEM).
public struct TLSFiles: Sendable, Equatable {
    /// The server's certificate chain, leaf first.
    public var certificate: String
    /// The leaf's private key.
    public var privateKey: String
    /// The CA that signs client certificates, if they are verified.
    public var clientCA: String?

    /// Creates the description.
    public init(certificate: String, privateKey: String, clientCA: String?) {
        self.certificate = certificate
        self.privateKey = privateKey
        self.clientCA = clientCA
    }
}
