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

// OnlyEnv is the environment variable that, when set, limits ForEachImpl
// to the tiers it names (comma separated, e.g. "avx512"): the others are
// skipped. It is for runs where every tier but one is a waste of time,
// such as the AVX-512 tests under an emulator (dispatch/_emu). Unset or
// empty, every tier runs.
const OnlyEnv = "ONNXRUN_ONLY_ISA"

// ForEachImpl runs body as a subtest named after each tier compiled into
// this build ("generic", "avx2", ...), with k that tier's table. During
// the subtest the tier is also installed as dispatch.Active, so code that
// looks the table up itself (operators) runs that tier too; body must
// therefore not call t.Parallel, and tests using ForEachImpl must not run
// in parallel with other tests that depend on dispatch.Active.
//
// A tier this CPU cannot run is skipped, or fails the test if RequireEnv
// names it. A tier OnlyEnv leaves out is skipped.
func ForEachImpl(t *testing.T, body func(t *testing.T, k *dispatch.Kernels)) {
	t.Helper()
	required := levelsFrom(t, RequireEnv)
	only := levelsFrom(t, OnlyEnv)
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
			if !im.Available && required[im.Level] {
				t.Fatalf("kernel level %s is required by %s but unavailable: %s", im.Level, RequireEnv, im.Reason)
			}
			if len(only) > 0 && !only[im.Level] {
				t.Skipf("kernel level %s not selected by %s=%s", im.Level, OnlyEnv, os.Getenv(OnlyEnv))
			}
			if !im.Available {
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

// levelsFrom parses the comma-separated level names of the environment
// variable env.
func levelsFrom(t *testing.T, env string) map[dispatch.Level]bool {
	t.Helper()
	out := map[dispatch.Level]bool{}
	for _, w := range strings.Split(os.Getenv(env), ",") {
		if strings.TrimSpace(w) == "" {
			continue
		}
		l, err := dispatch.ParseLevel(w)
		if err != nil {
			t.Fatalf("%s: %v", env, err)
		}
		out[l] = true
	}
	return out
}
