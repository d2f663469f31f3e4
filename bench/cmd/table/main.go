// Command table turns `go test -bench` output of the bench package into a
// markdown table: one row per case, the median time of each implementation
// over repeated runs (-count), and each onnxrun implementation's
// throughput relative to ONNX Runtime's (ort time / onnxrun time, so > 1
// means onnxrun is faster).
//
//	go test -bench . -count 5 | tee bench.txt
//	go run ./cmd/table < bench.txt
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

type sample struct {
	ns    float64
	extra map[string]float64 // other metrics (elem/ns, MB/s)
}

func main() {
	rows, impls, order := parse(os.Stdin)
	write(os.Stdout, rows, impls, order)
}

// parse reads benchmark lines named .../impl=<impl>[-procs] and groups them
// by the part before /impl=.
func parse(r io.Reader) (map[string]map[string][]sample, []string, []string) {
	rows := map[string]map[string][]sample{}
	var impls, order []string
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		name := f[0]
		if i := strings.LastIndexByte(name, '-'); i > 0 {
			if _, err := strconv.Atoi(name[i+1:]); err == nil {
				name = name[:i]
			}
		}
		k := strings.Index(name, "/impl=")
		if k < 0 {
			continue
		}
		row, impl := strings.TrimPrefix(name[:k], "Benchmark"), name[k+len("/impl="):]
		s := sample{extra: map[string]float64{}}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				continue
			}
			if f[i+1] == "ns/op" {
				s.ns = v
			} else {
				s.extra[f[i+1]] = v
			}
		}
		if rows[row] == nil {
			rows[row] = map[string][]sample{}
			order = append(order, row)
		}
		rows[row][impl] = append(rows[row][impl], s)
		if !slices.Contains(impls, impl) {
			impls = append(impls, impl)
		}
	}
	return rows, impls, order
}

func median(ss []sample) float64 {
	v := make([]float64, len(ss))
	for i, s := range ss {
		v[i] = s.ns
	}
	slices.Sort(v)
	if len(v) == 0 {
		return 0
	}
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

func dur(ns float64) string {
	if ns == 0 {
		return "–"
	}
	return time.Duration(ns).Round(time.Duration(max(1, int64(ns)/1000))).String()
}

func write(w io.Writer, rows map[string]map[string][]sample, impls, order []string) {
	var others []string
	for _, im := range impls {
		if im != "ort" {
			others = append(others, im)
		}
	}
	fmt.Fprintf(w, "| case | ort |")
	for _, im := range others {
		fmt.Fprintf(w, " %s | ×ort |", im)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "|---|---:|")
	for range others {
		fmt.Fprintf(w, "---:|---:|")
	}
	fmt.Fprintln(w)
	for _, row := range order {
		ort := median(rows[row]["ort"])
		fmt.Fprintf(w, "| %s | %s |", row, dur(ort))
		for _, im := range others {
			t := median(rows[row][im])
			ratio := "–"
			if t > 0 && ort > 0 {
				ratio = fmt.Sprintf("%.2f", ort/t)
			}
			fmt.Fprintf(w, " %s | %s |", dur(t), ratio)
		}
		fmt.Fprintln(w)
	}
}
