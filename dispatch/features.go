package dispatch

import (
	"slices"

	"github.com/klauspost/cpuid/v2"
)

// relevantFeatures are the CPU features that decide, or may one day
// decide, which kernels run.
var relevantFeatures = []cpuid.FeatureID{
	cpuid.SSE2, cpuid.SSE4, cpuid.AVX, cpuid.AVX2, cpuid.FMA3, cpuid.F16C,
	cpuid.AVX512F, cpuid.AVX512DQ, cpuid.AVX512BW, cpuid.AVX512VL,
	cpuid.AVX512FP16, cpuid.AVX512BF16,
	cpuid.ASIMD, cpuid.ASIMDHP, cpuid.ASIMDDP, cpuid.FPHP, cpuid.SVE,
}

// Features returns the names of the CPU features this process sees that
// matter to the kernels (for example "AVX2", "FMA3", "AVX512F", "ASIMD"),
// in a fixed order, as detected by cpuid.
func Features() []string {
	var out []string
	for _, f := range relevantFeatures {
		if cpuid.CPU.Supports(f) {
			out = append(out, f.String())
		}
	}
	return slices.Clip(out)
}

// CPUName returns the processor's brand string, or "" if unknown.
func CPUName() string { return cpuid.CPU.BrandName }
