import Foundation
import Testing

@testable import App

@Suite("Command line") struct CommandLineTests {
    private func run(_ arguments: [String], environment: [String: String] = [:]) -> (Int32, CommandOutput) {
        var output = CommandOutput(passThrough: false)
        let status = CommandLineInterface().run(arguments, environment: environment, output: &output)
        return (status, output)
    }

    @Test func overviewListsCommands() {
        let (status, output) = run(["--help"])
        #expect(status == 0)
        for command in ["serve", "migrate", "version"] {
            #expect(output.standardOutput.contains("  \(command)"))
        }
    }

    @Test func noArgumentsIsAUsageError() {
        #expect(run([]).0 == 64)
    }

    @Test func unknownCommandIsAUsageError() {
        let (status, output) = run(["frobnicate"])
        #expect(status == 64)
        #expect(output.standardError.contains("unknown command 'frobnicate'"))
    }

    @Test func everyCommandHasHelp() {
        for command in ["serve", "migrate", "version"] {
            let (status, output) = run([command, "--help"])
            #expect(status == 0)
            #expect(output.standardOutput.hasPrefix("Usage: syncline \(command)"))
        }
    }

    @Test func versionPrintsTheVersion() {
        let (status, output) = run(["version"])
        #expect(status == 0)
        #expect(output.standardOutput == "syncline \(Application.version)\n")
    }

    @Test func badConfigurationStopsWithOneLinePerProblem() {
        let (status, output) = run(["serve"], environment: ["SYNCLINE_MODE": "prod", "SYNCLINE_HTTP_TIMEOUT": "x"])
        #expect(status == 78)
        let lines = output.standardError.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines.allSatisfy { $0.hasPrefix("syncline: configuration: ") })
    }

    @Test func migrateAppliesThenReportsUpToDate() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("syncline-cli-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let environment = [
            "SYNCLINE_DATABASE_URL": "sqlite:\(directory.path)/syncline.db",
            "SYNCLINE_LOG_LEVEL": "warning",
        ]

        let (pendingStatus, pending) = run(["migrate", "--status"], environment: environment)
        #expect(pendingStatus == 0)
        #expect(pending.standardOutput.contains("current version: 0"))
        #expect(pending.standardOutput.contains("pending: 1 instance"))

        let (first, applied) = run(["migrate"], environment: environment)
        #expect(first == 0)
        #expect(applied.standardOutput.contains("applied 1 instance"))

        let (second, again) = run(["migrate"], environment: environment)
        #expect(second == 0)
        #expect(again.standardOutput == "The database is up to date.\n")
    }

    @Test func migrateRejectsUnknownOptions() {
        #expect(run(["migrate", "--force"]).0 == 64)
    }
}
