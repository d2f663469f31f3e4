package conv

import (
	"fmt"
	"math/rand"
	"testing"

	"github.com/onnxrun/onnxrun/dispatch"
	"github.com/onnxrun/onnxrun/operators"
)

// BenchmarkDepthwise3x3 times MobileNet-v2's depthwise layer shapes (pads
// 1, fused Clip 0..6) through the Conv operator on one thread, with the
// dispatch kernel ("kernel") and with the scalar plane loop ("scalar").
func BenchmarkDepthwise3x3(b *testing.B) {
	r := rand.New(rand.NewSource(1))
	for _, c := range []struct{ ch, hw, s int }{{32, 112, 1}, {96, 112, 2}, {144, 56, 1}, {192, 28, 1}, {576, 14, 1}, {960, 7, 1}} {
		opv, err := newConv(node(11, 3, ints("pads", 1, 1, 1, 1), ints("strides", int64(c.s), int64(c.s)),
			&operators.Attr{Name: "group", Type: operators.AttrInt, I: int64(c.ch)}))
		if err != nil {
			b.Fatal(err)
		}
		op, _ := opv.(*Conv).Fuse(operators.Activation{Kind: operators.ActClip, Min: 0, Max: 6})
		in := []*operators.Value{randVal(r, 1, c.ch, c.hw, c.hw), randVal(r, c.ch, 1, 3, 3), randVal(r, c.ch)}
		out := make([]*operators.Value, 1)
		rc := &operators.RunContext{Threads: 1}
		b.Run(fmt.Sprintf("c%d_%dx%d_s%d/kernel", c.ch, c.hw, c.hw, c.s), func(b *testing.B) {
			for b.Loop() {
				op.Run(rc, in, out)
			}
		})
		b.Run(fmt.Sprintf("c%d_%dx%d_s%d/scalar", c.ch, c.hw, c.hw, c.s), func(b *testing.B) {
			geo, _ := opv.(*Conv).resolve(in[0].Shape, in[1].Shape, in[2].Shape)
			y := make([]float32, operators.NumElements(geo.outShape))
			for b.Loop() {
				depthwise(rc, geo, in[0].F32(), in[1].F32(), in[2].F32(), y)
				dispatch.Active().ClampF32(y, 0, 6)
			}
		})
	}
}
