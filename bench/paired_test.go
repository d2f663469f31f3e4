package bench

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/onnxrun/onnxrun/dispatch"
)

// BenchmarkPaired compares ONNX Runtime's one-node session run with
// onnxrun's RunInto on the Softmax cases by interleaving them: each of
// b.N rounds times a block of ONNX Runtime runs and then a block of
// onnxrun runs (blocks of about a millisecond), and the reported ratio is
// the median over rounds of ort time / onnxrun time. Figures taken one
// after the other drift with the load on a shared machine (the same
// benchmark moved by a quarter between runs here); a ratio taken within
// each round moves much less. Run with -benchtime Nx (N rounds), e.g.
//
//	go test -run '^$' -bench '^BenchmarkPaired$' -benchtime 300x .
//
// One thread only: ONNX Runtime's pool threads keep spinning for a while
// after a run, and with two threads they take the CPU from the onnxrun
// block that follows (its two-thread time rose by 60 % here), so interleaving
// would measure that rather than either runtime.
//
// Metrics: x-ort (the median ratio; above 1 onnxrun is faster), x-ort-p10
// and x-ort-p90 (its spread over rounds), and each runtime's median time
// per run.
func BenchmarkPaired(b *testing.B) {
	if err := ORTAvailable(); err != nil {
		b.Skip(err)
	}
	dir := b.TempDir()
	for _, op := range []string{"Softmax", "LogSoftmax"} {
		for _, c := range softmaxCases {
			model, x := oneNodeCase(b, dir, op, c)
			name := fmt.Sprintf("%s/%s/axis%d/t1", op, shapeName(c.shape), c.axis)
			b.Run(name, func(b *testing.B) { benchPaired(b, model, c.shape, x) })
		}
	}
}

func benchPaired(b *testing.B, model string, shape []int, x []float32) {
	o := ortOneNode(b, model, shape, x, 1)
	defer o.Close()
	ortRun := func() {
		if err := o.Run(); err != nil {
			b.Fatal(err)
		}
	}
	pairRounds(b, ortRun, runIntoOneNode(b, model, shape, x, 1), "ort", "onnxrun")
}

// pairRounds times a and c in blocks of about a millisecond (at least
// one run; the block size is set on a, after a warm-up of both) once per
// round, b.N rounds, a first in even rounds and c first in odd ones (so
// neither side always runs in the other's wake), and reports the median over rounds of a's time /
// c's time as x-<aName> with its 10th and 90th percentiles, and each
// side's median time per run as <name>-ns/run.
func pairRounds(b *testing.B, a, c func(), aName, cName string) {
	block := func(f func(), k int) float64 {
		t := time.Now()
		for range k {
			f()
		}
		return float64(time.Since(t).Nanoseconds()) / float64(k)
	}
	block(c, 3)
	k := max(1, int(1e6/block(a, 3)))
	var ratios, aNs, cNs []float64
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		var an, cn float64
		if i%2 == 0 {
			an = block(a, k)
			cn = block(c, k)
		} else {
			cn = block(c, k)
			an = block(a, k)
		}
		ratios = append(ratios, an/cn)
		aNs = append(aNs, an)
		cNs = append(cNs, cn)
	}
	b.StopTimer()
	q := func(v []float64, p float64) float64 {
		slices.Sort(v)
		return v[min(len(v)-1, int(p*float64(len(v))))]
	}
	b.ReportMetric(q(ratios, 0.5), "x-"+aName)
	b.ReportMetric(q(ratios, 0.1), "x-"+aName+"-p10")
	b.ReportMetric(q(ratios, 0.9), "x-"+aName+"-p90")
	b.ReportMetric(q(aNs, 0.5), aName+"-ns/run")
	b.ReportMetric(q(cNs, 0.5), cName+"-ns/run")
}

// BenchmarkPairedThreads measures what a second thread gives onnxrun on
// the largest Softmax case by interleaving RunInto on one thread and on
// two, as BenchmarkPaired does: x-t1 is the median over rounds of the
// one-thread time / the two-thread time.
//
//	go test -run '^$' -bench '^BenchmarkPairedThreads$' -benchtime 200x .
func BenchmarkPairedThreads(b *testing.B) {
	dir := b.TempDir()
	for _, op := range []string{"Softmax", "LogSoftmax"} {
		for _, c := range softmaxCases {
			if !slices.Contains(c.threads, 2) {
				continue
			}
			model, x := oneNodeCase(b, dir, op, c)
			b.Run(fmt.Sprintf("%s/%s/axis%d", op, shapeName(c.shape), c.axis), func(b *testing.B) {
				pairRounds(b, runIntoOneNode(b, model, c.shape, x, 1), runIntoOneNode(b, model, c.shape, x, 2), "t1", "t2")
			})
		}
	}
}

// BenchmarkPairedThreadsInCache is BenchmarkPairedThreads' reference:
// the same kernels on rows that stay in each core's L2 (256 calls of the
// row-batch entry on one [1,32000] row, on one goroutine, against 128
// calls on each of two goroutines with rows of their own), so no memory
// traffic is shared. Its x-t1 is what a second thread gives to arithmetic
// alone on this machine, the bound for the figure of the streaming case.
func BenchmarkPairedThreadsInCache(b *testing.B) {
	const d, calls = 32000, 256
	k := dispatch.Active()
	for _, op := range []string{"Softmax", "LogSoftmax"} {
		f := k.SoftmaxRowsF32
		if op == "LogSoftmax" {
			f = k.LogSoftmaxRowsF32
		}
		var xs, ds [2][]float32
		for i := range xs {
			xs[i], ds[i] = make([]float32, d), make([]float32, d)
			for j := range xs[i] {
				xs[i][j] = float32(j%1000) / 100
			}
		}
		one := func() {
			for range calls {
				f(ds[0], xs[0], 1, d)
			}
		}
		two := func() {
			var wg sync.WaitGroup
			for t := range 2 {
				wg.Go(func() {
					for range calls / 2 {
						f(ds[t], xs[t], 1, d)
					}
				})
			}
			wg.Wait()
		}
		b.Run(fmt.Sprintf("%s/%dx%d-in-L2/axis-1", op, calls, d), func(b *testing.B) { pairRounds(b, one, two, "t1", "t2") })
	}
}
