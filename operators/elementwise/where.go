package elementwise

import (
	"fmt"

	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/operators/internal/broadcast"
)

// where is Where: output[i] = condition[i] ? X[i] : Y[i], all three
// broadcast together.
type where struct{}

func newWhere(*operators.Node) (operators.Op, error) { return where{}, nil }

// whereTypes checks the condition's type and that X and Y agree.
func whereTypes(c, x, y operators.DType) error {
	if c != operators.Bool {
		return fmt.Errorf("%w: Where: the condition (input 0) is %v, want bool", operators.ErrInvalidModel, c)
	}
	if y != x {
		return fmt.Errorf("%w: Where: input 2 is %v but input 1 is %v", operators.ErrInvalidModel, y, x)
	}
	if x != operators.String && (x.Size() == 0 || x.Size() > 8) {
		return unsupported("Where", x)
	}
	return nil
}

func (where) Infer(in []operators.Meta, _ []*operators.Value) ([]operators.Meta, error) {
	if len(in) != 3 {
		return nil, fmt.Errorf("%w: Where takes 3 inputs, got %d", operators.ErrInvalidModel, len(in))
	}
	if err := whereTypes(in[0].DType, in[1].DType, in[2].DType); err != nil {
		return nil, err
	}
	dt := in[1].DType
	for _, m := range in {
		if !m.HasShape {
			return []operators.Meta{{DType: dt}}, nil
		}
	}
	out, err := broadcast.Shape(in[0].Shape, in[1].Shape, in[2].Shape)
	if err != nil {
		return nil, fmt.Errorf("Where: %w", err)
	}
	return []operators.Meta{{DType: dt, Shape: out, HasShape: true}}, nil
}

func (where) Run(rc *operators.RunContext, in, out []*operators.Value) error {
	if err := checkInputs("Where", in, 3); err != nil {
		return err
	}
	if err := whereTypes(in[0].DType, in[1].DType, in[2].DType); err != nil {
		return err
	}
	var m broadcast.Multi
	if err := m.Init(in[0].Shape, in[1].Shape, in[2].Shape); err != nil {
		return fmt.Errorf("Where: %w", err)
	}
	y, err := rc.AllocValue(in[1].DType, m.Out, false)
	if err != nil {
		return err
	}
	cond := in[0].Bools()
	switch in[1].DType.Size() {
	case 1:
		selectRows(&m, cond, y.U8(), in[1].U8(), in[2].U8())
	case 2:
		selectRows(&m, cond, y.U16(), in[1].U16(), in[2].U16())
	case 4:
		selectRows(&m, cond, y.U32(), in[1].U32(), in[2].U32())
	case 8:
		selectRows(&m, cond, y.U64(), in[1].U64(), in[2].U64())
	default:
		if in[1].DType != operators.String {
			return unsupported("Where", in[1].DType)
		}
		selectRows(&m, cond, y.Strs, in[1].Strs, in[2].Strs)
	}
	out[0] = y
	return nil
}

// selectRows copies elements by their bit patterns: the element type only
// matters through its size.
func selectRows[T any](m *broadcast.Multi, cond []bool, y, a, b []T) {
	if m.Same {
		cond, a, b = cond[:len(y)], a[:len(y)], b[:len(y)]
		for j := range y {
			if cond[j] {
				y[j] = a[j]
			} else {
				y[j] = b[j]
			}
		}
		return
	}
	n := m.Row()
	sc, sx, sz := m.Inner(0), m.Inner(1), m.Inner(2)
	for it := m.Iter(); it.Next(); {
		o := it.Out()
		yr := y[o : o+n]
		c, x, z := it.Off(0), it.Off(1), it.Off(2)
		if sc == 1 && sx == 1 && sz == 1 {
			cr, ar, br := cond[c:c+n], a[x:x+n], b[z:z+n]
			for j := range yr {
				if cr[j] {
					yr[j] = ar[j]
				} else {
					yr[j] = br[j]
				}
			}
			continue
		}
		for j := range yr {
			if cond[c+j*sc] {
				yr[j] = a[x+j*sx]
			} else {
				yr[j] = b[z+j*sz]
			}
		}
	}
}
