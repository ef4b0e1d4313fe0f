// Placeholder: the MPIKit module is being built in issue 3 (see Communicator.swift etc.).
import CMPI
