// Package rnn implements the ONNX recurrent operators LSTM, GRU and RNN for
// float32 and float64 tensors.
//
// Each direction first projects the whole input sequence through W in one
// matrix multiply (operators/internal/gemm), with both biases folded in
// where the equations allow; each time step then multiplies the previous
// hidden state by R and applies the gates element by element. Activations
// run in float64 and are rounded once, so a float32 step is accurate to a
// few ulps of the exact formula.
//
// sequence_lens lets batch entries stop early: an entry past its length
// keeps its state, its Y rows are zero, and a reverse direction starts at
// the entry's last valid step. clip bounds every gate's input to the
// activation (after the peephole term for LSTM). LSTM's input_forget sets
// the forget gate to 1 - input gate. Activation alpha and beta values are
// taken in order by the activations that use them; the rest get the ONNX
// operators' defaults.
package rnn
