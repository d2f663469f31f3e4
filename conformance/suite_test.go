package conformance

import (
	"os"
	"path/filepath"
	goruntime "runtime"
	"strings"
	"testing"
	"time"
)

// TestOwnModels runs the project's own models (models/testdata) against
// testdata.txt; it needs no external data.
func TestOwnModels(t *testing.T) {
	runSuite(t, OwnSuite, filepath.Join("..", "models", "testdata"))
}

// TestSuites runs every suite of the shared test data against its
// manifest. It fails when a listed test does not pass, and when a test
// passes that its manifest does not list yet, so the manifests record
// progress. go test -short leaves out the suites of whole networks.
func TestSuites(t *testing.T) {
	root := os.Getenv("ONNXRUN_TESTDATA")
	if root == "" {
		t.Skip("ONNXRUN_TESTDATA is not set; point it at the shared test data (the folder holding onnx/ and models/, e.g. ONNXRUN_TESTDATA=$PWD/../shared) to run the ONNX conformance suites")
	}
	for _, s := range Suites {
		t.Run(s.Name, func(t *testing.T) {
			if s.Heavy && testing.Short() {
				t.Skipf("%s runs whole networks; skipped with -short", s.Name)
			}
			dir := filepath.Join(root, s.Path)
			if _, err := os.Stat(dir); err != nil {
				t.Skipf("%s: %v", s.Name, err)
			}
			runSuite(t, s, dir)
		})
	}
}

func runSuite(t *testing.T, s Suite, dir string) {
	m, err := ReadManifest(s.Manifest)
	if err != nil {
		t.Fatalf("manifest for %s: %v", s.Name, err)
	}
	tests, err := Discover(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(tests) == 0 {
		t.Fatalf("no tests found in %s", dir)
	}
	slow := os.Getenv("ONNXRUN_SLOW") == "1"
	var run []*Test
	var names []string
	skipped := 0
	for _, tt := range tests {
		names = append(names, tt.Name)
		if !slow && m.Tagged(tt.Name, "slow") {
			skipped++
			continue
		}
		run = append(run, tt)
	}
	if skipped > 0 {
		t.Logf("%s: %d test(s) tagged slow in %s not run; set ONNXRUN_SLOW=1 to run them", s.Name, skipped, s.Manifest)
	}
	start := time.Now()
	var sum Summary
	var unlisted []string
	workers := goruntime.GOMAXPROCS(0)
	RunAll(run, Options{Threads: 1}, workers, func(r *Result) {
		sum.Add(r)
		listed := m.Match(r.Test.Name)
		switch {
		case listed && r.Status != Pass:
			t.Errorf("%s (listed in %s)", r.Line(), s.Manifest)
		case !listed && r.Status == Pass:
			unlisted = append(unlisted, r.Test.Name)
		}
	})
	t.Logf("%s: %v in %v", s.Name, sum, time.Since(start).Round(time.Millisecond))
	if len(unlisted) > 0 {
		t.Errorf("%d test(s) of %s pass but %s does not list them; add it to the manifest (go run ./cmd/run test -update-manifest conformance/%s %s):\n%s",
			len(unlisted), s.Name, s.Manifest, s.Manifest, dir, strings.Join(unlisted, "\n"))
	}
	for _, e := range m.Unused(names) {
		t.Errorf("%s:%d: %q matches no test in %s; remove the line", s.Manifest, e.Line, e.Pattern, dir)
	}
}
