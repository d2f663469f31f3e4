package main

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"
)

func TestVersionRanges(t *testing.T) {
	for _, c := range []struct {
		since []int
		want  string
	}{
		{[]int{1}, "1+"},
		{[]int{1, 11, 13}, "1–10, 11–12, 13+"},
		{[]int{6, 7}, "6, 7+"},
	} {
		if got := versionRanges(c.since); got != c.want {
			t.Errorf("versionRanges(%v) = %q, want %q", c.since, got, c.want)
		}
	}
}

// TestREADMEOperatorTable fails when the README's supported-operator
// table is not what the registry holds.
func TestREADMEOperatorTable(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var table bytes.Buffer
	opsMarkdown(&table)
	want, err := replaceOps(string(b), table.String())
	if err != nil {
		t.Fatalf("README.md: %v", err)
	}
	if want != string(b) {
		t.Errorf("README.md's operator table differs from the registry; run: go run ./cmd/run ops -readme README.md")
	}
}

func TestOpsCommand(t *testing.T) {
	code, out, errOut := cmd(t, "ops", "-json")
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	var rows []opRow
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range rows {
		if r.Op == "Softmax" && r.Domain == "ai.onnx" {
			// Softmax changed meaning at opsets 11 and 13 and each needs
			// its own implementation.
			found = len(r.Since) >= 2 && r.Since[0] == 1
		}
	}
	if !found {
		t.Errorf("no ai.onnx Softmax from opset 1 with several versions in %d rows", len(rows))
	}
	code, out, _ = cmd(t, "ops", "-markdown")
	if code != 0 || !strings.Contains(out, "| Softmax | ai.onnx |") {
		t.Errorf("exit %d, markdown lacks the Softmax row:\n%.300s", code, out)
	}
}
