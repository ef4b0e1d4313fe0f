// MacroExit+Error: how an error thrown by parsing or by a command maps to macroopt's exit
// code (the codes themselves: MacroIO's MacroExit, shared with the run driver).
import ArgumentParser
import Foundation
import MPIKit
import MacroIO

/// An error that knows its exit code (conform domain errors such as configuration errors
/// to it; their `description` is the message rank 0 prints).
protocol MacroExitCoded: Error {
  var macroExit: MacroExit { get }
}

extension RunError: MacroExitCoded {
  var macroExit: MacroExit { exit }
}

extension CheckpointError: MacroExitCoded {
  var macroExit: MacroExit { RunError.checkpoint(self).exit }
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
