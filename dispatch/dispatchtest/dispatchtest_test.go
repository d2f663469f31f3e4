package dispatchtest_test

import (
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"

	"github.com/onnxrun/onnxrun/dispatch"
	"github.com/onnxrun/onnxrun/dispatch/dispatchtest"
)

func TestForEachImplRunsEveryAvailableLevel(t *testing.T) {
	var ran []string
	dispatchtest.ForEachImpl(t, func(t *testing.T, k *dispatch.Kernels) {
		ran = append(ran, k.Level.String())
		if dispatch.Active() != k {
			t.Errorf("%s: Active() is not the table under test", k.Level)
		}
	})
	only := os.Getenv(dispatchtest.OnlyEnv)
	var want []string
	for _, im := range dispatch.Impls() {
		if im.Available && (only == "" || strings.Contains(","+only+",", ","+im.Level.String()+",")) {
			want = append(want, im.Level.String())
		}
	}
	if strings.Join(ran, ",") != strings.Join(want, ",") {
		t.Errorf("ran %v, want %v (%s=%q)", ran, want, dispatchtest.OnlyEnv, only)
	}
}

func TestOnlyEnvLimitsLevels(t *testing.T) {
	t.Setenv(dispatchtest.OnlyEnv, "generic")
	var ran []string
	dispatchtest.ForEachImpl(t, func(t *testing.T, k *dispatch.Kernels) {
		ran = append(ran, k.Level.String())
	})
	if strings.Join(ran, ",") != "generic" {
		t.Errorf("with %s=generic ran %v, want [generic]", dispatchtest.OnlyEnv, ran)
	}
}

// TestRequireMissingLevelFails runs a child test that requires a level
// this build lacks (and, if there is one, a compiled level this CPU
// lacks) and checks that it fails rather than skips.
func TestRequireMissingLevelFails(t *testing.T) {
	if os.Getenv("DISPATCHTEST_CHILD") == "1" {
		dispatchtest.ForEachImpl(t, func(t *testing.T, k *dispatch.Kernels) {})
		return
	}
	notBuilt := "neon"
	if runtime.GOARCH == "arm64" {
		notBuilt = "avx2"
	}
	cases := map[string]string{notBuilt: "requires kernel level " + notBuilt}
	for _, im := range dispatch.Impls() {
		if !im.Available {
			cases[im.Level.String()] = "kernel level " + im.Level.String() + " is required"
			break
		}
	}
	for level, msg := range cases {
		cmd := exec.Command(os.Args[0], "-test.run=^TestRequireMissingLevelFails$", "-test.v")
		cmd.Env = append(os.Environ(), "DISPATCHTEST_CHILD=1", dispatchtest.RequireEnv+"="+level)
		out, err := cmd.CombinedOutput()
		if _, exited := err.(*exec.ExitError); err != nil && !exited {
			// E.g. under user-mode emulation, where the test binary
			// cannot exec itself.
			t.Skipf("cannot run a child test process: %v", err)
		}
		if !strings.Contains(string(out), "=== RUN") {
			// The child never started the test binary: under user-mode
			// emulation without binfmt_misc the emulator cannot exec it.
			t.Skipf("child test process did not start (%v): %q", err, out)
		}
		if err == nil {
			t.Errorf("child test passed although %s=%s names a missing level:\n%s", dispatchtest.RequireEnv, level, out)
			continue
		}
		if !strings.Contains(string(out), msg) {
			t.Errorf("%s=%s: child output does not say %q:\n%s", dispatchtest.RequireEnv, level, msg, out)
		}
	}
}
