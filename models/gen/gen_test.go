package main

import (
	"bytes"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// TestFixturesCurrent regenerates every model into a temporary directory
// and checks that models/testdata holds exactly those bytes, so a change to
// the generator cannot land without its fixtures.
func TestFixturesCurrent(t *testing.T) {
	dir := t.TempDir()
	if err := write(dir, specs()); err != nil {
		t.Fatal(err)
	}
	committed := filepath.Join("..", "testdata")
	n := 0
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		want, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		got, err := os.ReadFile(filepath.Join(committed, rel))
		if err != nil {
			t.Errorf("%s: %v (run go generate ./models)", rel, err)
			return nil
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from the generator's output (run go generate ./models)", rel)
		}
		n++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("generator wrote nothing")
	}
}

// TestDeterministic builds the specs twice and compares the bytes.
func TestDeterministic(t *testing.T) {
	a, b := specs(), specs()
	for i := range a {
		if !bytes.Equal(a[i].model, b[i].model) {
			t.Errorf("%s: model bytes differ between two runs", a[i].name)
		}
		for j := range a[i].sets {
			for k := range a[i].sets[j].outputs {
				if !bytes.Equal(a[i].sets[j].outputs[k].proto().b, b[i].sets[j].outputs[k].proto().b) {
					t.Errorf("%s set %d output %d differs between two runs", a[i].name, j, k)
				}
			}
		}
	}
}

// TestReference checks the reference against hand-computed values.
func TestReference(t *testing.T) {
	// softmax([0, ln 3]) = [1/4, 3/4].
	got := softmaxAxis([]float64{0, math.Log(3)}, []int64{1, 2}, 1, false)
	if math.Abs(got[0]-0.25) > 1e-15 || math.Abs(got[1]-0.75) > 1e-15 {
		t.Errorf("softmax([0, ln 3]) = %v, want [0.25 0.75]", got)
	}
	// Axis 0 of [[0, 0], [ln 3, 0]]: columns are [0, ln 3] and [0, 0].
	got = softmaxAxis([]float64{0, 0, math.Log(3), 0}, []int64{2, 2}, 0, false)
	want := []float64{0.25, 0.5, 0.75, 0.5}
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-15 {
			t.Errorf("softmax axis 0 = %v, want %v", got, want)
			break
		}
	}
	// Coerced softmax over [1,2,2] with axis 1 is one distribution of 4.
	got = softmaxCoerced([]float64{0, 0, 0, 0}, []int64{1, 2, 2}, 1, true)
	for _, v := range got {
		if math.Abs(v-math.Log(0.25)) > 1e-15 {
			t.Errorf("log-softmax of 4 equal values = %v, want all ln(1/4)", got)
			break
		}
	}
	// Broadcasting [2,2] * [2] multiplies each row by the vector.
	got = bcast([]float64{1, 2, 3, 4}, []int64{2, 2}, []float64{10, 100}, []int64{2}, mul)
	want = []float64{10, 200, 30, 400}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("broadcast mul = %v, want %v", got, want)
			break
		}
	}
}
