import ArgumentParser
import Foundation
import ProvenanceCore
import ProvenanceServer
import ProvenanceStore

/// `provenance tokens`: API tokens made, listed and revoked on the database itself (the way to the first admin
/// token; afterwards admins can also use `POST /api/v1/tokens`). Each change is in the audit log, by the system
/// user who ran the command.
struct TokensCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokens", abstract: "Make, list and revoke API tokens (on the database; the first admin token comes from here).",
        discussion: ServerSettings.database.discussion, subcommands: [Create.self, List.self, Revoke.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a token and print its secret (once: the server keeps only a digest).",
            discussion: "The secret goes alone to standard output (TOKEN=$(provenance tokens create ...)); what it is goes to standard error.")

        @Option(name: .customLong("namespace"), help: "A namespace the token holds (repeat for several; * for all).")
        var namespaces: [String] = []
        @Option(help: "reader, writer, executor or admin.") var role: String?
        @Flag(help: "An admin token of every namespace (the same as --role admin --namespace '*').") var admin = false
        @Option(help: "How long it works (30d, 12h, ...); for ever if not given.") var expires: String?
        @Option(help: "A name for people and the audit log.") var name: String?
        @OptionGroup var settings: SettingsArguments

        func run() async throws {
            let request = try tokenRequest()
            let issued = try await onDatabase(settings) { store in
                try await store.createToken(request, actor: .commandLine(user: Self.systemUser))
            }
            let token = issued.token
            let lifetime = token.expireTime.map { " until \(TimeText.date($0))" } ?? ", with no expiry"
            FileHandle.standardError.write(Data(
                "token \(token.id) '\(token.name)': \(token.role.rawValue) in \(token.namespaces)\(lifetime). Keep the secret now; it is not shown again.\n".utf8))
            print(issued.secret.text)
        }

        private func tokenRequest() throws -> TokenRequest {
            do throws(ProvenanceError) {
                if admin {
                    guard role == nil || role == "admin", namespaces.isEmpty || namespaces == ["*"] else {
                        throw ProvenanceError.invalid("--admin", "is an admin token of every namespace; leave out --role and --namespace")
                    }
                }
                guard admin || role != nil else { throw ProvenanceError.invalid("--role", "is required (or --admin)") }
                let lifetime = try expires.map { text throws(ProvenanceError) in
                    guard let duration = SettingDuration.parse(text) else {
                        throw ProvenanceError.invalid("--expires", "expected a duration such as 30d, 12h or 90m, got '\(text)'")
                    }
                    return duration
                }
                let role = admin ? Role.admin : try Role(parsing: role ?? "", field: "--role")
                return try TokenRequest(
                    name: name ?? (admin ? "admin" : "\(role.rawValue)-token"), role: role,
                    namespaces: admin ? .all : try NamespaceScope(parsing: namespaces, field: "--namespace"),
                    lifetime: lifetime)
            } catch {
                throw ValidationError(error.message)
            }
        }

        static var systemUser: String { ProcessInfo.processInfo.environment["USER"] ?? NSUserName() }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tokens (never their secrets), newest first.")

        @OptionGroup var settings: SettingsArguments

        func run() async throws {
            let tokens = try await onDatabase(settings) { store in try await store.listTokens(visibleTo: .all) }
            var table = TextTable(["ID", "NAME", "ROLE", "NAMESPACES", "PREFIX", "CREATED", "STATE"])
            for token in tokens {
                let state =
                    if let revoked = token.revokeTime { "revoked \(TimeText.date(revoked))" }
                    else if let expires = token.expireTime { "expires \(TimeText.date(expires))" }
                    else { "active" }
                table.add([
                    "\(token.id)", token.name + (token.isInternal ? " (server)" : ""), token.role.rawValue,
                    token.namespaces.description, token.displayPrefix + "…",
                    TimeText.date(token.createTime), state,
                ])
            }
            table.print(empty: "no tokens: the server runs without authentication (on loopback only)")
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a token: every replica refuses it within seconds.")

        @Argument(help: "The token's id (tokens list shows it).") var id: Int64
        @OptionGroup var settings: SettingsArguments

        func run() async throws {
            let token = try await onDatabase(settings) { store in
                try await store.revokeToken(id, visibleTo: .all, actor: .commandLine(user: Create.systemUser))
            }
            print("token \(token.id) '\(token.name)' revoked")
        }
    }
}

/// Runs `body` with a store on the database the settings name (see `withDatabase`); domain errors become the
/// command's message.
private func onDatabase<Result: Sendable>(
    _ settings: SettingsArguments, _ body: @escaping @Sendable (PostgresStore) async throws -> Result
) async throws -> Result {
    let config = try settings.configuration(ServerSettings.database)
    do {
        return try await withDatabase(config: config) { endpoint, logger in
            try await PostgresStore.withTemporaryStore(endpoint: endpoint, logger: logger, body)
        }
    } catch let error as ProvenanceError {
        throw CommandFailure(error.message)
    }
}
