package main

import (
	"context"
	"encoding/json"
	"fmt"
	goruntime "runtime"
	"slices"
	"time"

	"gorgonia.org/tensor"

	"github.com/onnxrun/onnxrun/runtime"
)

func (c *cli) bench(args []string) error {
	fs := c.newFlags("bench")
	asJSON := fs.Bool("json", false, "print the result as one JSON object")
	runs := fs.Int("n", 20, "timed runs (`RUNS`), after one warm-up run")
	threads := fs.Int("threads", 0, "goroutines per operator (`N`; 0: one per CPU)")
	var inputs inputFlags
	fs.Var(&inputs, "input", "an input as `NAME=FILE` (.pb or .npy); default: test_data_set_0 beside the model, else seeded random data")
	seed := fs.Uint64("seed", 1, "seed of random inputs")
	noOpt := fs.Bool("noopt", false, "load without graph optimisations (runtime.WithoutOptimizations)")
	api := fs.String("api", "dense", "what to time: dense (Session.Run on *tensor.Dense) or values (Session.RunValues)")
	fs.Usage = func() {
		fmt.Fprintf(c.stderr, "Usage: %s bench [flags] MODEL.onnx\n\nTimes Session.Run after a warm-up run.\n\n", c.prog)
		fs.PrintDefaults()
	}
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fs.Usage()
		return errUsage
	}
	if *api != "dense" && *api != "values" {
		return fmt.Errorf("-api %q: want dense or values", *api)
	}
	if *runs < 1 {
		return fmt.Errorf("-n %d: want at least 1 run", *runs)
	}
	path, err := modelPath(pos[0])
	if err != nil {
		return err
	}
	sess, err := loadModel(path, *threads, *noOpt)
	if err != nil {
		return err
	}
	feeds, _, err := chooseInputs(sess, path, inputs, *seed)
	if err != nil {
		return err
	}
	ctx := context.Background()
	runOnce := func() error { _, err := sess.RunValues(ctx, feeds); return err }
	if *api == "dense" {
		dense := make(map[string]*tensor.Dense, len(feeds))
		for name, v := range feeds {
			d, err := runtime.ValueToDense(v)
			if err != nil {
				return fmt.Errorf("input %q: %w", name, err)
			}
			dense[name] = d
		}
		runOnce = func() error { _, err := sess.Run(ctx, dense); return err }
	}
	if err := runOnce(); err != nil {
		return fmt.Errorf("model %q: run: %w", path, err)
	}
	times := make([]time.Duration, *runs)
	var before, after goruntime.MemStats
	goruntime.ReadMemStats(&before)
	for i := range times {
		start := time.Now()
		err := runOnce()
		times[i] = time.Since(start)
		if err != nil {
			return fmt.Errorf("model %q: run %d: %w", path, i+1, err)
		}
	}
	goruntime.ReadMemStats(&after)
	allocs := float64(after.Mallocs-before.Mallocs) / float64(*runs)
	slices.Sort(times)
	median := times[len(times)/2]
	if len(times)%2 == 0 {
		median = (times[len(times)/2-1] + times[len(times)/2]) / 2
	}
	nThreads := *threads
	if nThreads <= 0 {
		nThreads = goruntime.NumCPU()
	}
	if *asJSON {
		return json.NewEncoder(c.stdout).Encode(struct {
			Model        string  `json:"model"`
			Runs         int     `json:"runs"`
			Threads      int     `json:"threads"`
			MedianNS     int64   `json:"median_ns"`
			MinNS        int64   `json:"min_ns"`
			MaxNS        int64   `json:"max_ns"`
			AllocsPerRun float64 `json:"allocs_per_run"`
			API          string  `json:"api"`
		}{path, *runs, nThreads, median.Nanoseconds(), times[0].Nanoseconds(), times[len(times)-1].Nanoseconds(), allocs, *api})
	}
	fmt.Fprintf(c.stdout, "model %s: %d runs of %s, %d thread(s)\n", path, *runs, map[string]string{"dense": "Session.Run", "values": "Session.RunValues"}[*api], nThreads)
	fmt.Fprintf(c.stdout, "median %v  min %v  max %v  allocs/run %.1f\n", median, times[0], times[len(times)-1], allocs)
	return nil
}
