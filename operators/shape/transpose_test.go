package shape

import (
	"fmt"
	"math/rand"
	"slices"
	"testing"

	"github.com/onnxrun/onnxrun/operators"
)

// naiveTranspose is the definition: y[i_0..i_r-1] = x[j] where
// j[perm[k]] = i_k, one coordinate at a time.
func naiveTranspose(x *operators.Value, perm []int) ([]int, []byte) {
	r := len(perm)
	out := make([]int, r)
	for i, a := range perm {
		out[i] = x.Shape[a]
	}
	sz := x.DType.Size()
	y := make([]byte, len(x.Raw))
	src := make([]int, r)
	forEach(out, func(idx []int) {
		for i, p := range perm {
			src[p] = idx[i]
		}
		d, s := at(out, idx)*sz, at(x.Shape, src)*sz
		copy(y[d:d+sz], x.Raw[s:s+sz])
	})
	return out, y
}

// randomBytes fills a value of the given element size and shape with
// random bytes, so every byte of every element identifies it well enough.
func randomBytes(r *rand.Rand, dt operators.DType, shape []int) *operators.Value {
	v, _ := operators.NewValue(dt, shape)
	r.Read(v.Raw)
	return v
}

// TestTransposeAgainstNaive checks random shapes of rank 1 to 6 (with empty
// and size-1 dims) and random permutations, for every element size, on one
// and two threads, against the coordinate definition. Moving bytes is
// exact, so the comparison is too.
func TestTransposeAgainstNaive(t *testing.T) {
	r := rand.New(rand.NewSource(7))
	dts := []operators.DType{operators.Uint8, operators.Float16, operators.Float32, operators.Int64}
	for k := 0; k < 400; k++ {
		rank := 1 + k%6
		shape := make([]int, rank)
		for i := range shape {
			switch c := r.Intn(10); {
			case c == 0 && k%7 == 0:
				shape[i] = 0
			case c < 3:
				shape[i] = 1
			default:
				shape[i] = 2 + r.Intn(6)
			}
		}
		perm := r.Perm(rank)
		checkTranspose(t, r, dts[k%len(dts)], shape, perm)
	}
}

// TestTransposeLarge covers shapes big enough to be split between threads,
// including the channel shuffle [1, 2, C/2, H, W] -> [1, C/2, 2, H, W] and
// NCHW <-> NHWC.
func TestTransposeLarge(t *testing.T) {
	r := rand.New(rand.NewSource(8))
	cases := []struct {
		shape, perm []int
	}{
		{[]int{1, 2, 58, 28, 28}, []int{0, 2, 1, 3, 4}},
		{[]int{1, 2, 116, 7, 7}, []int{0, 2, 1, 3, 4}},
		{[]int{1, 64, 56, 56}, []int{0, 2, 3, 1}},
		{[]int{1, 56, 56, 64}, []int{0, 3, 1, 2}},
		{[]int{3, 40, 50, 60}, []int{3, 1, 2, 0}},
		{[]int{2, 3, 4, 5, 6, 70}, []int{5, 0, 4, 1, 3, 2}},
		{[]int{2, 3, 4, 5, 6, 70}, []int{1, 0, 3, 2, 4, 5}},
		{[]int{300, 257}, []int{1, 0}},
	}
	for _, c := range cases {
		for _, dt := range []operators.DType{operators.Float32, operators.Uint8} {
			checkTranspose(t, r, dt, c.shape, c.perm)
		}
	}
}

func checkTranspose(t *testing.T, r *rand.Rand, dt operators.DType, shape, perm []int) {
	t.Helper()
	p64 := make([]int64, len(perm))
	for i, v := range perm {
		p64[i] = int64(v)
	}
	op := build(t, "Transpose", 13, 1, 1, ints("perm", p64...))
	x := randomBytes(r, dt, shape)
	wshape, want := naiveTranspose(x, perm)
	for _, th := range []int{1, 2} {
		for rep := range 2 { // the second run uses the remembered plan
			out := run(t, op, th, x)
			if !slices.Equal(out[0].Shape, wshape) {
				t.Fatalf("%v %v perm %v: shape %v, want %v", dt, shape, perm, out[0].Shape, wshape)
			}
			if !slices.Equal(out[0].Raw[:len(want)], want) {
				t.Fatalf("%v %v perm %v, %d threads, run %d: elements differ from the definition", dt, shape, perm, th, rep)
			}
		}
	}
}

// TestTransposeStrings moves string elements through the general path.
func TestTransposeStrings(t *testing.T) {
	shape := []int{2, 3, 4}
	x := &operators.Value{DType: operators.String, Shape: shape, Strs: make([]string, 24)}
	for i := range x.Strs {
		x.Strs[i] = fmt.Sprint(i)
	}
	perm := []int{2, 0, 1}
	op := build(t, "Transpose", 13, 1, 1, ints("perm", 2, 0, 1))
	y := run(t, op, 1, x)[0]
	out := []int{4, 2, 3}
	src := make([]int, 3)
	forEach(out, func(idx []int) {
		for i, p := range perm {
			src[p] = idx[i]
		}
		if g, w := y.Strs[at(out, idx)], fmt.Sprint(at(shape, src)); g != w {
			t.Fatalf("y%v = %q, want %q", idx, g, w)
		}
	})
}

// poolAlloc hands out the same buffers again and again, like the runtime's
// pool in a steady state, so an allocation test sees only what the
// operator itself allocates.
type poolAlloc struct{ vals map[int]*operators.Value }

func (p *poolAlloc) Alloc(dt operators.DType, shape []int, zero bool) (*operators.Value, error) {
	n := operators.NumElements(shape) * dt.Size()
	v := p.vals[n]
	if v == nil {
		var err error
		if v, err = operators.NewValue(dt, shape); err != nil {
			return nil, err
		}
		p.vals[n] = v
		v.Shape = make([]int, 0, 8)
	}
	v.DType, v.Shape = dt, append(v.Shape[:0], shape...)
	return v, nil
}

// TestTransposeAllocs checks that a steady-state Transpose, split between
// threads or not, allocates nothing.
func TestTransposeAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	op := build(t, "Transpose", 13, 1, 1, ints("perm", 0, 2, 1, 3, 4))
	x, _ := operators.NewValue(operators.Float32, []int{1, 2, 58, 28, 28})
	for _, th := range []int{1, 2} {
		rc := &operators.RunContext{Threads: th, Alloc: &poolAlloc{vals: map[int]*operators.Value{}}}
		in, out := []*operators.Value{x}, make([]*operators.Value, 1)
		if err := op.Run(rc, in, out); err != nil {
			t.Fatal(err)
		}
		if a := testing.AllocsPerRun(50, func() { op.Run(rc, in, out) }); a != 0 {
			t.Errorf("%d threads: %v allocations per run, want 0", th, a)
		}
	}
}

func BenchmarkTranspose(b *testing.B) {
	cases := []struct {
		name        string
		shape, perm []int
	}{
		{"shuffle58x28x28", []int{1, 2, 58, 28, 28}, []int{0, 2, 1, 3, 4}},
		{"shuffle232x7x7", []int{1, 2, 232, 7, 7}, []int{0, 2, 1, 3, 4}},
		{"nchw2nhwc64x56x56", []int{1, 64, 56, 56}, []int{0, 2, 3, 1}},
		{"reverse16x16x16x16", []int{16, 16, 16, 16}, []int{3, 2, 1, 0}},
	}
	for _, c := range cases {
		p64 := make([]int64, len(c.perm))
		for i, v := range c.perm {
			p64[i] = int64(v)
		}
		op, err := buildErr("Transpose", 13, 1, 1, ints("perm", p64...))
		if err != nil {
			b.Fatal(err)
		}
		x, _ := operators.NewValue(operators.Float32, c.shape)
		for _, th := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/t%d", c.name, th), func(b *testing.B) {
				rc := &operators.RunContext{Threads: th, Alloc: &poolAlloc{vals: map[int]*operators.Value{}}}
				in, out := []*operators.Value{x}, make([]*operators.Value, 1)
				b.SetBytes(int64(2 * len(x.Raw)))
				b.ReportAllocs()
				for b.Loop() {
					if err := op.Run(rc, in, out); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
