package inputs

import (
	"errors"
	"testing"

	"github.com/onnxrun/onnxrun/operators"
)

func TestCheck(t *testing.T) {
	for _, c := range []struct {
		in            []string
		required, max int
		ok            bool
	}{
		{[]string{"a", "b"}, 2, 3, true},
		{[]string{"a", "b", ""}, 2, 3, true},
		{[]string{"a"}, 2, 3, false},
		{[]string{"a", ""}, 2, 3, false},
		{[]string{"a", "b", "c", "d"}, 2, 3, false},
		{[]string{"a", "b", "c", "d"}, 1, -1, true},
		{nil, 1, -1, false},
	} {
		err := Check(&operators.Node{OpType: "X", Inputs: c.in}, c.required, c.max)
		if (err == nil) != c.ok || (err != nil && !errors.Is(err, operators.ErrInvalidModel)) {
			t.Errorf("Check(%q, %d, %d) = %v", c.in, c.required, c.max, err)
		}
	}
}
