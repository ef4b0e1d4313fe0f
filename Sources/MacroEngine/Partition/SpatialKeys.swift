/// Bits per axis of the quantization grid used by the space-filling-curve keys.
public let spatialKeyBits = 16

/// Quantize a coordinate of [-1, 1] to the grid `0 ..< 2^16`: `⌊(x + 1) / 2 · 2^16⌋`, clamped
/// (x = 1 and anything above maps to 2^16 − 1; below −1 and NaN map to 0). Local.
@inlinable
public func quantizeCoordinate(_ x: Double) -> UInt32 {
  let scale = Double(1 << spatialKeyBits)
  let u = (x + 1) * 0.5 * scale
  guard u > 0 else { return 0 }  // also NaN
  if u >= scale - 1 { return UInt32((1 << spatialKeyBits) - 1) }
  return UInt32(u)
}

/// Position of grid cell (x, y) along the Hilbert curve of order 16 (cells `0 ..< 2^16` per
/// axis; key in `0 ..< 2^32`). Consecutive keys are edge-adjacent cells, and every aligned
/// 2^k × 2^k square is one contiguous key interval. Local.
@inlinable
public func hilbertKey(x: UInt32, y: UInt32) -> UInt64 {
  var x = x, y = y
  var d: UInt64 = 0
  var s: UInt32 = 1 << (spatialKeyBits - 1)
  while s > 0 {
    let rx: UInt32 = (x & s) != 0 ? 1 : 0
    let ry: UInt32 = (y & s) != 0 ? 1 : 0
    d += UInt64(s) * UInt64(s) * UInt64((3 * rx) ^ ry)
    // Rotate the quadrant so the sub-curve has the standard orientation.
    if ry == 0 {
      if rx == 1 {
        x = s &- 1 &- x
        y = s &- 1 &- y
      }
      swap(&x, &y)
    }
    s >>= 1
  }
  return d
}

/// Morton (Z-order) key of grid cell (x, y, z), 16 bits per axis interleaved with x in the
/// lowest bit of each triple: bit `3k` = bit k of x, `3k+1` of y, `3k+2` of z. Local.
@inlinable
public func mortonKey(x: UInt32, y: UInt32, z: UInt32) -> UInt64 {
  spreadBits3(x) | (spreadBits3(y) << 1) | (spreadBits3(z) << 2)
}

/// Insert two zero bits after each of the low 16 bits of `v` (bit k moves to bit 3k).
@usableFromInline
func spreadBits3(_ v: UInt32) -> UInt64 {
  var out: UInt64 = 0
  for k in 0..<spatialKeyBits where (v >> UInt32(k)) & 1 == 1 {
    out |= 1 << UInt64(3 * k)
  }
  return out
}
