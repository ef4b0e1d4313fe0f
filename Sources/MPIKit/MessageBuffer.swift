// MessageBuffer: an owned, fixed-size block of doubles that nonblocking MPI calls may use.
//
// Passing `&array` to MPI_Irecv compiles but is undefined behaviour (the pointer is only
// valid during the call). A MessageBuffer owns its memory until deinit, and a `Request`
// retains the buffer until the operation completes, so MPI never writes into freed memory.
// Allocate buffers once (per neighbour, or one packed buffer with offsets) and reuse them
// every round.

/// A heap block of `count` doubles, zero-initialised, owned by this object. Local.
/// Do not read or modify the part an active `Request` is sending or receiving.
public final class MessageBuffer: @unchecked Sendable {
  /// The number of doubles.
  public let count: Int
  private let storage: UnsafeMutableBufferPointer<Double>

  /// A buffer of `count` zeros. Precondition: count ≥ 0.
  public init(count: Int) {
    precondition(count >= 0, "MessageBuffer: negative count \(count)")
    self.count = count
    storage = .allocate(capacity: count)
    storage.initialize(repeating: 0)
  }

  /// A buffer holding a copy of `values`.
  public convenience init(_ values: [Double]) {
    self.init(count: values.count)
    _ = storage.initialize(from: values)
  }

  deinit { storage.deallocate() }

  /// Element `i`. Precondition: 0 ≤ i < count (checked in debug builds).
  public subscript(i: Int) -> Double {
    get { storage[i] }
    set { storage[i] = newValue }
  }

  /// The elements `range` as a new array. Precondition: range within 0..<count.
  public func copy(_ range: Range<Int>) -> [Double] {
    precondition(range.lowerBound >= 0 && range.upperBound <= count,
                 "MessageBuffer: range \(range) outside 0..<\(count)")
    return Array(storage[range])
  }

  /// Scoped mutable access to the whole buffer (for packing rows).
  public func withUnsafeMutableBufferPointer<R, E: Error>(
    _ body: (UnsafeMutableBufferPointer<Double>) throws(E) -> R
  ) throws(E) -> R {
    try body(storage)
  }

  /// Scoped read-only access to the whole buffer (for unpacking rows).
  public func withUnsafeBufferPointer<R, E: Error>(
    _ body: (UnsafeBufferPointer<Double>) throws(E) -> R
  ) throws(E) -> R {
    try body(UnsafeBufferPointer(storage))
  }

  /// The address of element `offset` (for MPI calls in this module).
  func address(_ offset: Int) -> UnsafeMutablePointer<Double>? {
    storage.baseAddress.map { $0 + offset }
  }
}
