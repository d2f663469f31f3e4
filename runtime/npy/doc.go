// Package npy reads and writes NumPy .npy files (format versions 1.0, 2.0
// and 3.0) as operators.Values, and .npz archives of them (ReadNPZ,
// WriteNPZ: a zip of NAME.npy members, stored or deflated).
//
// Supported element types are the little-endian (or byte-order-free)
// descriptors <f2, <f4, <f8, |i1, <i2, <i4, <i8, |u1, <u2, <u4, <u8 and
// |b1. Fortran-ordered arrays and big-endian data are rejected with an
// error saying so, rather than silently transposed or byte-swapped.
package npy
