package text

import (
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/operators/internal/inputs"
)

// tfidf is TfIdfVectorizer. The pool is indexed at load into a map from
// each n-gram's key to its output coordinate.
type tfidf struct {
	minN, maxN int
	maxSkip    int
	mode       string // TF, IDF or TFIDF
	strs       bool   // the pool holds strings
	index      map[string]int
	width      int       // output length: max(ngram_indexes) + 1
	weights    []float64 // by output coordinate; nil: all 1
}

func intAttr(n *operators.Node, name string) (int64, error) {
	if !n.Has(name) {
		return 0, &operators.AttributeError{Attr: name, Reason: "is required"}
	}
	return n.Int(name, 0)
}

func newTfIdf(n *operators.Node) (operators.Op, error) {
	if err := inputs.Check(n, 1, 1); err != nil {
		return nil, err
	}
	o := &tfidf{index: map[string]int{}}
	minN, err := intAttr(n, "min_gram_length")
	if err != nil {
		return nil, err
	}
	maxN, err := intAttr(n, "max_gram_length")
	if err != nil {
		return nil, err
	}
	skip, err := intAttr(n, "max_skip_count")
	if err != nil {
		return nil, err
	}
	if minN < 1 || maxN < minN || maxN > 1<<10 || skip < 0 || skip > 1<<20 {
		return nil, &operators.AttributeError{Attr: "max_gram_length", Reason: fmt.Sprintf("gram lengths [%d, %d] and max_skip_count %d are invalid", minN, maxN, skip)}
	}
	o.minN, o.maxN, o.maxSkip = int(minN), int(maxN), int(skip)
	if o.mode, err = n.String("mode", ""); err != nil {
		return nil, err
	}
	switch o.mode {
	case "TF", "IDF", "TFIDF":
	default:
		return nil, &operators.AttributeError{Attr: "mode", Reason: fmt.Sprintf("is %q, want TF, IDF or TFIDF", o.mode)}
	}
	counts, ok, err := n.Ints("ngram_counts")
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, &operators.AttributeError{Attr: "ngram_counts", Reason: "is required"}
	}
	idx, ok, err := n.Ints("ngram_indexes")
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, &operators.AttributeError{Attr: "ngram_indexes", Reason: "is required"}
	}
	// The pool, as one key per element.
	var pool []string
	ints, hasInts, err := n.Ints("pool_int64s")
	if err != nil {
		return nil, err
	}
	sa, hasStrs := n.Attrs["pool_strings"]
	switch {
	case hasInts && hasStrs:
		return nil, &operators.AttributeError{Attr: "pool_strings", Reason: "is set together with pool_int64s"}
	case hasInts:
		for _, v := range ints {
			pool = append(pool, intKey(v))
		}
	case hasStrs:
		if sa.Type != operators.AttrStrings {
			return nil, &operators.AttributeError{Attr: "pool_strings", Reason: fmt.Sprintf("has type %d, want %d", sa.Type, operators.AttrStrings)}
		}
		o.strs = true
		for _, s := range sa.Strings {
			pool = append(pool, string(s))
		}
	default:
		return nil, &operators.AttributeError{Attr: "pool_int64s", Reason: "one of pool_int64s and pool_strings is required"}
	}
	// Walk the pool group by group: group g (g = 1, 2, ...) holds g-grams
	// from element counts[g-1] to counts[g] (or the end).
	ordinal := 0
	for g := 1; g <= len(counts); g++ {
		start, end := counts[g-1], int64(len(pool))
		if g < len(counts) {
			end = counts[g]
		}
		if start < 0 || end < start || end > int64(len(pool)) || (end-start)%int64(g) != 0 {
			return nil, &operators.AttributeError{Attr: "ngram_counts", Reason: fmt.Sprintf("%v does not split a pool of %d into whole n-grams", counts, len(pool))}
		}
		for p := start; p < end; p += int64(g) {
			if ordinal >= len(idx) {
				return nil, &operators.AttributeError{Attr: "ngram_indexes", Reason: fmt.Sprintf("has %d entries, the pool has more n-grams", len(idx))}
			}
			c := idx[ordinal]
			if c < 0 || c > 1<<24 {
				return nil, &operators.AttributeError{Attr: "ngram_indexes", Reason: fmt.Sprintf("coordinate %d is out of range", c)}
			}
			o.index[joinKey(pool[p:p+int64(g)])] = int(c)
			o.width = max(o.width, int(c)+1)
			ordinal++
		}
	}
	if w, ok, err := n.Floats("weights"); err != nil {
		return nil, err
	} else if ok {
		o.weights = make([]float64, o.width)
		for i := range o.weights {
			o.weights[i] = 1
			if i < len(w) {
				o.weights[i] = float64(w[i])
			}
		}
	}
	return o, nil
}

func intKey(v int64) string {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], uint64(v))
	return string(b[:])
}

// joinKey makes one map key of an n-gram's element keys. Integer keys are
// 8 bytes each; strings are length-prefixed, so no two n-grams collide.
func joinKey(parts []string) string {
	var sb strings.Builder
	for _, p := range parts {
		var l [4]byte
		binary.LittleEndian.PutUint32(l[:], uint32(len(p)))
		sb.Write(l[:])
		sb.WriteString(p)
	}
	return sb.String()
}

func (o *tfidf) Infer(in []operators.Meta, _ []*operators.Value) ([]operators.Meta, error) {
	if len(in) != 1 {
		return nil, fmt.Errorf("%w: TfIdfVectorizer takes 1 input, got %d", operators.ErrInvalidModel, len(in))
	}
	if err := o.checkType(in[0].DType); err != nil {
		return nil, err
	}
	if !in[0].HasShape {
		return []operators.Meta{{DType: operators.Float32}}, nil
	}
	s := in[0].Shape
	switch len(s) {
	case 1:
		return []operators.Meta{{DType: operators.Float32, Shape: []int{o.width}, HasShape: true}}, nil
	case 2:
		return []operators.Meta{{DType: operators.Float32, Shape: []int{s[0], o.width}, HasShape: true}}, nil
	}
	return nil, fmt.Errorf("%w: TfIdfVectorizer takes [C] or [N, C], got shape %v", operators.ErrShape, s)
}

func (o *tfidf) checkType(dt operators.DType) error {
	if o.strs && dt != operators.String {
		return fmt.Errorf("%w: TfIdfVectorizer with pool_strings needs string input, got %v", operators.ErrInvalidModel, dt)
	}
	if !o.strs && dt != operators.Int32 && dt != operators.Int64 {
		return fmt.Errorf("%w: TfIdfVectorizer with pool_int64s needs int32 or int64 input, got %v", operators.ErrInvalidModel, dt)
	}
	return nil
}

func (o *tfidf) Run(rc *operators.RunContext, in, out []*operators.Value) error {
	if len(in) != 1 || in[0] == nil {
		return fmt.Errorf("%w: TfIdfVectorizer needs its input", operators.ErrInvalidModel)
	}
	x := in[0]
	m, err := o.Infer([]operators.Meta{x.Meta()}, nil)
	if err != nil {
		return err
	}
	y, err := rc.AllocValue(operators.Float32, m[0].Shape, true)
	if err != nil {
		return err
	}
	rows, c := 1, x.Shape[len(x.Shape)-1]
	if len(x.Shape) == 2 {
		rows = x.Shape[0]
	}
	keys := make([]string, c)
	counts := make([]float64, o.width)
	gram := make([]string, o.maxN)
	ys := y.F32()
	for r := 0; r < rows; r++ {
		for i := range keys {
			switch x.DType {
			case operators.String:
				keys[i] = x.Strs[r*c+i]
			case operators.Int32:
				keys[i] = intKey(int64(x.I32()[r*c+i]))
			default:
				keys[i] = intKey(x.I64()[r*c+i])
			}
		}
		clear(counts)
		for n := o.minN; n <= o.maxN; n++ {
			maxSkip := o.maxSkip
			if n == 1 {
				maxSkip = 0 // a 1-gram is the same at every skip
			}
			for skip := 0; skip <= maxSkip; skip++ {
				span := (n-1)*(skip+1) + 1
				for start := 0; start+span <= c; start++ {
					for k := 0; k < n; k++ {
						gram[k] = keys[start+k*(skip+1)]
					}
					if at, ok := o.index[joinKey(gram[:n])]; ok {
						counts[at]++
					}
				}
			}
		}
		row := ys[r*o.width : (r+1)*o.width]
		for i, v := range counts {
			w := 1.0
			if o.weights != nil {
				w = o.weights[i]
			}
			switch o.mode {
			case "TF":
				row[i] = float32(v)
			case "IDF":
				if v > 0 {
					row[i] = float32(w)
				}
			default:
				row[i] = float32(v * w)
			}
		}
	}
	out[0] = y
	return nil
}
