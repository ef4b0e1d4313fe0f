// MacroIO: config, checkpoints, outputs. The only module that calls HDF5.
import CHDF5
