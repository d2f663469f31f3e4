package dispatch_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/onnxrun/onnxrun/dispatch"
	"github.com/onnxrun/onnxrun/dispatch/dispatchtest"
)

func TestParseLevel(t *testing.T) {
	for _, l := range []dispatch.Level{dispatch.GenericLevel, dispatch.AVX2, dispatch.AVX512, dispatch.NEON} {
		got, err := dispatch.ParseLevel(" " + l.String() + " ")
		if err != nil || got != l {
			t.Errorf("ParseLevel(%q) = %v, %v; want %v", l.String(), got, err, l)
		}
	}
	if _, err := dispatch.ParseLevel("sse9"); err == nil {
		t.Error("ParseLevel(sse9) succeeded")
	}
	if got, _ := dispatch.ParseLevel("AVX2"); got != dispatch.AVX2 {
		t.Errorf("ParseLevel(AVX2) = %v", got)
	}
}

func TestImplsAndTables(t *testing.T) {
	impls := dispatch.Impls()
	if len(impls) == 0 || impls[0].Level != dispatch.GenericLevel || !impls[0].Available {
		t.Fatalf("Impls()[0] = %+v, want available generic", impls)
	}
	for _, im := range impls {
		k, err := dispatch.ForLevel(im.Level)
		if im.Available != (err == nil) {
			t.Errorf("%s: Available=%v but ForLevel error %v", im.Level, im.Available, err)
		}
		if err != nil {
			if im.Reason == "" {
				t.Errorf("%s unavailable without a reason", im.Level)
			}
			continue
		}
		if k.Level != im.Level {
			t.Errorf("table for %s reports level %s", im.Level, k.Level)
		}
		ents := k.Entries()
		if len(ents) != funcFields() || ents[0].Name != "MaxF32" || ents[len(ents)-1].Name != "ShiftColsF64" {
			t.Errorf("%s: Entries() = %v", im.Level, ents)
		}
		for _, e := range ents {
			if e.Level > im.Level {
				t.Errorf("%s: entry %s from higher level %s", im.Level, e.Name, e.Level)
			}
		}
		t.Logf("%s: %v", im.Level, ents)
		if str := k.String(); !strings.HasPrefix(str, im.Level.String()+" (") || !strings.HasSuffix(str, " entries)") {
			t.Errorf("String() = %q", str)
		}
	}
	for _, e := range dispatch.Generic().Entries() {
		if e.Level != dispatch.GenericLevel {
			t.Errorf("generic table entry %s has level %s", e.Name, e.Level)
		}
	}
	if _, err := dispatch.ForLevel(dispatch.Level(99)); err == nil {
		t.Error("ForLevel(99) succeeded")
	}
	if b := dispatch.Best(); b.Level != dispatch.BestLevel() && b.Level > dispatch.BestLevel() {
		t.Errorf("Best().Level = %s, BestLevel = %s", b.Level, dispatch.BestLevel())
	}
	t.Logf("features: %v, cpu %q", dispatch.Features(), dispatch.CPUName())
}

func TestUseRestores(t *testing.T) {
	before := dispatch.Active()
	restore, err := dispatch.Use(dispatch.GenericLevel)
	if err != nil {
		t.Fatal(err)
	}
	if dispatch.Active() != dispatch.Generic() {
		t.Error("Use(generic) did not install the generic table")
	}
	restore()
	if dispatch.Active() != before {
		t.Error("restore did not reinstall the previous table")
	}
}

func TestForEachImplInstallsActive(t *testing.T) {
	ran := 0
	dispatchtest.ForEachImpl(t, func(t *testing.T, k *dispatch.Kernels) {
		ran++
		if dispatch.Active() != k {
			t.Errorf("Active() is not the table under test")
		}
	})
	if ran == 0 {
		t.Error("ForEachImpl ran nothing")
	}
}

// Example_names prints the names of the table's entries and the level of
// the reference table; the chosen levels differ from host to host, so only
// the reference is printed.
func Example_names() {
	k := dispatch.Generic()
	for _, e := range k.Entries()[:6] {
		fmt.Println(e.Name, e.Level)
	}
	fmt.Println(k)
	// Output:
	// MaxF32 generic
	// ExpSumF32 generic
	// SumExpF32 generic
	// ScaleF32 generic
	// ShiftF32 generic
	// ExpF32 generic
	// generic (generic: 31 entries)
}

// funcFields counts the function fields of Kernels: one entry each.
func funcFields() int {
	n := 0
	typ := reflect.TypeFor[dispatch.Kernels]()
	for i := range typ.NumField() {
		if typ.Field(i).Type.Kind() == reflect.Func {
			n++
		}
	}
	return n
}
