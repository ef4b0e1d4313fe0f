// _TestSupport: helpers for tests (mpirun launcher). Not public API.
