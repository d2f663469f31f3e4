//go:build amd64 && !purego

package dispatch

import "github.com/klauspost/cpuid/v2"

// archLevels: AVX2 needs AVX2 and FMA3; AVX512 additionally needs AVX-512
// F, DQ, BW and VL (every AVX-512 x86 core since Skylake-SP has all four).
var archLevels = []Level{AVX2, AVX512}

func archCheck(l Level) (bool, string) {
	switch l {
	case AVX2:
		return need(cpuid.AVX2, cpuid.FMA3)
	case AVX512:
		return need(cpuid.AVX2, cpuid.FMA3, cpuid.AVX512F, cpuid.AVX512DQ, cpuid.AVX512BW, cpuid.AVX512VL)
	}
	return false, "no " + l.String() + " kernels in an amd64 build"
}

// need reports whether the CPU has every feature, naming the first missing.
func need(fs ...cpuid.FeatureID) (bool, string) {
	for _, f := range fs {
		if !cpuid.CPU.Supports(f) {
			return false, "CPU lacks " + f.String()
		}
	}
	return true, ""
}

func buildDesc() string { return "amd64 build" }

func archPlug(k *Kernels, l Level) {
	switch l {
	case AVX2:
		plugAVX2(k)
	case AVX512:
		plugAVX512(k)
	}
}

func plugAVX2(k *Kernels) {}

func plugAVX512(k *Kernels) {}
