// Package dispatch is the table of numeric kernels that the Softmax and
// LogSoftmax operators run (and Conv's GEMM micro-kernel and activation
// clamp, its depthwise 3×3 path and MaxPool), chosen once per process for
// the CPU at hand.
//
// The table starts as the portable Go reference (generic.go, always
// compiled, never tagged) and is then overridden tier by tier, weakest
// first: AVX2+FMA, then AVX-512 on amd64; NEON on arm64. An entry that a
// tier does not accelerate keeps the kernel of the tier below. Operators
// copy the function values they need out of [Active] when a model is
// loaded, so the hot path never tests CPU features.
//
// Choosing a tier:
//   - Build time: the build tag purego compiles no assembly at all; every
//     entry is then the reference.
//   - Run time: the environment variable ONNXRUN_ISA (generic, avx2, avx512
//     or neon) is read once, the first time [Active] or [Configure] runs. It
//     can only lower the tier: naming a tier this CPU or build lacks, or an
//     unknown word, is refused (see [Configure]) and the best tier is used.
//   - Tests and tools: [Use] installs a given tier as [Active] and returns
//     a function that restores the previous one; package dispatchtest runs a
//     test body once per tier.
//
// SIMD kernels work on whole vectors only and report how many elements they
// did; their Go wrappers finish the tail (on amd64 the exp tails go through
// the vector kernel via a padded buffer, the others through the
// reference). The vectorised exponentials are within 1 ULP of the
// correctly rounded result, subnormal results included.
//
// Tests: package dispatchtest runs a body once per tier; on a host that
// must run a tier, ONNXRUN_REQUIRE_ISA (e.g. "avx2,avx512") turns a
// skipped tier into a failure. ONNXRUN_SEED replays the random data of a
// failed kernel test; ONNXRUN_EXP_SWEEP=full checks the float32
// exponential on every float32 of [-104, 89].
//
// CPU features are detected with github.com/klauspost/cpuid/v2, which also
// checks that the operating system saves the wide registers.
package dispatch
