/// What a route or RPC asks of its caller.
public enum Access: Sendable, Hashable, CustomStringConvertible {
    /// Anyone, without a credential: the health probes a load balancer calls.
    case open
    /// Any valid credential (answers are narrowed to what the caller holds).
    case authenticated
    /// Any valid credential, or none with `--public-metrics`: the Prometheus endpoint.
    case metrics
    /// `role` in the namespace the request names (its path, or MLMD's namespace header).
    case namespace(Role)
    /// `role` in at least one namespace; the handler narrows the work to the caller's namespaces (executors lease
    /// only from theirs, admins see the tokens and audit entries of theirs).
    case someNamespace(Role)
    /// The fencing token in the body is the credential: a step that runs for days never fails because the bearer
    /// token it started with expired (the lease was granted to a valid credential, and the token is its secret).
    case leaseHolder

    public var description: String {
        switch self {
        case .open: "open"
        case .authenticated: "authenticated"
        case .metrics: "metrics"
        case .namespace(let role): "\(role.rawValue) in the namespace"
        case .someNamespace(let role): "\(role.rawValue) in some namespace"
        case .leaseHolder: "lease holder"
        }
    }
}
