package text

import (
	"errors"
	"reflect"
	"testing"

	"github.com/onnxrun/onnxrun/operators"
	ot "github.com/onnxrun/onnxrun/operators/internal/optest"
)

func strs(shape []int, s ...string) *operators.Value {
	return &operators.Value{DType: operators.String, Shape: shape, Strs: s}
}

func TestStringNormalizer(t *testing.T) {
	in := strs([]int{5}, "Monday", "tuesday", "MONDAY", "Straße", "wednesday")
	stop := ot.Strings("stopwords", "monday")
	for _, c := range []struct {
		attrs []*operators.Attr
		shape []int
		want  []string
	}{
		{nil, []int{5}, []string{"Monday", "tuesday", "MONDAY", "Straße", "wednesday"}},
		{[]*operators.Attr{stop}, []int{3}, []string{"tuesday", "Straße", "wednesday"}},
		// Case-sensitive: "monday" matches none of the inputs.
		{[]*operators.Attr{stop, ot.Int("is_case_sensitive", 1)}, []int{5}, []string{"Monday", "tuesday", "MONDAY", "Straße", "wednesday"}},
		// Simple case mapping: ß has no single-rune upper case and stays.
		{[]*operators.Attr{stop, ot.String("case_change_action", "UPPER")}, []int{3}, []string{"TUESDAY", "STRAßE", "WEDNESDAY"}},
		{[]*operators.Attr{ot.String("case_change_action", "LOWER")}, []int{5}, []string{"monday", "tuesday", "monday", "straße", "wednesday"}},
	} {
		op := ot.MustBuild(t, "StringNormalizer", 10, 1, c.attrs...)
		y := ot.MustExec(t, op, in)[0]
		if !reflect.DeepEqual(y.Strs, c.want) || !reflect.DeepEqual(y.Shape, c.shape) {
			t.Errorf("%v: got %v %q, want %v %q", c.attrs, y.Shape, y.Strs, c.shape, c.want)
		}
	}
	// Everything dropped: one empty string, [1] or [1, 1].
	op := ot.MustBuild(t, "StringNormalizer", 10, 1, ot.Strings("stopwords", "a", "b"))
	y := ot.MustExec(t, op, strs([]int{1, 2}, "A", "b"))[0]
	if !reflect.DeepEqual(y.Shape, []int{1, 1}) || !reflect.DeepEqual(y.Strs, []string{""}) {
		t.Errorf("all dropped: %v %q", y.Shape, y.Strs)
	}
	if _, err := ot.Exec(op, strs([]int{2, 1}, "a", "b")); !errors.Is(err, operators.ErrShape) {
		t.Errorf("[2, 1]: %v", err)
	}
	var ae *operators.AttributeError
	if _, err := ot.Build("StringNormalizer", 10, 1, ot.String("case_change_action", "TITLE")); !errors.As(err, &ae) {
		t.Errorf("TITLE: %v", err)
	}
}
