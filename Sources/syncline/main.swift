import App
import Foundation

var output = CommandOutput(passThrough: true)
let status = CommandLineInterface().run(
    Array(CommandLine.arguments.dropFirst()), environment: ProcessInfo.processInfo.environment, output: &output)
exit(status)
