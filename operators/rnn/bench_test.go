package rnn

import (
	"fmt"
	"math/rand"
	"testing"

	"github.com/onnxrun/onnxrun/operators"
	ot "github.com/onnxrun/onnxrun/operators/internal/optest"
)

var benchSink *operators.Value

// BenchmarkLSTM times a forward LSTM with Y and Y_h: a Silero-VAD-sized
// step (hidden 64) and longer sequences. Bytes are the weights and the
// input read plus the outputs written, per run.
func BenchmarkLSTM(b *testing.B) {
	for _, sz := range []struct{ seq, batch, input, hidden int }{{1, 1, 64, 64}, {16, 1, 64, 64}, {64, 4, 128, 128}} {
		b.Run(fmt.Sprintf("seq%d_batch%d_in%d_h%d", sz.seq, sz.batch, sz.input, sz.hidden), func(b *testing.B) {
			r := rand.New(rand.NewSource(1))
			c := cfg{kind: lstmKind}
			o, err := build(node(c, 14, 3, ot.Int("hidden_size", int64(sz.hidden))))
			if err != nil {
				b.Fatal(err)
			}
			G := 4
			in := []*operators.Value{
				mkval(operators.Float32, []int{sz.seq, sz.batch, sz.input}, randv(r, sz.seq*sz.batch*sz.input)),
				mkval(operators.Float32, []int{1, G * sz.hidden, sz.input}, randv(r, G*sz.hidden*sz.input)),
				mkval(operators.Float32, []int{1, G * sz.hidden, sz.hidden}, randv(r, G*sz.hidden*sz.hidden)),
			}
			bytes := 0
			for _, v := range in {
				bytes += len(v.Raw)
			}
			bytes += 4 * (sz.seq + 2) * sz.batch * sz.hidden
			b.SetBytes(int64(bytes))
			b.ReportAllocs()
			out := make([]*operators.Value, 3)
			rc := &operators.RunContext{Threads: 1}
			for b.Loop() {
				if err := o.Run(rc, in, out); err != nil {
					b.Fatal(err)
				}
			}
			benchSink = out[0]
		})
	}
}
