package conformance

import (
	"path/filepath"
	"testing"

	"github.com/onnxrun/onnxrun/dispatch"
	"github.com/onnxrun/onnxrun/dispatch/dispatchtest"
)

// TestOwnModelsEveryTier runs the project's own models with every kernel
// tier this machine can run: each tier must pass what the manifest lists.
// Operators bind their kernels when a model is loaded, so each subtest
// loads the models afresh with its tier active.
func TestOwnModelsEveryTier(t *testing.T) {
	m, err := ReadManifest(OwnSuite.Manifest)
	if err != nil {
		t.Fatal(err)
	}
	tests, err := Discover(filepath.Join("..", "models", "testdata"))
	if err != nil {
		t.Fatal(err)
	}
	dispatchtest.ForEachImpl(t, func(t *testing.T, _ *dispatch.Kernels) {
		for _, tt := range tests {
			if !m.Match(tt.Name) {
				continue
			}
			if r := tt.Run(Options{Threads: 1}); r.Status != Pass {
				t.Errorf("%s", r.Line())
			}
		}
	})
}
