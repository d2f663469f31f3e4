package operators

import (
	"math"
	"testing"
)

func TestNumElements(t *testing.T) {
	big := math.MaxInt/2 + 1
	for _, c := range []struct {
		shape []int
		want  int
	}{
		{nil, 1},
		{[]int{}, 1},
		{[]int{3, 4}, 12},
		{[]int{3, 0, 4}, 0},
		{[]int{-1, 4}, -1},
		{[]int{big, 2}, -1},
		{[]int{big, 2, 0}, -1}, // the non-zero dims overflow: refused even though one dim is 0
		{[]int{0, big}, 0},
	} {
		if got := NumElements(c.shape); got != c.want {
			t.Errorf("NumElements(%v) = %d, want %d", c.shape, got, c.want)
		}
	}
}
