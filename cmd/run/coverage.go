package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	goruntime "runtime"

	"github.com/onnxrun/onnxrun/conformance"
)

// coverage runs suites and writes the per-operator table as Markdown.
func (c *cli) coverage(args []string) error {
	fs := c.newFlags("coverage")
	out := fs.String("o", "", "write the Markdown to `FILE` instead of standard output")
	jobs := fs.Int("j", goruntime.GOMAXPROCS(0), "tests to run at once")
	fs.Usage = func() {
		fmt.Fprintf(c.stderr, "Usage: %s coverage [-o FILE] [PATH ...]\n\nRuns conformance suites (default: every suite in $ONNXRUN_TESTDATA) and writes per-operator coverage as Markdown.\n\n", c.prog)
		fs.PrintDefaults()
	}
	paths, err := parse(fs, args)
	if err != nil {
		return err
	}
	type suite struct{ name, dir string }
	var suites []suite
	if len(paths) == 0 {
		root := os.Getenv("ONNXRUN_TESTDATA")
		if root == "" {
			return fmt.Errorf("coverage: ONNXRUN_TESTDATA is not set; set it to the shared test data folder (the one holding onnx/ and models/) or give paths")
		}
		for _, s := range conformance.Suites {
			dir := filepath.Join(root, s.Path)
			if _, err := os.Stat(dir); err == nil {
				suites = append(suites, suite{s.Name, dir})
			}
		}
	} else {
		for _, p := range paths {
			suites = append(suites, suite{p, p})
		}
	}
	var all []*conformance.Result
	var sums []conformance.SuiteSummary
	for _, s := range suites {
		tests, err := conformance.Discover(s.dir)
		if err != nil {
			return err
		}
		ss := conformance.SuiteSummary{Name: s.name}
		conformance.RunAll(tests, conformance.Options{Threads: 1}, *jobs, func(r *conformance.Result) {
			ss.Summary.Add(r)
			all = append(all, r)
		})
		fmt.Fprintf(c.stderr, "%s: %v\n", s.name, ss.Summary)
		sums = append(sums, ss)
	}
	var b bytes.Buffer
	conformance.WriteCoverageMarkdown(&b, sums, conformance.Coverage(all))
	if *out == "" {
		_, err := c.stdout.Write(b.Bytes())
		return err
	}
	return os.WriteFile(*out, b.Bytes(), 0o644)
}
