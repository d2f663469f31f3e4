package nms

import (
	"fmt"
	"math"
	"sort"

	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/operators/internal/inputs"
)

type op struct {
	centerPoint bool
}

func newNMS(n *operators.Node) (operators.Op, error) {
	if err := inputs.Check(n, 2, 5); err != nil {
		return nil, err
	}
	c, err := n.Int("center_point_box", 0)
	if err != nil {
		return nil, err
	}
	if c != 0 && c != 1 {
		return nil, &operators.AttributeError{Attr: "center_point_box", Reason: fmt.Sprintf("is %d, want 0 or 1", c)}
	}
	return &op{centerPoint: c == 1}, nil
}

func (o *op) Infer(in []operators.Meta, _ []*operators.Value) ([]operators.Meta, error) {
	if len(in) < 2 || len(in) > 5 {
		return nil, fmt.Errorf("%w: NonMaxSuppression takes 2 to 5 inputs, got %d", operators.ErrInvalidModel, len(in))
	}
	want := []operators.DType{operators.Float32, operators.Float32, operators.Int64, operators.Float32, operators.Float32}
	for i, m := range in {
		if m.DType != operators.Undefined && m.DType != want[i] {
			return nil, fmt.Errorf("%w: NonMaxSuppression input %d is %v, want %v", operators.ErrUnsupportedType, i, m.DType, want[i])
		}
	}
	return []operators.Meta{{DType: operators.Int64, Shape: []int{-1, 3}, HasShape: true}}, nil
}

// box is a box as (y1, x1, y2, x2) with y1 <= y2 and x1 <= x2.
type box struct{ y1, x1, y2, x2 float64 }

func (o *op) boxAt(b []float32) box {
	if o.centerPoint {
		xc, yc, w, h := float64(b[0]), float64(b[1]), float64(b[2]), float64(b[3])
		return box{yc - h/2, xc - w/2, yc + h/2, xc + w/2}
	}
	y1, x1, y2, x2 := float64(b[0]), float64(b[1]), float64(b[2]), float64(b[3])
	return box{math.Min(y1, y2), math.Min(x1, x2), math.Max(y1, y2), math.Max(x1, x2)}
}

func iou(a, b box) float64 {
	areaA := (a.y2 - a.y1) * (a.x2 - a.x1)
	areaB := (b.y2 - b.y1) * (b.x2 - b.x1)
	if areaA <= 0 || areaB <= 0 {
		return 0
	}
	h := math.Min(a.y2, b.y2) - math.Max(a.y1, b.y1)
	w := math.Min(a.x2, b.x2) - math.Max(a.x1, b.x1)
	if h <= 0 || w <= 0 {
		return 0
	}
	inter := h * w
	return inter / (areaA + areaB - inter)
}

// optScalar reads optional scalar input i, or def when it is omitted.
func optScalar(in []*operators.Value, i int, def float64) (float64, error) {
	if i >= len(in) || in[i] == nil {
		return def, nil
	}
	v := in[i]
	if v.Len() != 1 {
		if v.Len() == 0 {
			return def, nil
		}
		return 0, fmt.Errorf("%w: NonMaxSuppression input %d has shape %v, want a scalar", operators.ErrShape, i, v.Shape)
	}
	switch v.DType {
	case operators.Int64:
		return float64(v.I64()[0]), nil
	case operators.Float32:
		return float64(v.F32()[0]), nil
	}
	return 0, fmt.Errorf("%w: NonMaxSuppression input %d of type %v", operators.ErrUnsupportedType, i, v.DType)
}

func (o *op) Run(rc *operators.RunContext, in, out []*operators.Value) error {
	if len(in) < 2 || in[0] == nil || in[1] == nil {
		return fmt.Errorf("%w: NonMaxSuppression needs boxes and scores", operators.ErrInvalidModel)
	}
	boxes, scores := in[0], in[1]
	if boxes.DType != operators.Float32 || scores.DType != operators.Float32 {
		return fmt.Errorf("%w: NonMaxSuppression of %v boxes and %v scores, want float32", operators.ErrUnsupportedType, boxes.DType, scores.DType)
	}
	if len(boxes.Shape) != 3 || boxes.Shape[2] != 4 || len(scores.Shape) != 3 ||
		scores.Shape[0] != boxes.Shape[0] || scores.Shape[2] != boxes.Shape[1] {
		return fmt.Errorf("%w: NonMaxSuppression boxes %v and scores %v, want [B, N, 4] and [B, C, N]", operators.ErrShape, boxes.Shape, scores.Shape)
	}
	maxOut, err := optScalar(in, 2, 0)
	if err != nil {
		return err
	}
	iouT, err := optScalar(in, 3, 0)
	if err != nil {
		return err
	}
	scoreT, err := optScalar(in, 4, math.Inf(-1))
	if err != nil {
		return err
	}
	nb, nc, nbox := scores.Shape[0], scores.Shape[1], scores.Shape[2]
	limit := int(min(maxOut, float64(nbox)))
	var sel []int64
	bx, sc := boxes.F32(), scores.F32()
	cand := make([]int, 0, nbox)
	kept := make([]box, 0, max(limit, 0))
	for b := 0; b < nb && limit > 0; b++ {
		for c := 0; c < nc; c++ {
			s := sc[(b*nc+c)*nbox : (b*nc+c+1)*nbox]
			cand = cand[:0]
			for i, v := range s {
				if float64(v) > scoreT {
					cand = append(cand, i)
				}
			}
			sort.SliceStable(cand, func(i, j int) bool { return s[cand[i]] > s[cand[j]] })
			kept = kept[:0]
			for _, i := range cand {
				if len(kept) == limit {
					break
				}
				bi := o.boxAt(bx[(b*nbox+i)*4 : (b*nbox+i)*4+4])
				ok := true
				for _, k := range kept {
					if iou(bi, k) > iouT {
						ok = false
						break
					}
				}
				if ok {
					kept = append(kept, bi)
					sel = append(sel, int64(b), int64(c), int64(i))
				}
			}
		}
	}
	y, err := rc.AllocValue(operators.Int64, []int{len(sel) / 3, 3}, false)
	if err != nil {
		return err
	}
	copy(y.I64(), sel)
	out[0] = y
	return nil
}
