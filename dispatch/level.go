package dispatch

import (
	"fmt"
	"strings"
)

// Level is a kernel tier: an instruction-set level a table can be built for.
// Levels of one architecture are ordered: a higher one includes the lower
// ones' requirements.
type Level int

const (
	// GenericLevel is the portable Go reference, available everywhere.
	// (The name Generic is taken by the function returning its table.)
	GenericLevel Level = iota
	// AVX2 is amd64 with AVX2 and FMA3 (8 float32 or 4 float64 lanes).
	AVX2
	// AVX512 is amd64 with AVX-512 F on top of AVX2 (16 float32 or 8
	// float64 lanes).
	AVX512
	// NEON is arm64 Advanced SIMD (4 float32 or 2 float64 lanes).
	NEON
)

var levelNames = [...]string{
	GenericLevel: "generic",
	AVX2:         "avx2",
	AVX512:       "avx512",
	NEON:         "neon",
}

// String returns the level's name as ONNXRUN_ISA spells it: "generic",
// "avx2", "avx512" or "neon".
func (l Level) String() string {
	if l >= 0 && int(l) < len(levelNames) {
		return levelNames[l]
	}
	return fmt.Sprintf("Level(%d)", int(l))
}

// ParseLevel parses a level name as printed by [Level.String]. Case and
// surrounding spaces are ignored.
func ParseLevel(s string) (Level, error) {
	w := strings.ToLower(strings.TrimSpace(s))
	for l, name := range levelNames {
		if w == name {
			return Level(l), nil
		}
	}
	return GenericLevel, fmt.Errorf("dispatch: unknown kernel level %q (want one of %s)", s, strings.Join(levelNames[:], ", "))
}
