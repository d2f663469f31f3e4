package identity

import (
	"fmt"

	"github.com/onnxrun/onnxrun/operators"
)

type op struct{}

func newIdentity(*operators.Node) (operators.Op, error) { return op{}, nil }

func (op) Infer(in []operators.Meta, _ []*operators.Value) ([]operators.Meta, error) {
	if len(in) != 1 {
		return nil, fmt.Errorf("%w: Identity takes 1 input, got %d", operators.ErrInvalidModel, len(in))
	}
	if in[0].DType != operators.String && in[0].DType.Size() == 0 {
		return nil, fmt.Errorf("%w: Identity does not support %v", operators.ErrUnsupportedType, in[0].DType)
	}
	return []operators.Meta{in[0]}, nil
}

func (op) Run(rc *operators.RunContext, in, out []*operators.Value) error {
	if len(in) != 1 || in[0] == nil {
		return fmt.Errorf("%w: Identity needs its input", operators.ErrInvalidModel)
	}
	x := in[0]
	y, err := rc.AllocValue(x.DType, x.Shape, false)
	if err != nil {
		return err
	}
	copy(y.Raw, x.Raw)
	copy(y.Strs, x.Strs)
	out[0] = y
	return nil
}
