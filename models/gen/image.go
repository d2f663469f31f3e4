package main

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
)

// testImage is a deterministic 48×40 RGB picture for the command line's
// -image flag: a red-to-blue horizontal ramp, a green vertical ramp and a
// white disc off centre. It is not square, so the resize of the shorter
// side and the centre crop both have work to do.
func testImage() *image.NRGBA {
	const w, h = 48, 40
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := color.NRGBA{R: uint8(255 * (w - 1 - x) / (w - 1)), G: uint8(255 * y / (h - 1)), B: uint8(255 * x / (w - 1)), A: 255}
			if dx, dy := x-30, y-16; dx*dx+dy*dy <= 49 {
				c = color.NRGBA{R: 255, G: 255, B: 255, A: 255}
			}
			img.SetNRGBA(x, y, c)
		}
	}
	return img
}

// writeImages writes the bundled test pictures into dir/images.
func writeImages(dir string) error {
	d := filepath.Join(dir, "images")
	if err := os.MkdirAll(d, 0o755); err != nil {
		return err
	}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.NoCompression} // the same bytes whatever zlib's heuristics become
	if err := enc.Encode(&buf, testImage()); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(d, "ramp.png"), buf.Bytes(), 0o644)
}

// tinyImageClassifierOpset13 is a conv-free classifier over a
// [1,3,32,32] picture, for trying the command line's -image flag on a
// fresh clone: Flatten, Gemm to 10 classes, Softmax. Its weights are
// seeded random numbers, so its classes mean nothing.
func tinyImageClassifierOpset13() spec {
	r := &rng{s: 3232}
	const k = 3 * 32 * 32
	xs, fcs := []int64{1, 3, 32, 32}, []int64{10, k}
	fc := r.float32s(prod(fcs), 0.05)
	fb := r.float32s(10, 0.1)
	g := graph{
		name: "tiny_image_classifier_opset13",
		nodes: []node{
			{name: "flatten", op: "Flatten", in: []string{"image"}, out: []string{"f"}, attrs: []attr{intAttr("axis", 1)}},
			{name: "fc", op: "Gemm", in: []string{"f", "fc_w", "fc_b"}, out: []string{"logits"}, attrs: []attr{intAttr("transB", 1)}},
			{name: "softmax", op: "Softmax", in: []string{"logits"}, out: []string{"probabilities"}},
		},
		inits: []tensor{
			{name: "fc_w", dtype: tFloat, shape: fcs, data: fc},
			{name: "fc_b", dtype: tFloat, shape: []int64{10}, data: fb},
		},
		inputs:  []valueInfo{{name: "image", dtype: tFloat, shape: xs}},
		outputs: []valueInfo{{name: "probabilities", dtype: tFloat, shape: []int64{1, 10}}},
	}
	s := spec{name: g.name, model: model(g, 13, 7, "tiny conv-free image classifier over 3x32x32: Flatten, Gemm, Softmax (random weights)")}
	x := r.float32s(k, 2) // roughly the range of ImageNet-normalised pixels
	logits := f32(gemmTransB(x, 1, k, fc, 10, fb))
	s.sets = append(s.sets, dataSet{
		inputs:  []tensor{{name: "image", dtype: tFloat, shape: xs, data: x}},
		outputs: []tensor{{name: "probabilities", dtype: tFloat, shape: []int64{1, 10}, data: softmaxAxis(logits, []int64{1, 10}, 1, false)}},
	})
	return s
}
