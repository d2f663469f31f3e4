package pool

import (
	"os"
	"testing"
)

// TestMain makes every pool worth splitting, so the tests that run with
// two threads exercise the split path on their small tensors (in a real
// run a pool of fewer than minWork taps stays on one goroutine).
func TestMain(m *testing.M) {
	minWork = 1
	os.Exit(m.Run())
}
