package logsoftmax

import (
	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/operators/internal/softmaxcore"
)

// LogSoftmax is a built LogSoftmax node. Its semantics (coerced 2-D or
// single axis, the axis and its default) and its kernels are fixed by New;
// it is immutable afterwards and safe for concurrent Runs.
type LogSoftmax struct {
	core *softmaxcore.Op
}

// New builds LogSoftmax for a node served by the implementation with
// since-version since (1, 11 or 13), using the kernels of dispatch.Active.
// The axis is checked against the rank when the rank is first known (Infer
// or Run).
func New(n *operators.Node, since int) (*LogSoftmax, error) {
	c, err := softmaxcore.New(n, softmaxcore.LogSoftmax, since)
	if err != nil {
		return nil, err
	}
	return &LogSoftmax{core: c}, nil
}

// Infer returns the input's type and shape.
func (s *LogSoftmax) Infer(in []operators.Meta, consts []*operators.Value) ([]operators.Meta, error) {
	return s.core.Infer(in, consts)
}

// Run computes the output into a value from rc's allocator.
func (s *LogSoftmax) Run(rc *operators.RunContext, in []*operators.Value, out []*operators.Value) error {
	return s.core.Run(rc, in, out)
}
