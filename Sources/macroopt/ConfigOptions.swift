// Options shared by the commands that take a configuration.
import ArgumentParser
import Foundation
import MPIKit
import MacroCore
import MacroIO

struct ConfigOptions: ParsableArguments {
  @Option(name: .customLong("set"), parsing: .singleValue,
          help: ArgumentHelp("Override a config key: section.key=value (TOML value; repeatable).", valueName: "key=value"))
  var overrides: [String] = []

  /// Loads the config: rank 0 reads the file and broadcasts its text (HPCG init), every
  /// rank parses the same text, so a bad config fails on every rank with the same message.
  /// Collective over `comm` when MPI is initialized.
  func load(path: String?, comm: Communicator?) throws -> RunConfig {
    guard let path else {
      return try ConfigLoader.parse(toml: "", overrides: overrides, baseDirectory: FileManager.default.currentDirectoryPath)
    }
    var text = ""
    var readError = ""
    let rank = comm?.rank ?? 0
    if rank == 0 {
      var isDirectory: ObjCBool = false
      if !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
        readError = "no such file"
      } else if isDirectory.boolValue {
        readError = "is a directory (give the TOML file)"
      } else {
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
          let why = fileErrorReason(error)
          readError = why == "not UTF-8 text" ? "not a readable UTF-8 text file" : "cannot read it (\(why))"
        }
      }
    }
    if let comm {
      readError = try comm.broadcast(string: readError, root: 0)
      text = try comm.broadcast(string: text, root: 0)
    }
    if !readError.isEmpty { throw ConfigError.unreadable(path: path, reason: readError) }
    let base = URL(fileURLWithPath: path).deletingLastPathComponent().path
    return try ConfigLoader.parse(toml: text, overrides: overrides, baseDirectory: base, sourceName: path)
  }
}

extension ConfigError: MacroExitCoded {
  var macroExit: MacroExit { .badInput }
}
