//go:build amd64 && !purego

package dispatch_test

import (
	"testing"

	"github.com/onnxrun/onnxrun/dispatch"
)

// TestWideTails runs the row and column checks on the AVX2 kernels wired
// with the AVX-512 tier's 16-lane tail handling, which this way is tested
// on hosts without AVX-512 too.
func TestWideTails(t *testing.T) {
	k := dispatch.WideTailTable()
	if k == nil {
		t.Skip("CPU lacks AVX2")
	}
	t.Run("rows f32", func(t *testing.T) { testRows(t, ops32(dispatch.Generic()), ops32(k)) })
	t.Run("rows f64", func(t *testing.T) { testRows(t, ops64(dispatch.Generic()), ops64(k)) })
	t.Run("cols f32", func(t *testing.T) { testCols(t, ops32(dispatch.Generic()), ops32(k)) })
	t.Run("cols f64", func(t *testing.T) { testCols(t, ops64(dispatch.Generic()), ops64(k)) })
}

// TestWideTailRowBatch runs the row-batch checks on the AVX2 assembly
// taking only rows whose length is a multiple of 16, as the AVX-512 tier's
// wrappers decide.
func TestWideTailRowBatch(t *testing.T) {
	k := dispatch.WideTailTable()
	if k == nil {
		t.Skip("CPU lacks AVX2")
	}
	testRowBatch(t, k)
}
