package main

import (
	"bufio"
	"fmt"
	"image"
	"image/color"
	_ "image/jpeg" // -image reads JPEG
	_ "image/png"  // and PNG
	"math"
	"os"
	"strings"

	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/runtime"
)

// ImageNet channel means and standard deviations (RGB), the normalisation
// torchvision's classifiers were trained with.
var (
	imagenetMean = [3]float64{0.485, 0.456, 0.406}
	imagenetStd  = [3]float64{0.229, 0.224, 0.225}
)

// imageInput picks the model input an -image feeds: the only input, which
// must be a float32 [N,3,H,W] tensor. Symbolic H and W become 224 and N
// becomes 1.
func imageInput(sess *runtime.Session) (name string, h, w int, err error) {
	ins := sess.Inputs()
	if len(ins) != 1 {
		return "", 0, 0, fmt.Errorf("-image: the model has %d inputs; -image needs a model with one image input", len(ins))
	}
	in := ins[0]
	if in.DType != operators.Float32 || (in.HasShape && (len(in.Shape) != 4 || (in.Shape[1] > 0 && in.Shape[1] != 3))) {
		return "", 0, 0, fmt.Errorf("-image: input %q is %v%s; -image needs float32 [N,3,H,W]", in.Name, in.DType, declShape(in))
	}
	h, w = 224, 224
	if in.HasShape {
		if in.Shape[2] > 0 {
			h = in.Shape[2]
		}
		if in.Shape[3] > 0 {
			w = in.Shape[3]
		}
	}
	return in.Name, h, w, nil
}

// readImage decodes a PNG or JPEG file and turns it into a [1,3,h,w]
// float32 tensor the way torchvision's ImageNet evaluation does: resize
// so that the shorter side is 256/224 of the crop's longer side (256 for
// a 224×224 model) with bilinear interpolation, crop h×w from the centre,
// scale to [0,1] and, for preprocess "imagenet", subtract the ImageNet
// mean and divide by its standard deviation per channel ("none" stops at
// [0,1]).
func readImage(file string, h, w int, preprocess string) (*operators.Value, error) {
	if preprocess != "imagenet" && preprocess != "none" {
		return nil, fmt.Errorf("-preprocess %q: want imagenet or none", preprocess)
	}
	f, err := os.Open(file)
	if err != nil {
		return nil, fmt.Errorf("-image: %w", err)
	}
	defer f.Close()
	img, _, err := image.Decode(bufio.NewReader(f))
	if err != nil {
		return nil, fmt.Errorf("-image %q: %w (want PNG or JPEG)", file, err)
	}
	return imageTensor(img, h, w, preprocess == "imagenet")
}

// imageTensor does readImage's work on a decoded picture.
func imageTensor(img image.Image, h, w int, normalise bool) (*operators.Value, error) {
	b := img.Bounds()
	iw, ih := b.Dx(), b.Dy()
	if iw <= 0 || ih <= 0 {
		return nil, fmt.Errorf("-image: the picture is empty")
	}
	short := int(math.Round(256 * float64(max(h, w)) / 224))
	rw, rh := short, short
	if iw < ih {
		rh = int(math.Round(float64(ih) * float64(short) / float64(iw)))
	} else {
		rw = int(math.Round(float64(iw) * float64(short) / float64(ih)))
	}
	top := int(math.RoundToEven(float64(rh-h) / 2)) // halves to even, as torchvision's centre crop
	left := int(math.RoundToEven(float64(rw-w) / 2))

	// The picture as float RGB in [0,1], row-major.
	px := make([][3]float64, iw*ih)
	for y := range ih {
		for x := range iw {
			c := color.NRGBA64Model.Convert(img.At(b.Min.X+x, b.Min.Y+y)).(color.NRGBA64)
			px[y*iw+x] = [3]float64{float64(c.R) / 65535, float64(c.G) / 65535, float64(c.B) / 65535}
		}
	}
	v, err := operators.NewValue(operators.Float32, []int{1, 3, h, w})
	if err != nil {
		return nil, err
	}
	out := v.F32()
	for y := range h {
		y0, y1, fy := bilinearTap(top+y, rh, ih)
		for x := range w {
			x0, x1, fx := bilinearTap(left+x, rw, iw)
			for c := range 3 {
				a := px[y0*iw+x0][c]*(1-fx) + px[y0*iw+x1][c]*fx
				d := px[y1*iw+x0][c]*(1-fx) + px[y1*iw+x1][c]*fx
				s := a*(1-fy) + d*fy
				if normalise {
					s = (s - imagenetMean[c]) / imagenetStd[c]
				}
				out[(c*h+y)*w+x] = float32(s)
			}
		}
	}
	return v, nil
}

// bilinearTap maps output coordinate o of a resize from n to m samples
// onto the two input samples it lies between and the weight of the second,
// with pixel centres aligned (input = (o+0.5)·n/m − 0.5, clamped to the
// picture).
func bilinearTap(o, m, n int) (i0, i1 int, f float64) {
	s := (float64(o)+0.5)*float64(n)/float64(m) - 0.5
	s = max(0, min(s, float64(n-1)))
	i0 = int(s)
	i1 = min(i0+1, n-1)
	return i0, i1, s - float64(i0)
}

// readLabels reads one class name per line (a trailing empty line is
// ignored).
func readLabels(file string) ([]string, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("-labels: %w", err)
	}
	s := strings.TrimSuffix(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n")
	if s == "" {
		return nil, fmt.Errorf("-labels %q: the file is empty", file)
	}
	return strings.Split(s, "\n"), nil
}
