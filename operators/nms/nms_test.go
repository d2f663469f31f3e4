package nms

import (
	"errors"
	"testing"

	"github.com/onnxrun/onnxrun/operators"
	ot "github.com/onnxrun/onnxrun/operators/internal/optest"
)

func f32(shape []int, v ...float64) *operators.Value { return ot.Val(operators.Float32, shape, v...) }

func i64(v int64) *operators.Value {
	x, _ := operators.FromSlice([]int64{v}, []int{1})
	return x
}

func TestNMS(t *testing.T) {
	// Box 0: [0,0]-[2,2] (area 4). Box 1: [0,1]-[2,3], overlapping box 0
	// in 2 of 6 units (IoU 1/3). Box 2: far away. Box 3: box 0 with its
	// corners given the other way round.
	boxes := f32([]int{1, 4, 4},
		0, 0, 2, 2,
		0, 1, 2, 3,
		10, 10, 11, 11,
		2, 2, 0, 0)
	scores := f32([]int{1, 1, 4}, 0.9, 0.8, 0.7, 0.95)
	op := ot.MustBuild(t, "NonMaxSuppression", 11, 5)
	for _, c := range []struct {
		name          string
		max           int64
		iou, scoreThr float64
		want          []float64
	}{
		// Box 3 (same as box 0) wins, suppresses box 0 (IoU 1); box 1 has
		// IoU 1/3 with it.
		{"iou_0.5", 10, 0.5, 0, []float64{0, 0, 3, 0, 0, 1, 0, 0, 2}},
		// IoU exactly 1/3 is kept only when the threshold is not below it.
		{"iou_0.3", 10, 0.3, 0, []float64{0, 0, 3, 0, 0, 2}},
		// The limit per class.
		{"max_1", 1, 0.5, 0, []float64{0, 0, 3}},
		{"max_0", 0, 0.5, 0, nil},
		// A score equal to the threshold is dropped.
		{"score_thr", 10, 0.5, 0.8, []float64{0, 0, 3}},
	} {
		y := ot.MustExec(t, op, boxes, scores, i64(c.max), f32([]int{1}, c.iou), f32([]int{1}, c.scoreThr))[0]
		if err := ot.Close(y, []int{len(c.want) / 3, 3}, c.want, 0, 0); err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
	}
	// Without the optional inputs nothing is selected (max defaults to 0).
	y := ot.MustExec(t, ot.MustBuild(t, "NonMaxSuppression", 11, 2), boxes, scores)[0]
	ot.MustClose(t, y, []int{0, 3}, nil, 0, 0)
}

func TestNMSCenterAndTies(t *testing.T) {
	// Center format: (xc, yc, w, h). Boxes 0 and 1 are identical; equal
	// scores go to the lower index.
	boxes := f32([]int{1, 3, 4},
		1, 1, 2, 2,
		1, 1, 2, 2,
		5, 5, 2, 2)
	scores := f32([]int{1, 2, 3}, 0.5, 0.5, 0.4, 0.1, 0.2, 0.3)
	op := ot.MustBuild(t, "NonMaxSuppression", 11, 4, ot.Int("center_point_box", 1))
	y := ot.MustExec(t, op, boxes, scores, i64(5), f32([]int{}, 0.5))[0]
	ot.MustClose(t, y, []int{4, 3}, []float64{
		0, 0, 0, 0, 0, 2,
		0, 1, 2, 0, 1, 1,
	}, 0, 0)
}

func TestNMSErrors(t *testing.T) {
	op := ot.MustBuild(t, "NonMaxSuppression", 11, 3)
	if _, err := ot.Exec(op, f32([]int{1, 2, 3}, 0, 0, 0, 0, 0, 0), f32([]int{1, 1, 2}, 0, 0), i64(1)); !errors.Is(err, operators.ErrShape) {
		t.Errorf("boxes of width 3: %v", err)
	}
	var ae *operators.AttributeError
	if _, err := ot.Build("NonMaxSuppression", 11, 2, ot.Int("center_point_box", 2)); !errors.As(err, &ae) {
		t.Errorf("center_point_box 2: %v", err)
	}
}
