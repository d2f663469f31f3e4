// Package gemm is the dense matrix-multiply engine behind Gemm, MatMul and
// Conv: C = alpha*op(A)*op(B) + beta*C for row-major float32 and float64
// matrices.
//
// The engine follows the classic blocked layout. B is copied ("packed") in
// blocks of KC rows by NC columns into panels NR columns wide, A in blocks
// of MC rows by KC into panels MR rows tall (with alpha folded in), and a
// micro-kernel multiplies one A panel by one B panel into an MR×NR tile of
// C. Packing makes the micro-kernel's reads sequential and lets ragged
// edges be zero-padded, so the kernel never sees a partial tile.
//
// A constant operand (a layer's weights) can be packed once, PackA or
// PackB, and handed to GemmPacked or GemmPackedB on every run; a batch-1
// fully connected layer then streams its packed weights through the SIMD
// micro-kernel. For a convolution, GemmPacked and GemmIm take an Im2col
// view of the image instead of B and gather the B panels straight from it
// (implicit im2col), so the column matrix is never written out.
//
// When the GEMM starts C itself (beta 0, or an Epilogue bias) the first
// k-block's micro-kernel calls store their product into C (Kernel.Store)
// instead of adding it to a cleared or bias-filled C, so C is written
// once, and the Epilogue (bias, residual, activation) is one pass over
// each MC×NC block of C right after its last k-block, while the block is
// in cache, on the goroutine that computed it.
//
// The micro-kernel is a function value (Kernel.Micro). The pure-Go one is
// the reference; an architecture-specific kernel with its own tile shape can
// replace it through NewF32 without touching the blocking code.
package gemm
