// `macroopt info`: library versions and the ranks with their hosts.
import ArgumentParser
import BLASKit
import Foundation
import MPIKit
import MacroIO

struct Info: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Print Swift, MPI, OpenBLAS and HDF5 versions and every rank's host.")

  @Flag(help: "Print one JSON object instead of text.")
  var json = false

  /// What rank 0 reports (also the JSON shape).
  struct Report: Codable {
    struct Blas: Codable {
      var configuration: String
      var core: String
      var threads: Int
    }
    struct Rank: Codable {
      var rank: Int
      var host: String
    }
    var swift: String
    var mpi: String
    var hdf5: String
    var openblas: Blas
    /// Instruction set of the vector exp / log-sum-exp kernels in use (CVecMath).
    var vectorMath: String
    var size: Int
    var ranks: [Rank]
  }

  /// Collective over COMM_WORLD: every rank sends its host name to rank 0, which prints.
  func run() throws {
    let world = Communicator.world
    let host = try MPIEnvironment.processorName
    guard let hosts = try world.gather(string: host, root: 0) else { return }  // not rank 0
    let report = Report(
      swift: SwiftVersion.compiler,
      mpi: try MPIEnvironment.libraryVersion,
      hdf5: HDF5Library.version,
      openblas: .init(configuration: BLAS.configuration, core: BLAS.coreName, threads: BLAS.threadCount),
      vectorMath: VectorMath.active.name,
      size: world.size,
      ranks: hosts.enumerated().map { Report.Rank(rank: $0.offset, host: $0.element) })
    if json {
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
      print(String(decoding: try encoder.encode(report), as: UTF8.self))
    } else {
      print("""
        Swift:     \(report.swift)
        MPI:       \(report.mpi)
        OpenBLAS:  \(report.openblas.configuration) (core \(report.openblas.core), \
        \(report.openblas.threads) thread\(report.openblas.threads == 1 ? "" : "s"))
        vector exp: \(report.vectorMath)
        HDF5:      \(report.hdf5)
        ranks:     \(report.size)
        """)
      for r in report.ranks { print("rank \(r.rank)/\(report.size): \(r.host)") }
    }
  }
}
