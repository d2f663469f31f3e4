package trilu

import (
	"fmt"

	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/operators/internal/inputs"
)

type op struct {
	upper bool
}

func newTrilu(n *operators.Node) (operators.Op, error) {
	if err := inputs.Check(n, 1, 2); err != nil {
		return nil, err
	}
	u, err := n.Int("upper", 1)
	if err != nil {
		return nil, err
	}
	if u != 0 && u != 1 {
		return nil, &operators.AttributeError{Attr: "upper", Reason: fmt.Sprintf("is %d, want 0 or 1", u)}
	}
	return &op{upper: u == 1}, nil
}

func (o *op) Infer(in []operators.Meta, _ []*operators.Value) ([]operators.Meta, error) {
	if len(in) < 1 || len(in) > 2 {
		return nil, fmt.Errorf("%w: Trilu takes 1 or 2 inputs, got %d", operators.ErrInvalidModel, len(in))
	}
	dt := in[0].DType
	if dt != operators.String && dt.Size() == 0 {
		return nil, fmt.Errorf("%w: Trilu of %v", operators.ErrUnsupportedType, dt)
	}
	if in[0].HasShape && len(in[0].Shape) < 2 {
		return nil, fmt.Errorf("%w: Trilu needs rank 2 or more, input 0 has shape %v", operators.ErrShape, in[0].Shape)
	}
	if len(in) == 2 && in[1].DType != operators.Undefined && in[1].DType != operators.Int64 {
		return nil, fmt.Errorf("%w: Trilu: k (input 1) is %v, want int64", operators.ErrInvalidModel, in[1].DType)
	}
	return []operators.Meta{in[0]}, nil
}

func (o *op) Run(rc *operators.RunContext, in, out []*operators.Value) error {
	if len(in) < 1 || in[0] == nil {
		return fmt.Errorf("%w: Trilu needs its input", operators.ErrInvalidModel)
	}
	x := in[0]
	metas := []operators.Meta{x.Meta()}
	k := int64(0)
	if len(in) > 1 && in[1] != nil {
		if in[1].DType != operators.Int64 || in[1].Len() != 1 {
			return fmt.Errorf("%w: Trilu: k (input 1) must be one int64, got %v", operators.ErrInvalidModel, in[1])
		}
		k = in[1].I64()[0]
	}
	if _, err := o.Infer(metas, nil); err != nil {
		return err
	}
	y, err := rc.AllocValue(x.DType, x.Shape, true)
	if err != nil {
		return err
	}
	r := len(x.Shape)
	rows, cols := x.Shape[r-2], x.Shape[r-1]
	mats := 0
	if rows*cols > 0 {
		mats = x.Len() / (rows * cols)
	}
	sz := x.DType.Size()
	for m := 0; m < mats; m++ {
		for i := 0; i < rows; i++ {
			// Keep columns j with j - i >= k (upper) or j - i <= k (lower).
			lo, hi := 0, cols
			if o.upper {
				lo = int(max(0, min(int64(cols), int64(i)+k)))
			} else {
				hi = int(max(0, min(int64(cols), int64(i)+k+1)))
			}
			if lo >= hi {
				continue
			}
			base := (m*rows + i) * cols
			if x.DType == operators.String {
				copy(y.Strs[base+lo:base+hi], x.Strs[base+lo:base+hi])
				continue
			}
			copy(y.Raw[(base+lo)*sz:(base+hi)*sz], x.Raw[(base+lo)*sz:(base+hi)*sz])
		}
	}
	out[0] = y
	return nil
}
