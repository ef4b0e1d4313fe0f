// MacroCore: math only, no MPI.
