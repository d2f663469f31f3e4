package conv

import (
	"fmt"
	"testing"
)

// TestPlane3x3 checks the one-pass depthwise 3×3 plane against the direct
// definition of a padded, strided 3×3 correlation, in int32 so that the
// comparison is exact, over planes narrower than the kernel, odd sizes,
// strides 1 and 2 and pads 0 to 2 (the output then reaches past the input
// on both sides).
func TestPlane3x3(t *testing.T) {
	for _, ih := range []int{1, 2, 3, 5, 8} {
		for _, iw := range []int{1, 3, 4, 7, 16} {
			for _, s := range []int{1, 2} {
				for _, p := range []int{0, 1, 2} {
					oh := (ih+2*p-3)/s + 1
					ow := (iw+2*p-3)/s + 1
					if ih+2*p < 3 || iw+2*p < 3 {
						continue
					}
					x := make([]int32, ih*iw)
					for i := range x {
						x[i] = int32(i*7%11) - 5
					}
					w := []int32{1, -2, 3, -4, 5, -6, 7, -8, 9}
					got := make([]int32, oh*ow+1)
					got[oh*ow] = 12345 // guard
					plane3x3(x, got[:oh*ow], w, 3, ih, iw, oh, ow, s, s, p, p)
					for zh := 0; zh < oh; zh++ {
						for zw := 0; zw < ow; zw++ {
							want := int32(3)
							for fh := 0; fh < 3; fh++ {
								for fw := 0; fw < 3; fw++ {
									y, xx := zh*s-p+fh, zw*s-p+fw
									if y >= 0 && y < ih && xx >= 0 && xx < iw {
										want += w[fh*3+fw] * x[y*iw+xx]
									}
								}
							}
							if g := got[zh*ow+zw]; g != want {
								t.Fatalf("%s: y[%d,%d] = %d, want %d", fmt.Sprintf("ih%d iw%d s%d p%d", ih, iw, s, p), zh, zw, g, want)
							}
						}
					}
					if got[oh*ow] != 12345 {
						t.Fatal("wrote past the plane")
					}
				}
			}
		}
	}
}
