package conformance

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Manifest is a list of tests that must pass. Each non-blank line of its
// file is a test name or a regular expression that must match a whole
// name, optionally followed by tags separated by spaces; text after '#'
// is a comment. The tag "slow" marks tests that take many seconds: the
// suite test runs them only when ONNXRUN_SLOW=1.
type Manifest struct {
	Path    string
	Entries []ManifestEntry
}

// ManifestEntry is one line of a manifest.
type ManifestEntry struct {
	Line    int
	Pattern string
	Tags    []string
	re      *regexp.Regexp
}

// ReadManifest reads a manifest file.
func ReadManifest(path string) (*Manifest, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	m, err := ParseManifest(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	m.Path = path
	return m, nil
}

// ParseManifest parses manifest text.
func ParseManifest(r io.Reader) (*Manifest, error) {
	m := &Manifest{}
	sc := bufio.NewScanner(r)
	for ln := 1; sc.Scan(); ln++ {
		s := sc.Text()
		if i := strings.IndexByte(s, '#'); i >= 0 {
			s = s[:i]
		}
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		fields := strings.Fields(s)
		re, err := regexp.Compile("^(?:" + fields[0] + ")$")
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", ln, err)
		}
		m.Entries = append(m.Entries, ManifestEntry{Line: ln, Pattern: fields[0], Tags: fields[1:], re: re})
	}
	return m, sc.Err()
}

// Match reports whether the manifest lists name.
func (m *Manifest) Match(name string) bool {
	for _, e := range m.Entries {
		if e.re.MatchString(name) {
			return true
		}
	}
	return false
}

// Tagged reports whether an entry that matches name carries tag.
func (m *Manifest) Tagged(name, tag string) bool {
	for _, e := range m.Entries {
		if e.re.MatchString(name) && slices.Contains(e.Tags, tag) {
			return true
		}
	}
	return false
}

// Unused returns the entries that match none of names: stale lines.
func (m *Manifest) Unused(names []string) []ManifestEntry {
	var out []ManifestEntry
	for _, e := range m.Entries {
		used := false
		for _, n := range names {
			if e.re.MatchString(n) {
				used = true
				break
			}
		}
		if !used {
			out = append(out, e)
		}
	}
	return out
}

// Suite is one directory of tests with its manifest.
type Suite struct {
	Name     string // e.g. "onnx/node"
	Path     string // relative to the test-data root ($ONNXRUN_TESTDATA)
	Manifest string // file name in this package's directory
	Heavy    bool   // whole networks: skipped by go test -short
}

// Suites are the suites of the shared test data, in the order they run.
var Suites = []Suite{
	{Name: "onnx/node", Path: "onnx/node", Manifest: "node.txt"},
	{Name: "onnx/node-softmax-latest", Path: "onnx/node-softmax-latest", Manifest: "node-softmax-latest.txt"},
	{Name: "onnx/node-softmax-legacy", Path: "onnx/node-softmax-legacy", Manifest: "node-softmax-legacy.txt"},
	{Name: "onnx/simple", Path: "onnx/simple", Manifest: "simple.txt"},
	{Name: "onnx/pytorch-converted", Path: "onnx/pytorch-converted", Manifest: "pytorch-converted.txt"},
	{Name: "onnx/pytorch-operator", Path: "onnx/pytorch-operator", Manifest: "pytorch-operator.txt"},
	{Name: "onnx/light", Path: "onnx/light", Manifest: "light.txt", Heavy: true},
	{Name: "models", Path: "models", Manifest: "models.txt", Heavy: true},
	{Name: "models-quantized", Path: "models-quantized", Manifest: "models-quantized.txt", Heavy: true},
	{Name: "models-edge", Path: "models-edge", Manifest: "models-edge.txt", Heavy: true},
}

// OwnSuite is the project's own models (models/testdata, relative to the
// repository root), which need no external data.
var OwnSuite = Suite{Name: "testdata", Path: "models/testdata", Manifest: "testdata.txt"}

// SlowThreshold is the run time from which UpdateManifest tags a newly
// listed test "slow".
const SlowThreshold = 5 * time.Second

// UpdateManifest adds to the manifest file at path every passing result
// that no line matches yet (tagged "slow" if it took SlowThreshold or
// more) and returns their names. It never removes or changes a line, so a
// listed test that stops passing still fails the suite test. The header
// (the comment and blank lines before the first entry) stays on top;
// entry lines are sorted.
func UpdateManifest(path string, results []*Result) ([]string, error) {
	b, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		return nil, err
	}
	m, err := ParseManifest(strings.NewReader(string(b)))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var added []string
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(b) == 0 {
		lines = nil
	}
	var header, entries []string
	for _, l := range lines {
		t := strings.TrimSpace(l)
		if len(entries) == 0 && (t == "" || strings.HasPrefix(t, "#")) {
			header = append(header, l)
			continue
		}
		if t != "" {
			entries = append(entries, l)
		}
	}
	for _, r := range results {
		if r.Status != Pass || m.Match(r.Test.Name) {
			continue
		}
		line := regexp.QuoteMeta(r.Test.Name)
		if r.Duration >= SlowThreshold {
			line += " slow"
		}
		entries = append(entries, line)
		added = append(added, r.Test.Name)
	}
	if len(added) == 0 {
		return nil, nil
	}
	slices.SortStableFunc(entries, func(a, b string) int { return strings.Compare(strings.TrimSpace(a), strings.TrimSpace(b)) })
	out := strings.Join(append(header, entries...), "\n") + "\n"
	return added, os.WriteFile(path, []byte(out), 0o644)
}
