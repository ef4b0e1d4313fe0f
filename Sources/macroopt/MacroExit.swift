// MacroExit: macroopt's documented exit codes, and how errors map to them.
import ArgumentParser
import Foundation
import MPIKit

/// The process exit codes of `macroopt` (DESIGN.md section 8). Throw one from a command to
/// end with that code without a further message (print the details first).
enum MacroExit: Int32, Error, CaseIterable, CustomStringConvertible {
  /// Finished normally.
  case done = 0
  /// Internal or MPI failure (a bug, or the MPI job broke).
  case internalFailure = 1
  /// Bad input: command line, configuration or checkpoint refused with a message.
  case badInput = 2
  /// Diverged: the state became non-finite; the last good checkpoint is kept.
  case diverged = 3
  /// Stopped on SIGUSR1/SIGTERM after writing a checkpoint: requeue the job.
  case checkpointed = 85

  var description: String {
    switch self {
    case .done: return "done"
    case .internalFailure: return "internal or MPI failure"
    case .badInput: return "bad input"
    case .diverged: return "diverged (non-finite state; last good checkpoint kept)"
    case .checkpointed: return "checkpointed on a signal (requeue)"
    }
  }

  /// The table printed in `macroopt --help`.
  static var helpTable: String {
    "Exit codes:\n" + allCases.map { "  " + "\($0.rawValue)".padding(toLength: 4, withPad: " ", startingAt: 0) + $0.description }.joined(separator: "\n")
  }
}

/// An error that knows its exit code (conform domain errors such as configuration errors
/// to it; their `description` is the message rank 0 prints).
protocol MacroExitCoded: Error {
  var macroExit: MacroExit { get }
}

extension MacroExit {
  /// The exit code for an error thrown by parsing or by a command's run(); errors without
  /// a known category are internal failures.
  init(for error: any Error) {
    switch error {
    case let exit as MacroExit: self = exit
    case let coded as any MacroExitCoded: self = coded.macroExit
    case is MPIError: self = .internalFailure
    case is ValidationError: self = .badInput
    default:
      // ArgumentParser's own errors (parse failures, --help, ExitCode): 0 stays 0, its
      // usage failure (64) becomes bad input, other codes pass through below.
      let code = MacroOpt.exitCode(for: error)
      if code == .success { self = .done }
      else if code == .validationFailure { self = .badInput }
      else { self = MacroExit(rawValue: code.rawValue) ?? .internalFailure }
    }
  }
}
