package dispatch

import (
	"fmt"
	"log"
	"os"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"
)

// Architecture hook. Each build provides, in exactly one plug_*.go file:
//
//	// archLevels lists, weakest first, the tiers this build has kernels
//	// for; a tier's requirements include those of the tiers before it.
//	var archLevels []Level
//
//	// archCheck reports whether this CPU can run tier l (one of
//	// archLevels); if not, reason says what is missing, e.g.
//	// "CPU lacks AVX512F".
//	func archCheck(l Level) (ok bool, reason string)
//
//	// archPlug overrides in k the entries that tier l accelerates, by
//	// plain assignment of the function fields. The table builder calls it
//	// for every tier of archLevels up to the one wanted, weakest first, on
//	// a table that starts as the reference, and records which tier
//	// supplied each entry by noticing which fields changed.
//	func archPlug(k *Kernels, l Level)
//
// plug_amd64.go, plug_arm64.go and plug_other.go implement it.

// EnvVar is the environment variable that can lower the kernel tier.
const EnvVar = "ONNXRUN_ISA"

// Impl describes one tier compiled into this build.
type Impl struct {
	Level     Level
	Available bool   // the CPU can run it
	Reason    string // why not, when !Available
}

// Impls lists every tier compiled for this GOARCH and build tags, starting
// with GenericLevel, and whether this CPU can run each.
func Impls() []Impl {
	out := []Impl{{Level: GenericLevel, Available: true}}
	for _, l := range archLevels {
		ok, why := archCheck(l)
		out = append(out, Impl{Level: l, Available: ok, Reason: why})
	}
	return out
}

// ForLevel builds the table for tier l: the reference overridden by every
// tier of this architecture up to and including l. It fails if l is not
// compiled into this build or the CPU cannot run it. Tables are built once
// per tier and shared; callers must not modify them.
func ForLevel(l Level) (*Kernels, error) {
	if l == GenericLevel {
		return Generic(), nil
	}
	idx := -1
	for i, al := range archLevels {
		if al == l {
			idx = i
			break
		}
	}
	if idx < 0 {
		return nil, fmt.Errorf("dispatch: kernel level %s is not compiled into this build (%s)", l, buildDesc())
	}
	for _, al := range archLevels[:idx+1] {
		if ok, why := archCheck(al); !ok {
			return nil, fmt.Errorf("dispatch: kernel level %s unavailable: %s", l, why)
		}
	}
	tablesMu.Lock()
	defer tablesMu.Unlock()
	if k := tables[l]; k != nil {
		return k, nil
	}
	k := newGeneric()
	for _, al := range archLevels[:idx+1] {
		before := funcPointers(k)
		archPlug(k, al)
		after := funcPointers(k)
		for i := range after {
			if after[i] != before[i] {
				k.entry[i] = al
			}
		}
	}
	k.Level = l
	if tables == nil {
		tables = map[Level]*Kernels{}
	}
	tables[l] = k
	return k, nil
}

var (
	tablesMu sync.Mutex
	tables   map[Level]*Kernels
)

// BestLevel returns the highest tier this CPU and build can run.
func BestLevel() Level {
	best := GenericLevel
	for _, l := range archLevels {
		if ok, _ := archCheck(l); !ok {
			break
		}
		best = l
	}
	return best
}

// Best returns the table of the highest tier this CPU and build can run,
// ignoring ONNXRUN_ISA.
func Best() *Kernels {
	k, err := ForLevel(BestLevel())
	if err != nil { // cannot happen: BestLevel checked availability
		panic(err)
	}
	return k
}

// The active table. It is chosen on first use (so that flags parsed in
// main, such as cpuid's, are seen) and then only replaced by Use.
var (
	activeMu  sync.Mutex
	active    atomic.Pointer[Kernels]
	envLevel  Level
	envErr    error
	envRead   bool
	envLogged bool
)

// Active returns the table in force: the best tier, lowered by ONNXRUN_ISA
// if it is set, or the tier installed by Use. It is built on the first call.
//
// If ONNXRUN_ISA names an unknown or unavailable tier, Active logs a
// one-line refusal with log.Printf (once per process, unless Configure
// already returned the error to its caller) and uses the best tier.
func Active() *Kernels {
	if k := active.Load(); k != nil {
		return k
	}
	activeMu.Lock()
	defer activeMu.Unlock()
	k := selectLocked()
	if envErr != nil && !envLogged {
		envLogged = true
		log.Printf("%v; using %s", envErr, k.Level)
	}
	return k
}

// Configure reads ONNXRUN_ISA (once per process) and, if the active table
// has not been chosen yet, chooses it now. It returns the reason
// ONNXRUN_ISA was refused, if it was; the table then uses the best tier.
// A program that wants to report that as an error (rather than the log line
// Active writes) calls Configure before anything uses Active.
func Configure() error {
	activeMu.Lock()
	defer activeMu.Unlock()
	selectLocked()
	envLogged = true // the caller got the error; do not log it as well
	return envErr
}

// selectLocked returns the active table, choosing it if need be. activeMu
// is held.
func selectLocked() *Kernels {
	l := readEnvLocked()
	if k := active.Load(); k != nil {
		return k
	}
	k, err := ForLevel(l)
	if err != nil { // readEnvLocked only returns available levels
		panic(err)
	}
	active.Store(k)
	return k
}

// readEnvLocked returns the tier ONNXRUN_ISA selects: the best one when it
// is unset, empty or refused. The variable is read once per process; a
// refusal is kept in envErr. activeMu is held.
func readEnvLocked() Level {
	if !envRead {
		envRead = true
		envLevel, envErr = parseEnv(os.LookupEnv(EnvVar))
	}
	return envLevel
}

// parseEnv interprets the value of ONNXRUN_ISA.
func parseEnv(v string, set bool) (Level, error) {
	best := BestLevel()
	if !set || v == "" {
		return best, nil
	}
	l, err := ParseLevel(v)
	if err == nil {
		_, err = ForLevel(l)
	}
	if err != nil {
		return best, fmt.Errorf("dispatch: %s=%q refused: %s", EnvVar, v, strings.TrimPrefix(err.Error(), "dispatch: "))
	}
	return l, nil
}

// Use installs the table of tier l as Active and returns a function that
// restores the table that was active before (or, if none had been chosen
// yet, lets the next Active call choose again). It is meant for tests and
// tools: it must not be called while models are being loaded or run on
// other goroutines, and calls must be undone in reverse order. Operators
// that already copied kernels out of the old table keep them.
func Use(l Level) (restore func(), err error) {
	k, err := ForLevel(l)
	if err != nil {
		return nil, err
	}
	activeMu.Lock()
	prev := active.Swap(k)
	activeMu.Unlock()
	return func() {
		activeMu.Lock()
		active.Store(prev)
		activeMu.Unlock()
	}, nil
}

// Entry says which tier supplied one entry of a table.
type Entry struct {
	Name  string // the Kernels field, e.g. "MaxF32"
	Level Level
}

// Entries lists the table's function entries in declaration order with
// the tier that supplied each.
func (k *Kernels) Entries() []Entry {
	out := make([]Entry, 0, numEntries)
	for i, name := range entryNames {
		out = append(out, Entry{Name: name, Level: k.entry[i]})
	}
	return out
}

// entryNames are the names of Kernels' function fields, in order.
var entryNames = func() []string {
	t := reflect.TypeFor[Kernels]()
	var names []string
	for i := 0; i < t.NumField(); i++ {
		if f := t.Field(i); f.Type.Kind() == reflect.Func {
			names = append(names, f.Name)
		}
	}
	if len(names) != numEntries {
		panic(fmt.Sprintf("dispatch: Kernels has %d function fields, numEntries is %d", len(names), numEntries))
	}
	return names
}()

// funcPointers returns the identity of every function field of k: the
// pointer a func value holds (its closure record; one per top-level
// function, one per evaluation of a capturing literal). It is only
// compared for equality, to see which fields archPlug replaced.
func funcPointers(k *Kernels) [numEntries]unsafe.Pointer {
	var out [numEntries]unsafe.Pointer
	v := reflect.ValueOf(k).Elem()
	j := 0
	for i := 0; i < v.NumField(); i++ {
		f := v.Field(i)
		if f.Kind() != reflect.Func {
			continue
		}
		out[j] = *(*unsafe.Pointer)(f.Addr().UnsafePointer())
		j++
	}
	return out
}

// String describes the table on one line for logs and bug reports: its
// tier, then how many entries each tier supplied, e.g.
// "avx2 (avx2: 22 entries)" or "avx512 (avx512: 20, avx2: 2 entries)".
func (k *Kernels) String() string {
	var count [NEON + 1]int
	for _, l := range k.entry {
		if l >= 0 && l <= NEON {
			count[l]++
		}
	}
	var b strings.Builder
	b.WriteString(k.Level.String())
	b.WriteString(" (")
	first := true
	for l := NEON; l >= GenericLevel; l-- {
		if count[l] == 0 {
			continue
		}
		if !first {
			b.WriteString(", ")
		}
		first = false
		fmt.Fprintf(&b, "%s: %d", l, count[l])
	}
	b.WriteString(" entries)")
	return b.String()
}
