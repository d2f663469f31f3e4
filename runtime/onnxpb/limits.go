package onnxpb

import (
	"errors"
	"fmt"
	"math"
)

// ErrLimit is wrapped by every error that refuses input because a declared
// size is larger than the decoder's Limits allow. Such errors also wrap
// operators.ErrInvalidModel.
var ErrLimit = errors.New("exceeds decoder limit")

// Limits bounds what the decoder accepts, so that a small, hostile file
// cannot make it allocate without bound. Every size a message declares is
// compared with these numbers before anything is allocated for it. A zero
// (or negative) field means "use the default" from DefaultLimits.
type Limits struct {
	// MaxModelBytes is the largest serialized model (or .pb tensor) accepted.
	// Default 4 GiB. Protobuf itself stops at 2 GiB, but a model that only
	// this decoder reads may go beyond it.
	MaxModelBytes int64
	// MaxTensorElements caps the product of a tensor's non-zero dims (also
	// of an empty tensor's, so that no later product of its dims can
	// overflow), the dense size of a sparse tensor, and the number of
	// elements in any repeated numeric field. Default 2^31.
	MaxTensorElements int64
	// MaxTensorBytes caps elements × element size of one tensor.
	// Default 4 GiB.
	MaxTensorBytes int64
	// MaxNodes caps the number of nodes in the whole model: the main graph,
	// every subgraph and every function body together. Default 2^20, far
	// above the largest published models (tens of thousands of nodes).
	MaxNodes int
	// MaxGraphDepth caps the nesting of graphs: the main graph is depth 1,
	// a subgraph held by one of its nodes' attributes is depth 2, and so on.
	// Function bodies count as depth 1. Default 32.
	MaxGraphDepth int
	// MaxExternalBytes caps how many bytes TensorToValue reads from an
	// external data file for one tensor. Default 4 GiB. (It is compared
	// with the region's declared length before the file is read.)
	MaxExternalBytes int64
	// MaxMessages caps the number of protobuf messages decoded from one
	// input (nodes, attributes, tensors, value infos, types, dims, ...).
	// A message costs 2 bytes of input but up to a few hundred bytes of Go
	// structs, so this bounds the decoder's memory independently of the
	// input size. Default 2^23 (at most a few GiB of structs; real models
	// have well under a million messages).
	MaxMessages int
}

// Nesting depth of TypeProto (sequence of map of optional ...). Real models
// stay under 5; the cap only keeps recursion bounded.
const maxTypeDepth = 64

// DefaultLimits returns the limits used for zero fields of Limits.
func DefaultLimits() Limits {
	return Limits{
		MaxModelBytes:     4 << 30,
		MaxTensorElements: 1 << 31,
		MaxTensorBytes:    4 << 30,
		MaxNodes:          1 << 20,
		MaxGraphDepth:     32,
		MaxExternalBytes:  4 << 30,
		MaxMessages:       1 << 23,
	}
}

// withDefaults fills zero or negative fields from DefaultLimits.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxModelBytes <= 0 {
		l.MaxModelBytes = d.MaxModelBytes
	}
	if l.MaxTensorElements <= 0 {
		l.MaxTensorElements = d.MaxTensorElements
	}
	if l.MaxTensorBytes <= 0 {
		l.MaxTensorBytes = d.MaxTensorBytes
	}
	if l.MaxNodes <= 0 {
		l.MaxNodes = d.MaxNodes
	}
	if l.MaxGraphDepth <= 0 {
		l.MaxGraphDepth = d.MaxGraphDepth
	}
	if l.MaxExternalBytes <= 0 {
		l.MaxExternalBytes = d.MaxExternalBytes
	}
	if l.MaxMessages <= 0 {
		l.MaxMessages = d.MaxMessages
	}
	return l
}

// limitErr builds an error wrapping ErrLimit.
func limitErr(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrLimit, fmt.Sprintf(format, args...))
}

// dimsProduct returns the number of elements of dims, without overflowing.
// An empty dims list is a scalar (one element). A negative dim is an error.
// The product of the non-zero dims must stay within max even when another
// dim is 0: an empty tensor of shape [0, 2^40] is refused, because later
// code (operators.NumElements, reshapes, strides) multiplies those dims
// too.
func dimsProduct(dims []int64, max int64) (n int64, err error) {
	n = 1
	zero := false
	for i, d := range dims {
		switch {
		case d < 0:
			return 0, fmt.Errorf("dims[%d] is negative (%d)", i, d)
		case d == 0:
			zero = true
		case n > max/d:
			return 0, limitErr("dims %v hold more than MaxTensorElements = %d elements", dims, max)
		default:
			n *= d
		}
	}
	if zero {
		return 0, nil
	}
	return n, nil
}

// checkBytes checks n elements of size sz against the byte limit and
// returns n*sz. It relies on n <= MaxTensorElements, which keeps the product
// far below overflow only if sz is small, so it divides instead.
func checkBytes(n int64, sz int, max int64) (int64, error) {
	if sz <= 0 {
		return 0, nil
	}
	if n > max/int64(sz) {
		return 0, limitErr("%d elements of %d bytes exceed MaxTensorBytes = %d", n, sz, max)
	}
	b := n * int64(sz)
	if b > math.MaxInt {
		return 0, limitErr("%d bytes do not fit in memory on this platform", b)
	}
	return b, nil
}
