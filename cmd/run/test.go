package main

import (
	"encoding/json"
	"fmt"
	"regexp"
	goruntime "runtime"

	"github.com/onnxrun/onnxrun/conformance"
	"github.com/onnxrun/onnxrun/runtime"
)

// test runs conformance tests; failed reports whether any failed.
func (c *cli) test(args []string) (failed bool, err error) {
	fs := c.newFlags("test")
	asJSON := fs.Bool("json", false, "print one JSON object per test, then a summary object")
	rtol := fs.Float64("rtol", -1, "relative tolerance `R` (default: the suite's, 1e-3 for ONNX tests)")
	atol := fs.Float64("atol", -1, "absolute tolerance `A` (default: the suite's, 1e-7 for ONNX tests)")
	filter := fs.String("run", "", "run only the tests whose name matches regular expression `RE`")
	quiet := fs.Bool("q", false, "print only failures and the summary line")
	verbose := fs.Bool("v", false, "also print the tolerance, largest errors and time of every test")
	coverage := fs.Bool("coverage", false, "print per-operator coverage (tests using each operator, and passing) after the results")
	jobs := fs.Int("j", goruntime.GOMAXPROCS(0), "tests to run at once (`N`); each runs its operators on one goroutine when N > 1")
	update := fs.String("update-manifest", "", "add the passing tests that manifest `FILE` does not list yet to it (it never removes a line)")
	noOpt := fs.Bool("noopt", false, "load without graph optimisations (runtime.WithoutOptimizations)")
	threads := fs.Int("threads", 0, "goroutines per operator (0: one per CPU when -j 1, else 1)")
	fs.Usage = func() {
		fmt.Fprintf(c.stderr, "Usage: %s test [flags] PATH ...\n\nRuns the ONNX backend tests found under each PATH (test folders, or folders above them).\n\n", c.prog)
		fs.PrintDefaults()
	}
	paths, err := parse(fs, args)
	if err != nil {
		return false, err
	}
	if len(paths) == 0 {
		fs.Usage()
		return false, errUsage
	}
	tests, err := conformance.Discover(paths...)
	if err != nil {
		return false, err
	}
	if len(tests) == 0 {
		return false, fmt.Errorf("no tests found in %v (want folders holding a .onnx model and test_data_set_N folders)", paths)
	}
	if *filter != "" {
		re, err := regexp.Compile(*filter)
		if err != nil {
			return false, fmt.Errorf("-run: %w", err)
		}
		kept := tests[:0]
		for _, t := range tests {
			if re.MatchString(t.Name) {
				kept = append(kept, t)
			}
		}
		if len(kept) == 0 {
			return false, fmt.Errorf("-run %q matches none of the %d tests found", *filter, len(tests))
		}
		tests = kept
	}
	var o conformance.Options
	if *rtol >= 0 {
		o.RTol = rtol
	}
	if *atol >= 0 {
		o.ATol = atol
	}
	o.Threads = *threads
	if *noOpt {
		o.Load = append(o.Load, runtime.WithoutOptimizations())
	}
	if o.Threads == 0 && *jobs > 1 {
		o.Threads = 1
	}
	var sum conformance.Summary
	var results []*conformance.Result
	enc := json.NewEncoder(c.stdout)
	var encErr error
	conformance.RunAll(tests, o, *jobs, func(r *conformance.Result) {
		sum.Add(r)
		results = append(results, r)
		if *asJSON {
			if err := enc.Encode(r.JSON()); err != nil && encErr == nil {
				encErr = err
			}
			return
		}
		if *quiet && !r.Status.Failed() {
			return
		}
		fmt.Fprintln(c.stdout, r.Line())
		if *verbose && r.Status != conformance.Skip {
			note := ""
			if r.Test.TolNote != "" && o.RTol == nil && o.ATol == nil {
				note = " (" + r.Test.TolNote + ")"
			}
			fmt.Fprintf(c.stdout, "     rtol %g atol %g%s, %d set(s), max abs err %.3g, max rel err %.3g, %v\n",
				r.Tol.RTol, r.Tol.ATol, note, r.Sets, r.Stats.MaxAbs, r.Stats.MaxRel, r.Duration.Round(1000))
		}
	})
	if encErr != nil {
		return false, encErr
	}
	if *update != "" {
		added, err := conformance.UpdateManifest(*update, results)
		if err != nil {
			return false, err
		}
		fmt.Fprintf(c.stderr, "%s: added %d test(s)\n", *update, len(added))
	}
	cov := conformance.Coverage(results)
	if *asJSON {
		type summary struct {
			Summary  conformance.Summary `json:"summary"`
			Coverage []covJSON           `json:"coverage,omitempty"`
		}
		s := summary{Summary: sum}
		if *coverage {
			for _, c := range cov {
				s.Coverage = append(s.Coverage, covJSON{c.Op, c.Tests, c.Passed, c.Failed, c.Skipped, c.Missing})
			}
		}
		if err := enc.Encode(s); err != nil {
			return false, err
		}
	} else {
		if *coverage {
			fmt.Fprintln(c.stdout)
			conformance.WriteCoverageText(c.stdout, cov)
			fmt.Fprintln(c.stdout)
		}
		fmt.Fprintln(c.stdout, sum.String())
	}
	return sum.Failed > 0, nil
}

type covJSON struct {
	Op      string `json:"op"`
	Tests   int    `json:"tests"`
	Passed  int    `json:"passed"`
	Failed  int    `json:"failed"`
	Skipped int    `json:"skipped"`
	Missing int    `json:"missing"`
}
