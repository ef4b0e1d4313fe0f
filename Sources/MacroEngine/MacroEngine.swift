// MacroEngine: graphs, partition, halo, the distributed round.
import MacroCore
import MPIKit
