package main

import (
	"bytes"
	"encoding/json"
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
	asJSON := fs.Bool("json", false, "print {suites, operators} as one JSON object instead of Markdown")
	fs.Usage = func() {
		fmt.Fprintf(c.stderr, "Usage: %s coverage [-json] [-o FILE] [PATH ...]\n\nRuns conformance suites (default: every suite in $ONNXRUN_TESTDATA) and writes per-operator coverage as Markdown.\n\n", c.prog)
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
	if *asJSON {
		type suiteJSON struct {
			Name string `json:"name"`
			conformance.Summary
		}
		type opJSON struct {
			Op      string `json:"op"`
			Tests   int    `json:"tests"`
			Passed  int    `json:"passed"`
			Failed  int    `json:"failed"`
			Skipped int    `json:"skipped"`
			Missing int    `json:"missing"` // skipped tests in which this operator is unsupported
		}
		var out struct {
			Suites    []suiteJSON `json:"suites"`
			Operators []opJSON    `json:"operators"`
		}
		for _, s := range sums {
			out.Suites = append(out.Suites, suiteJSON{s.Name, s.Summary})
		}
		for _, o := range conformance.Coverage(all) {
			out.Operators = append(out.Operators, opJSON{o.Op, o.Tests, o.Passed, o.Failed, o.Skipped, o.Missing})
		}
		e := json.NewEncoder(&b)
		e.SetIndent("", "  ")
		if err := e.Encode(out); err != nil {
			return err
		}
	} else {
		conformance.WriteCoverageMarkdown(&b, sums, conformance.Coverage(all))
	}
	if *out == "" {
		_, err := c.stdout.Write(b.Bytes())
		return err
	}
	return os.WriteFile(*out, b.Bytes(), 0o644)
}
