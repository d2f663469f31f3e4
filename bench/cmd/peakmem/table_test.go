package main

import (
	"strings"
	"testing"
)

func TestWriteTable(t *testing.T) {
	// Three ort and two onnxrun processes for one case, one onnxrun
	// process for another: medians (middle value, mean of the two middle
	// values), ranges, and "–" where a runtime is missing.
	in := `
{"model":"m","runtime":"ort","threads":1,"batch":1,"weights":2000000,"peak_above_baseline":10000000,"peak_rss":50000000}
{"model":"m","runtime":"onnxrun","threads":1,"batch":1,"weights":2000000,"peak_above_baseline":20000000,"peak_rss":40000000,"go_heap_live":5000000}
{"model":"m","runtime":"ort","threads":1,"batch":1,"weights":2000000,"peak_above_baseline":12000000,"peak_rss":52000000}
{"model":"m","runtime":"onnxrun","threads":1,"batch":1,"weights":2000000,"peak_above_baseline":24000000,"peak_rss":44000000,"go_heap_live":5000000}
{"model":"m","runtime":"ort","threads":1,"batch":1,"weights":2000000,"peak_above_baseline":30000000,"peak_rss":70000000}
{"model":"m","runtime":"onnxrun","threads":1,"batch":8,"weights":2000000,"peak_above_baseline":64000000,"peak_rss":84000000,"go_heap_live":50000000}
`
	var out strings.Builder
	if err := writeTable(strings.NewReader(in), &out); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	want := []string{
		"| m | 1 | 2.00 | 12.0 (10.0–30.0) | 22.0 (20.0–24.0) | 1.83 | 52.0 (50.0–70.0) | 42.0 (40.0–44.0) | 5.00 |",
		"| m | 8 | 2.00 | – | 64.0 | – | – | 84.0 | 50.0 |",
	}
	if len(lines) != 2+len(want) {
		t.Fatalf("got %d lines, want %d:\n%s", len(lines), 2+len(want), out.String())
	}
	for i, w := range want {
		if lines[2+i] != w {
			t.Errorf("row %d:\ngot  %s\nwant %s", i, lines[2+i], w)
		}
	}
}

func TestWriteTableRejectsBadJSON(t *testing.T) {
	var out strings.Builder
	if err := writeTable(strings.NewReader(`{"model": 3}`), &out); err == nil {
		t.Error("a model name that is a number was accepted")
	}
}
