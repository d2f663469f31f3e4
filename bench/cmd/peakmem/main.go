// Command peakmem measures the memory one runtime needs for one model. The
// peak resident set of a process covers everything in it, so each runtime
// is measured in a process of its own that loads nothing else:
//
//	peakmem -runtime ort|onnxrun -model DIR [-threads 1] [-batch 1] [-runs 5]
//
// reads DIR/model.onnx's graph signature and test_data_set_0's inputs
// (repeated -batch times along the first axis), then, for -runtime ort,
// loads ONNX Runtime's library from ORT_LIB and creates its environment.
// It then returns the Go heap's free pages to the system, takes the
// baseline, loads the model in the chosen runtime with -threads intra-op
// threads, runs it -runs times on those inputs and prints one JSON object.
// onnxrun runs through Session.RunValues; ONNX Runtime through a session
// created with bench.ORTOptions (its memory arena and memory patterns at
// their defaults) whose outputs it allocates itself and which are freed
// after each run.
//
// The figures (bytes):
//
//   - baseline_rss: the resident set (VmRSS) just before the model is
//     loaded. It holds the Go runtime, the cgo machinery, the program's
//     code as far as it was touched, the input tensors and, for ort, ONNX
//     Runtime's library as far as its environment setup touched it.
//   - peak_rss: the highest resident set (VmHWM) from the baseline to
//     the end of the last run. The high-water mark is reset to the current
//     resident set just before loading (hwm_reset, through
//     /proc/self/clear_refs); where the kernel refuses, it is the
//     process's peak since it started, which cannot be below the peak
//     after loading.
//   - peak_above_baseline: peak_rss - baseline_rss, what loading and
//     running the model took at the worst moment: the runtime's copy of the
//     weights and anything derived from them (onnxrun's pre-packed GEMM
//     operands, ONNX Runtime's pre-packed and optimized initializers),
//     intermediate values and scratch, buffer pools and arenas, the model
//     file's bytes and decoded protobuf while loading, code pages first
//     touched by the load or the runs, and, for onnxrun, Go heap garbage not
//     yet collected (the collector runs at its default GOGC).
//   - ru_maxrss: getrusage(RUSAGE_SELF)'s maximum resident set, in bytes;
//     after a reset it agrees with peak_rss.
//   - rss_end: the resident set after the last run.
//   - weights: the initializers' and Constant nodes' tensor data, at their
//     element sizes: what either runtime must hold at least.
//
// The Go heap's figures come from runtime.ReadMemStats (runtime/metrics
// counts small allocations late, when a cache of spans is flushed):
//
//   - go_heap_objects_max: the largest HeapAlloc (live objects plus
//     garbage not yet collected) sampled right after the load and after
//     each run; a sample, not the peak inside a run.
//   - go_alloc_load, go_alloc_per_run: TotalAlloc's growth while loading,
//     and per run on average: bytes the Go heap handed out.
//   - go_heap_sys: HeapSys after the last run, the address space the heap
//     has reserved, part of which may be returned (go_heap_released).
//   - go_heap_live: HeapAlloc after the last run and a forced collection,
//     with the session still in use: what the loaded model keeps on the Go
//     heap (all of onnxrun's session, almost nothing for ort). Taken after
//     peak_rss, so the collection does not lower the peak.
//   - go_mapped: Sys minus HeapReleased after the last run, all the memory
//     the Go runtime holds from the system (heap, stacks, its own
//     metadata): an upper bound on the Go side's share of the resident set.
//
// With -list ROOT, peakmem prints one line "BATCH DIR" for each model
// folder under ROOT, at batch 1 and, where the model's one input has a
// symbolic first dimension, batch 8: the cases bench/run.sh measures.
//
// With -table, peakmem instead reads such JSON objects from standard input
// and prints a markdown table, one row per model and batch: weights, each
// runtime's peak_above_baseline, their ratio (onnxrun's over ONNX
// Runtime's), the raw peak_rss of each and onnxrun's go_heap_live, in MB
// (10^6 bytes). Where a measurement was repeated, a cell gives the median
// and the range.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/onnxrun/onnxrun/bench"
	"github.com/onnxrun/onnxrun/operators"
	_ "github.com/onnxrun/onnxrun/operators/all"
	onnxrun "github.com/onnxrun/onnxrun/runtime"
	ort "github.com/yalue/onnxruntime_go"
)

// Result is the JSON object a measurement prints. Sizes are in bytes.
type Result struct {
	Model   string `json:"model"`
	Runtime string `json:"runtime"`
	Threads int    `json:"threads"`
	Batch   int    `json:"batch"`
	Runs    int    `json:"runs"`

	Weights           int64 `json:"weights"`
	BaselineRSS       int64 `json:"baseline_rss"`
	PeakRSS           int64 `json:"peak_rss"`
	PeakAboveBaseline int64 `json:"peak_above_baseline"`
	HWMReset          bool  `json:"hwm_reset"`
	RUMaxRSS          int64 `json:"ru_maxrss"`
	RSSEnd            int64 `json:"rss_end"`

	GoHeapObjectsMax int64 `json:"go_heap_objects_max"`
	GoAllocLoad      int64 `json:"go_alloc_load"`
	GoAllocPerRun    int64 `json:"go_alloc_per_run"`
	GoHeapSys        int64 `json:"go_heap_sys"`
	GoHeapReleased   int64 `json:"go_heap_released"`
	GoHeapLive       int64 `json:"go_heap_live"`
	GoMapped         int64 `json:"go_mapped"`

	LoadMillis   float64 `json:"load_ms"`
	RunMillisAvg float64 `json:"run_ms_avg"`
}

func main() {
	rt := flag.String("runtime", "", "ort or onnxrun")
	dir := flag.String("model", "", "model folder holding model.onnx and test_data_set_0")
	threads := flag.Int("threads", 1, "intra-op threads")
	batch := flag.Int("batch", 1, "copies of the input along the first axis")
	runs := flag.Int("runs", 5, "runs after loading")
	table := flag.Bool("table", false, "read JSON results from stdin and print a markdown table")
	list := flag.String("list", "", "print the model folders under this folder, each with the batches to measure")
	flag.Parse()
	if *table {
		if err := writeTable(os.Stdin, os.Stdout); err != nil {
			fail(err)
		}
		return
	}
	if *list != "" {
		if err := writeList(*list); err != nil {
			fail(err)
		}
		return
	}
	if *dir == "" || (*rt != "ort" && *rt != "onnxrun") || *threads < 1 || *batch < 1 || *runs < 1 {
		fmt.Fprintln(os.Stderr, "usage: peakmem -runtime ort|onnxrun -model DIR [-threads N] [-batch B] [-runs R]\n       peakmem -list ROOT\n       peakmem -table < results.jsonl")
		os.Exit(2)
	}
	res, err := measure(*rt, *dir, *threads, *batch, *runs)
	if err != nil {
		fail(err)
	}
	b, err := json.Marshal(res)
	if err != nil {
		fail(err)
	}
	fmt.Println(string(b))
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "peakmem:", err)
	os.Exit(1)
}

// model is one loaded model in one runtime.
type model interface {
	run() error
	close()
}

func measure(rt, dir string, threads, batch, runs int) (*Result, error) {
	info, err := bench.ReadModelInfo(dir)
	if err != nil {
		return nil, err
	}
	ins, err := bench.ReadInputs(dir, info.Inputs, batch)
	if err != nil {
		return nil, err
	}
	var load func() (model, error)
	switch rt {
	case "onnxrun":
		load = func() (model, error) { return loadRun(dir, ins, threads) }
	case "ort":
		if err := bench.ORTAvailable(); err != nil {
			return nil, err
		}
		in, err := ortInputs(info, ins)
		if err != nil {
			return nil, err
		}
		defer func() {
			for _, v := range in {
				v.Destroy()
			}
		}()
		load = func() (model, error) { return loadORT(dir, info, in, threads) }
	}
	res := &Result{Model: filepath.Base(dir), Runtime: rt, Threads: threads, Batch: batch, Runs: runs, Weights: info.WeightBytes}

	// The model's decoded graph and the input files' bytes are garbage
	// now; give their pages back so the baseline does not hold them.
	runtime.GC()
	debug.FreeOSMemory()
	st, err := procStatus()
	if err != nil {
		return nil, err
	}
	res.BaselineRSS = st["VmRSS"]
	res.HWMReset = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	allocs0 := ms.TotalAlloc

	t0 := time.Now()
	m, err := load()
	if err != nil {
		return nil, err
	}
	defer m.close()
	res.LoadMillis = float64(time.Since(t0).Microseconds()) / 1000
	runtime.ReadMemStats(&ms)
	allocs1 := ms.TotalAlloc
	res.GoAllocLoad = int64(allocs1 - allocs0)
	res.GoHeapObjectsMax = int64(ms.HeapAlloc)
	t1 := time.Now()
	for range runs {
		if err := m.run(); err != nil {
			return nil, err
		}
		runtime.ReadMemStats(&ms)
		res.GoHeapObjectsMax = max(res.GoHeapObjectsMax, int64(ms.HeapAlloc))
	}
	res.RunMillisAvg = float64(time.Since(t1).Microseconds()) / 1000 / float64(runs)
	res.GoAllocPerRun = int64(ms.TotalAlloc-allocs1) / int64(runs)
	res.GoHeapSys, res.GoHeapReleased = int64(ms.HeapSys), int64(ms.HeapReleased)
	res.GoMapped = int64(ms.Sys - ms.HeapReleased)

	if st, err = procStatus(); err != nil {
		return nil, err
	}
	res.PeakRSS, res.RSSEnd = st["VmHWM"], st["VmRSS"]
	res.PeakAboveBaseline = res.PeakRSS - res.BaselineRSS
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err == nil {
		res.RUMaxRSS = ru.Maxrss << 10 // kilobytes on Linux
	}
	runtime.GC()
	runtime.ReadMemStats(&ms)
	res.GoHeapLive = int64(ms.HeapAlloc)
	runtime.KeepAlive(m)
	return res, nil
}

func writeList(root string) error {
	dirs, err := bench.ModelDirs(root)
	if err != nil {
		return err
	}
	for _, d := range dirs {
		info, err := bench.ReadModelInfo(d)
		if err != nil {
			return err
		}
		fmt.Println(1, d)
		if info.Batchable {
			fmt.Println(8, d)
		}
	}
	return nil
}

type runModel struct {
	s   *onnxrun.Session
	ins map[string]*operators.Value
}

func loadRun(dir string, ins map[string]*operators.Value, threads int) (model, error) {
	s, err := onnxrun.Load(filepath.Join(dir, "model.onnx"), onnxrun.WithThreads(threads))
	if err != nil {
		return nil, err
	}
	return &runModel{s, ins}, nil
}

func (m *runModel) run() error {
	_, err := m.s.RunValues(context.Background(), m.ins)
	return err
}

func (m *runModel) close() {}

type ortModel struct {
	s    *ort.DynamicAdvancedSession
	o    *ort.SessionOptions
	ins  []ort.Value
	outs []ort.Value
}

// ortInputs makes ONNX Runtime tensors of the inputs, in the model's order.
func ortInputs(info *bench.ModelInfo, ins map[string]*operators.Value) ([]ort.Value, error) {
	var vs []ort.Value
	for _, name := range info.Inputs {
		v := ins[name]
		if v.DType != operators.Float32 {
			for _, w := range vs {
				w.Destroy()
			}
			return nil, fmt.Errorf("input %q is %v; the ONNX Runtime runner binds float32 only", name, v.DType)
		}
		shape := make([]int64, len(v.Shape))
		for i, d := range v.Shape {
			shape[i] = int64(d)
		}
		t, err := ort.NewTensor(ort.NewShape(shape...), v.F32())
		if err != nil {
			for _, w := range vs {
				w.Destroy()
			}
			return nil, fmt.Errorf("input %q: %w", name, err)
		}
		vs = append(vs, t)
	}
	return vs, nil
}

func loadORT(dir string, info *bench.ModelInfo, ins []ort.Value, threads int) (model, error) {
	o, err := bench.ORTOptions(threads)
	if err != nil {
		return nil, err
	}
	s, err := ort.NewDynamicAdvancedSession(filepath.Join(dir, "model.onnx"), info.Inputs, info.Outputs, o)
	if err != nil {
		o.Destroy()
		return nil, err
	}
	return &ortModel{s: s, o: o, ins: ins, outs: make([]ort.Value, len(info.Outputs))}, nil
}

// run lets ONNX Runtime allocate the outputs and frees them afterwards.
func (m *ortModel) run() error {
	clear(m.outs)
	err := m.s.Run(m.ins, m.outs)
	for _, v := range m.outs {
		if v != nil {
			v.Destroy()
		}
	}
	return err
}

func (m *ortModel) close() {
	m.s.Destroy()
	m.o.Destroy()
}

// procStatus reads the kB fields of /proc/self/status, in bytes.
func procStatus() (map[string]int64, error) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return nil, err
	}
	st := map[string]int64{}
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(line, ":")
		f := strings.Fields(v)
		if !ok || len(f) != 2 || f[1] != "kB" {
			continue
		}
		if n, err := strconv.ParseInt(f[0], 10, 64); err == nil {
			st[k] = n << 10
		}
	}
	if st["VmRSS"] == 0 || st["VmHWM"] == 0 {
		return nil, fmt.Errorf("/proc/self/status has no VmRSS or VmHWM")
	}
	return st, nil
}
