package dispatchtest

import (
	"os"
	"strings"
	"testing"

	"github.com/onnxrun/onnxrun/dispatch"
)

// RequireEnv is the environment variable naming tiers (comma separated,
// e.g. "avx2,avx512") that must run: ForEachImpl fails, instead of
// skipping, when one of them is missing from the build or the CPU. CI on a
// capable host sets it so that a detection bug cannot silently skip tests.
const RequireEnv = "ONNXRUN_REQUIRE_ISA"

// ForEachImpl runs body as a subtest named after each tier compiled into
// this build ("generic", "avx2", ...), with k that tier's table. During
// the subtest the tier is also installed as dispatch.Active, so code that
// looks the table up itself (operators) runs that tier too; body must
// therefore not call t.Parallel, and tests using ForEachImpl must not run
// in parallel with other tests that depend on dispatch.Active.
//
// A tier this CPU cannot run is skipped, or fails the test if RequireEnv
// names it.
func ForEachImpl(t *testing.T, body func(t *testing.T, k *dispatch.Kernels)) {
	t.Helper()
	required := requiredLevels(t)
	impls := dispatch.Impls()
	for l := range required {
		found := false
		for _, im := range impls {
			found = found || im.Level == l
		}
		if !found {
			t.Errorf("%s=%s requires kernel level %s, which this build does not contain", RequireEnv, os.Getenv(RequireEnv), l)
		}
	}
	for _, im := range impls {
		t.Run(im.Level.String(), func(t *testing.T) {
			if !im.Available {
				if required[im.Level] {
					t.Fatalf("kernel level %s is required by %s but unavailable: %s", im.Level, RequireEnv, im.Reason)
				}
				t.Skipf("kernel level %s unavailable: %s", im.Level, im.Reason)
			}
			k, err := dispatch.ForLevel(im.Level)
			if err != nil {
				t.Fatal(err)
			}
			restore, err := dispatch.Use(im.Level)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(restore)
			body(t, k)
		})
	}
}

func requiredLevels(t *testing.T) map[dispatch.Level]bool {
	t.Helper()
	out := map[dispatch.Level]bool{}
	for _, w := range strings.Split(os.Getenv(RequireEnv), ",") {
		if strings.TrimSpace(w) == "" {
			continue
		}
		l, err := dispatch.ParseLevel(w)
		if err != nil {
			t.Fatalf("%s: %v", RequireEnv, err)
		}
		out[l] = true
	}
	return out
}
