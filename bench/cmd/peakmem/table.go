package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
)

// writeTable reads Results (one JSON object after another) from in and
// prints one markdown row per model, batch and thread count, in the order
// they first appear. A measurement repeated in several processes shows its
// median and, when they differ, the smallest and largest value: the Go
// collector's timing (and ONNX Runtime's arena growth) moves a peak from
// one process to the next.
func writeTable(in io.Reader, w io.Writer) error {
	type key struct {
		model          string
		batch, threads int
	}
	rows := map[key]map[string][]*Result{}
	var order []key
	dec := json.NewDecoder(in)
	for {
		r := &Result{}
		if err := dec.Decode(r); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return err
		}
		k := key{r.Model, r.Batch, r.Threads}
		if rows[k] == nil {
			rows[k] = map[string][]*Result{}
			order = append(order, k)
		}
		rows[k][r.Runtime] = append(rows[k][r.Runtime], r)
	}
	fmt.Fprintln(w, "| model | batch | weights MB | ort peak MB | onnxrun peak MB | onnxrun ÷ ort | ort raw peak MB | onnxrun raw peak MB | onnxrun live heap MB |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---:|---:|---:|")
	above := func(x *Result) int64 { return x.PeakAboveBaseline }
	raw := func(x *Result) int64 { return x.PeakRSS }
	live := func(x *Result) int64 { return x.GoHeapLive }
	for _, k := range order {
		o, r := rows[k]["ort"], rows[k]["onnxrun"]
		name := k.model
		if k.threads != 1 {
			name += fmt.Sprintf(" (t%d)", k.threads)
		}
		var weights int64
		for _, x := range append(slices.Clone(o), r...) {
			weights = x.Weights
		}
		ratio := "–"
		if mo, mr := median(o, above), median(r, above); mo > 0 && mr > 0 {
			ratio = fmt.Sprintf("%.2f", mr/mo)
		}
		fmt.Fprintf(w, "| %s | %d | %s | %s | %s | %s | %s | %s | %s |\n", name, k.batch, mb(float64(weights)),
			spread(o, above), spread(r, above), ratio, spread(o, raw), spread(r, raw), spread(r, live))
	}
	return nil
}

// median is the median of f over rs, or 0 when rs is empty.
func median(rs []*Result, f func(*Result) int64) float64 {
	v := values(rs, f)
	switch {
	case len(v) == 0:
		return 0
	case len(v)%2 == 1:
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

func values(rs []*Result, f func(*Result) int64) []float64 {
	v := make([]float64, len(rs))
	for i, r := range rs {
		v[i] = float64(f(r))
	}
	slices.Sort(v)
	return v
}

// spread formats the median of f over rs in MB, followed by the range
// when the values differ as printed.
func spread(rs []*Result, f func(*Result) int64) string {
	if len(rs) == 0 {
		return "–"
	}
	v := values(rs, f)
	s := mb(median(rs, f))
	if lo, hi := mb(v[0]), mb(v[len(v)-1]); lo != hi {
		s += fmt.Sprintf(" (%s–%s)", lo, hi)
	}
	return s
}

// mb formats bytes in MB (10^6 bytes), with two decimals below 10 MB.
func mb(n float64) string {
	if n < 10e6 {
		return fmt.Sprintf("%.2f", n/1e6)
	}
	return fmt.Sprintf("%.1f", n/1e6)
}
