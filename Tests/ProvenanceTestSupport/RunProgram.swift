import Foundation

/// Runs program `name` (found on the PATH) with `arguments` in `directory`, and returns what it wrote to standard
/// output; throws if it exits with a status other than 0.
@discardableResult
public func runProgram(_ name: String, _ arguments: [String], directory: String? = nil) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [name] + arguments
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    try process.run()
    let bytes = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw TestFailure("\(name) \(arguments.joined(separator: " ")) exited with status \(process.terminationStatus)")
    }
    return String(decoding: bytes, as: UTF8.self)
}

/// `runProgram` on a thread of its own, awaited: a test whose program talks to the test's own in-process server
/// must not block one of the few threads Swift's tasks run on (two on a 2-core machine), for the server's request
/// handlers run on them too; with both blocked, the program waits for an answer that never comes.
@discardableResult
public func awaitProgram(_ name: String, _ arguments: [String], directory: String? = nil) async throws -> String {
    try await withCheckedThrowingContinuation { continuation in
        Thread {
            continuation.resume(with: Result { try runProgram(name, arguments, directory: directory) })
        }.start()
    }
}
