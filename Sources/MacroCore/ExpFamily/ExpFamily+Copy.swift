extension ExpFamily {
  /// The same family (same tables, shared copy-on-write) with another block size; e.g. a
  /// block of 1 for the m-dimensional solves of the centralized oracle. Local.
  public func withBlockSize(_ b: Int) -> ExpFamily { ExpFamily(copying: self, blockSize: b) }
}
