package conformance

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"sync"
)

// RunAll runs tests on up to workers goroutines (at least one) and calls
// emit with each result in the order of tests, as soon as it and every
// result before it are ready.
func RunAll(tests []*Test, o Options, workers int, emit func(*Result)) {
	workers = max(1, min(workers, len(tests)))
	results := make([]*Result, len(tests))
	done := make([]chan struct{}, len(tests))
	for i := range done {
		done[i] = make(chan struct{})
	}
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				results[i] = tests[i].Run(o)
				close(done[i])
			}
		}()
	}
	go func() {
		for i := range tests {
			next <- i
		}
		close(next)
	}()
	for i := range tests {
		<-done[i]
		if emit != nil {
			emit(results[i])
		}
	}
	wg.Wait()
}

// Line formats a result as one line: "PASS name", "FAIL name: ...",
// "SKIP name: unsupported Conv(11), MaxPool(11)".
func (r *Result) Line() string {
	name := r.Test.Name
	switch r.Status {
	case Pass:
		return "PASS " + name
	case Skip:
		if len(r.Unsupported) == 0 && r.Err != nil {
			return "SKIP " + name + ": " + r.errText()
		}
		return "SKIP " + name + ": unsupported " + FormatUnsupported(r)
	case Fail:
		return "FAIL " + name + ": " + r.Mismatch.String()
	}
	return fmt.Sprintf("FAIL %s: error: %s", name, r.errText())
}

// errText is r.Err without the model path the runtime puts in front (the
// line already names the test).
func (r *Result) errText() string {
	if r.Err == nil {
		return "<nil>"
	}
	return strings.TrimPrefix(r.Err.Error(), r.Test.Model+": ")
}

// FormatUnsupported lists a skipped test's missing operators as
// "Conv(11), com.microsoft.QLinearAdd(1)".
func FormatUnsupported(r *Result) string {
	var parts []string
	for _, op := range r.Unsupported {
		name := op.OpType
		if op.Domain != "" && op.Domain != "ai.onnx" {
			name = op.Domain + "." + op.OpType
		}
		parts = append(parts, fmt.Sprintf("%s(%d)", name, op.Opset))
	}
	if len(parts) == 0 {
		return "operators"
	}
	return strings.Join(parts, ", ")
}

// Summary counts results.
type Summary struct {
	Passed  int `json:"passed"`
	Failed  int `json:"failed"` // includes errors
	Skipped int `json:"skipped"`
	Errors  int `json:"errors"`
}

// Add counts one result.
func (s *Summary) Add(r *Result) {
	switch r.Status {
	case Pass:
		s.Passed++
	case Skip:
		s.Skipped++
	case Error:
		s.Errors++
		s.Failed++
	default:
		s.Failed++
	}
}

// String is the summary line: "N passed, M failed, K skipped".
func (s Summary) String() string {
	return fmt.Sprintf("%d passed, %d failed, %d skipped", s.Passed, s.Failed, s.Skipped)
}

// jsonFloat encodes non-finite values as the strings "NaN", "Infinity"
// and "-Infinity", which encoding/json refuses to write as numbers.
type jsonFloat float64

func (f jsonFloat) MarshalJSON() ([]byte, error) {
	v := float64(f)
	switch {
	case math.IsNaN(v):
		return []byte(`"NaN"`), nil
	case math.IsInf(v, 1):
		return []byte(`"Infinity"`), nil
	case math.IsInf(v, -1):
		return []byte(`"-Infinity"`), nil
	}
	return json.Marshal(v)
}

// JSONUnsupported is one missing operator in JSON output.
type JSONUnsupported struct {
	Domain string   `json:"domain,omitempty"`
	OpType string   `json:"op_type"`
	Opset  int      `json:"opset"`
	Nodes  []string `json:"nodes,omitempty"`
}

// JSONResult is a Result as the CLI prints it with -json.
type JSONResult struct {
	Name        string            `json:"name"`
	Dir         string            `json:"dir"`
	Status      string            `json:"status"` // pass, fail, skip, error
	Sets        int               `json:"sets"`
	RTol        float64           `json:"rtol"`
	ATol        float64           `json:"atol"`
	MaxAbs      jsonFloat         `json:"max_abs_err"`
	MaxRel      jsonFloat         `json:"max_rel_err"`
	Set         string            `json:"set,omitempty"`
	Output      string            `json:"output,omitempty"`
	Reason      string            `json:"reason,omitempty"`
	Index       []int             `json:"index,omitempty"`
	FlatIndex   *int              `json:"flat_index,omitempty"`
	Got         *jsonFloat        `json:"got,omitempty"`
	Want        *jsonFloat        `json:"want,omitempty"`
	AbsErr      *jsonFloat        `json:"abs_err,omitempty"`
	RelErr      *jsonFloat        `json:"rel_err,omitempty"`
	BadElements int               `json:"bad_elements,omitempty"`
	Top1        string            `json:"top1,omitempty"`
	Unsupported []JSONUnsupported `json:"unsupported,omitempty"`
	Error       string            `json:"error,omitempty"`
	Ops         []string          `json:"ops,omitempty"`
	DurationNS  int64             `json:"duration_ns"`
}

// JSON converts r for JSON output.
func (r *Result) JSON() JSONResult {
	j := JSONResult{
		Name: r.Test.Name, Dir: r.Test.Dir, Status: strings.ToLower(r.Status.String()),
		Sets: r.Sets, RTol: r.Tol.RTol, ATol: r.Tol.ATol,
		MaxAbs: jsonFloat(r.Stats.MaxAbs), MaxRel: jsonFloat(r.Stats.MaxRel),
		Ops: r.Ops, DurationNS: r.Duration.Nanoseconds(),
	}
	if m := r.Mismatch; m != nil {
		j.Set, j.Output, j.Reason = m.Set, m.Output, m.Reason
		if m.Reason == "" {
			idx := m.Index
			got, want, ae, re := jsonFloat(m.Got), jsonFloat(m.Want), jsonFloat(m.AbsErr), jsonFloat(m.RelErr)
			j.Index, j.FlatIndex, j.Got, j.Want, j.AbsErr, j.RelErr = m.MultiIndex, &idx, &got, &want, &ae, &re
			j.BadElements, j.Top1 = m.Count, m.Top1
		}
	}
	for _, op := range r.Unsupported {
		j.Unsupported = append(j.Unsupported, JSONUnsupported{Domain: op.Domain, OpType: op.OpType, Opset: op.Opset, Nodes: op.Nodes})
	}
	if r.Err != nil {
		j.Error = r.Err.Error()
	}
	return j
}
