package main

import (
	"image"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// randomPicture is a w×h picture of seeded pseudo-random opaque pixels.
func randomPicture(w, h int, seed uint32) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	s := seed
	for i := range img.Pix {
		s = s*1664525 + 1013904223
		img.Pix[i] = uint8(s >> 24)
		if i%4 == 3 {
			img.Pix[i] = 255
		}
	}
	return img
}

// float32 holds about 7 significant digits; the values here are below 3
// in magnitude, so 1e-6 is a few float32 ulps.
const pixelTol = 1e-6

func TestImageCropAndNormalise(t *testing.T) {
	// 256 wide, 300 high: the shorter side is already 256, so the resize
	// is the identity and the tensor is the 224×224 centre (rows 38..261,
	// columns 16..239) of the picture, normalised per channel.
	img := randomPicture(256, 300, 7)
	v, err := imageTensor(img, 224, 224, true)
	if err != nil {
		t.Fatal(err)
	}
	if got := fmtShape(v.Shape); got != "[1,3,224,224]" {
		t.Fatalf("shape %s", got)
	}
	mean := []float64{0.485, 0.456, 0.406}
	std := []float64{0.229, 0.224, 0.225}
	out := v.F32()
	for c := range 3 {
		for y := range 224 {
			for x := range 224 {
				p := img.NRGBAAt(x+16, y+38)
				raw := []uint8{p.R, p.G, p.B}[c]
				want := (float64(raw)/255 - mean[c]) / std[c]
				if got := float64(out[(c*224+y)*224+x]); math.Abs(got-want) > pixelTol {
					t.Fatalf("channel %d (%d,%d): got %v, want %v", c, y, x, got, want)
				}
			}
		}
	}
}

func TestImageResizeBilinear(t *testing.T) {
	// A 74×74 picture for a 32×32 model: the shorter side becomes
	// 256·32/224 = 36.57 → 37, half the picture, so with aligned pixel
	// centres every resized pixel is the mean of a 2×2 block. The centre
	// crop starts at (37−32)/2 = 2.5, rounded to even: 2.
	img := randomPicture(74, 74, 11)
	v, err := imageTensor(img, 32, 32, false)
	if err != nil {
		t.Fatal(err)
	}
	out := v.F32()
	for c := range 3 {
		for y := range 32 {
			for x := range 32 {
				sum := 0.0
				for _, d := range [][2]int{{0, 0}, {0, 1}, {1, 0}, {1, 1}} {
					p := img.NRGBAAt(2*(x+2)+d[1], 2*(y+2)+d[0])
					sum += float64([]uint8{p.R, p.G, p.B}[c]) / 255
				}
				want := sum / 4
				if got := float64(out[(c*32+y)*32+x]); math.Abs(got-want) > pixelTol {
					t.Fatalf("channel %d (%d,%d): got %v, want %v", c, y, x, got, want)
				}
			}
		}
	}
}

func TestImageGrey(t *testing.T) {
	// A grey picture converts through color models to equal channels.
	img := image.NewGray(image.Rect(0, 0, 40, 40))
	for i := range img.Pix {
		img.Pix[i] = 51 // 0.2
	}
	v, err := imageTensor(img, 32, 32, false)
	if err != nil {
		t.Fatal(err)
	}
	for i, x := range v.F32() {
		if math.Abs(float64(x)-0.2) > pixelTol {
			t.Fatalf("element %d = %v, want 0.2", i, x)
		}
	}
}

func TestModelImageBundled(t *testing.T) {
	labels := filepath.Join(t.TempDir(), "labels.txt")
	names := []string{"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"}
	if err := os.WriteFile(labels, []byte(strings.Join(names, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	model := filepath.Join(testdata, "tiny_image_classifier_opset13", "model.onnx")
	pic := filepath.Join(testdata, "images", "ramp.png")
	code, out, errOut := cmd(t, model, "-image", pic, "-top", "5", "-labels", labels)
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	if !strings.Contains(out, "float32[1,3,32,32] from "+pic+" (preprocess imagenet)") {
		t.Errorf("output does not say the input came from the picture:\n%s", out)
	}
	for k := 1; k <= 5; k++ {
		if !strings.Contains(out, "#"+string(rune('0'+k))+" class ") {
			t.Errorf("output lacks rank %d:\n%s", k, out)
		}
	}
	// Every ranked class is followed by its label.
	for _, line := range strings.Split(out, "\n") {
		if !strings.Contains(line, " class ") {
			continue
		}
		f := strings.Fields(line)
		if len(f) < 5 {
			t.Errorf("line %q has no label", line)
			continue
		}
		i := int(f[2][0] - '0')
		if f[3] != names[i] {
			t.Errorf("line %q: class %d labelled %q, want %q", line, i, f[3], names[i])
		}
	}
	// -preprocess none feeds other numbers, so other probabilities.
	_, outNone, _ := cmd(t, model, "-image", pic, "-top", "5", "-preprocess", "none")
	if outNone == out {
		t.Errorf("-preprocess none changed nothing")
	}
}

func TestModelImageErrors(t *testing.T) {
	pic := filepath.Join(testdata, "images", "ramp.png")
	tiny := filepath.Join(testdata, "tiny_image_classifier_opset13", "model.onnx")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{classifier, "-image", pic}, "[N,3,H,W]"},
		{[]string{tiny, "-image", pic, "-preprocess", "caffe"}, "want imagenet or none"},
		{[]string{tiny, "-image", filepath.Join(testdata, "tiny_cnn_opset13", "model.onnx")}, "PNG or JPEG"},
		{[]string{tiny, "-image", "no-such.png"}, "no-such.png"},
		{[]string{tiny, "-image", pic, "-input", "x.npy"}, "-image and -input"},
	} {
		code, _, errOut := cmd(t, c.args...)
		if code == 0 || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want an error containing %q", c.args, code, errOut, c.want)
		}
	}
}

func TestModelImageResNet18(t *testing.T) {
	d := os.Getenv("ONNXRUN_TESTDATA")
	if d == "" {
		t.Skip("ONNXRUN_TESTDATA is not set (point it at the shared test data to run ResNet-18 on a picture)")
	}
	model := filepath.Join(d, "models", "resnet18", "model.onnx")
	code, out, errOut := cmd(t, model, "-image", filepath.Join(testdata, "images", "ramp.png"), "-top", "5")
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	if !strings.Contains(out, "float32[1,3,224,224]") || strings.Count(out, " class ") != 5 {
		t.Errorf("want a 224×224 input and five classes:\n%s", out)
	}
}
