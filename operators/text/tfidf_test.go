package text

import (
	"errors"
	"testing"

	"github.com/onnxrun/onnxrun/operators"
	ot "github.com/onnxrun/onnxrun/operators/internal/optest"
)

func i64s(shape []int, v ...int64) *operators.Value {
	x, _ := operators.FromSlice(v, shape)
	return x
}

func TestTfIdf(t *testing.T) {
	// The example of ONNX's operator description: pool [94 17] -> 1,
	// [17 36] -> 0, both 2-grams (ngram_counts [0, 0]).
	base := []*operators.Attr{
		ot.Int("min_gram_length", 2), ot.Int("max_gram_length", 2),
		ot.Ints("ngram_counts", 0, 0), ot.Ints("ngram_indexes", 1, 0), ot.Ints("pool_int64s", 94, 17, 17, 36),
	}
	with := func(extra ...*operators.Attr) []*operators.Attr {
		return append(append([]*operators.Attr{}, base...), extra...)
	}
	seq := i64s([]int{5}, 94, 17, 36, 12, 28)
	for _, skip := range []int64{0, 2} {
		op := ot.MustBuild(t, "TfIdfVectorizer", 9, 1, with(ot.Int("max_skip_count", skip), ot.String("mode", "TF"))...)
		y := ot.MustExec(t, op, seq)[0]
		ot.MustClose(t, y, []int{2}, []float64{1, 1}, 0, 0)
	}
	// [94 17] twice (positions 0 and 2), [17 36] never; two rows.
	rows := i64s([]int{2, 4}, 94, 17, 94, 17, 17, 36, 0, 0)
	for _, c := range []struct {
		mode string
		want []float64
	}{
		{"TF", []float64{0, 2, 1, 0}},
		{"IDF", []float64{0, 3, 0.5, 0}},
		{"TFIDF", []float64{0, 6, 0.5, 0}},
	} {
		op := ot.MustBuild(t, "TfIdfVectorizer", 9, 1, with(ot.Int("max_skip_count", 0), ot.String("mode", c.mode), ot.Floats("weights", 0.5, 3))...)
		y := ot.MustExec(t, op, rows)[0]
		if err := ot.Close(y, []int{2, 2}, c.want, 0, 0); err != nil {
			t.Errorf("%s: %v", c.mode, err)
		}
	}
	// Strings, 1-grams and 2-grams: pool a, b (1-grams -> 0, 1), "a b" -> 2.
	op := ot.MustBuild(t, "TfIdfVectorizer", 9, 1,
		ot.Int("min_gram_length", 1), ot.Int("max_gram_length", 2), ot.Int("max_skip_count", 1), ot.String("mode", "TF"),
		ot.Ints("ngram_counts", 0, 2), ot.Ints("ngram_indexes", 0, 1, 2), ot.Strings("pool_strings", "a", "b", "a", "b"))
	y := ot.MustExec(t, op, &operators.Value{DType: operators.String, Shape: []int{4}, Strs: []string{"a", "b", "x", "b"}})[0]
	// 1-grams counted once: a 1, b 2. 2-grams: skip 0 "a b" at 0; skip 1
	// "a x", "b b"; so "a b" once.
	ot.MustClose(t, y, []int{3}, []float64{1, 2, 1}, 0, 0)
}

func TestTfIdfErrors(t *testing.T) {
	var ae *operators.AttributeError
	ok := []*operators.Attr{ot.Int("min_gram_length", 1), ot.Int("max_gram_length", 1), ot.Int("max_skip_count", 0), ot.String("mode", "TF"), ot.Ints("ngram_counts", 0), ot.Ints("ngram_indexes", 0)}
	if _, err := ot.Build("TfIdfVectorizer", 9, 1, ok...); !errors.As(err, &ae) || ae.Attr != "pool_int64s" {
		t.Errorf("no pool: %v", err)
	}
	op := ot.MustBuild(t, "TfIdfVectorizer", 9, 1, append(ok, ot.Ints("pool_int64s", 5))...)
	if _, err := ot.Exec(op, &operators.Value{DType: operators.String, Shape: []int{1}, Strs: []string{"5"}}); !errors.Is(err, operators.ErrInvalidModel) {
		t.Errorf("strings for an integer pool: %v", err)
	}
	bad := append(append([]*operators.Attr{}, ok[:4]...), ot.Ints("ngram_counts", 0, 3), ot.Ints("ngram_indexes", 0), ot.Ints("pool_int64s", 1, 2))
	if _, err := ot.Build("TfIdfVectorizer", 9, 1, bad...); !errors.As(err, &ae) {
		t.Errorf("ngram_counts past the pool: %v", err)
	}
}
