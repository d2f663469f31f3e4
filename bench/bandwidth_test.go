package bench

import (
	"sync"
	"testing"

	"github.com/onnxrun/onnxrun/dispatch"
)

// bandwidthBytes is far larger than any last-level cache here, so every
// pass goes to memory.
const bandwidthBytes = 256 << 20

// BenchmarkBandwidth measures single-core memory bandwidth, read plus
// write, so large Softmax shapes can be stated as a fraction of it:
//   - copy: dst = src over two buffers (the bytes read plus the bytes
//     written);
//   - scale: x[i] *= s in place with the active kernel table's ScaleF32,
//     the access pattern of Softmax's last pass (each byte read once and
//     written once);
//   - copy-t2: copy on two goroutines, each over half the buffers: what
//     two cores get together, the bound of a two-thread Softmax.
//
// SetBytes counts read and written bytes, so MB/s is the read+write rate.
func BenchmarkBandwidth(b *testing.B) {
	n := bandwidthBytes / 4
	src := make([]float32, n)
	dst := make([]float32, n)
	for i := range src {
		src[i] = float32(i & 1023)
	}
	copy(dst, src)
	b.Run("copy", func(b *testing.B) {
		b.SetBytes(2 * bandwidthBytes)
		for b.Loop() {
			copy(dst, src)
		}
	})
	b.Run("copy-t2", func(b *testing.B) {
		b.SetBytes(2 * bandwidthBytes)
		h := n / 2
		for b.Loop() {
			var wg sync.WaitGroup
			wg.Go(func() { copy(dst[:h], src[:h]) })
			copy(dst[h:], src[h:])
			wg.Wait()
		}
	})
	scale := dispatch.Active().ScaleF32
	b.Run("scale", func(b *testing.B) {
		b.SetBytes(2 * bandwidthBytes)
		for b.Loop() {
			scale(dst, 1)
		}
	})
}
