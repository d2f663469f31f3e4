package inputs

import (
	"fmt"

	"github.com/onnxrun/onnxrun/operators"
)

// Check verifies that n has between required and max inputs (max < 0: no
// upper bound) and that none of the first required ones is omitted.
func Check(n *operators.Node, required, max int) error {
	if len(n.Inputs) < required || (max >= 0 && len(n.Inputs) > max) {
		want := fmt.Sprintf("%d to %d", required, max)
		switch {
		case max < 0:
			want = fmt.Sprintf("at least %d", required)
		case max == required:
			want = fmt.Sprint(required)
		}
		return fmt.Errorf("%w: %s takes %s inputs, the node has %d", operators.ErrInvalidModel, n.OpType, want, len(n.Inputs))
	}
	for i := 0; i < required; i++ {
		if n.Inputs[i] == "" {
			return fmt.Errorf("%w: %s's input %d is required but omitted", operators.ErrInvalidModel, n.OpType, i)
		}
	}
	return nil
}
