package dispatch

import (
	"strings"
	"testing"
)

func TestParseEnv(t *testing.T) {
	best := BestLevel()
	cases := []struct {
		v       string
		set     bool
		want    Level
		wantErr string
	}{
		{"", false, best, ""},
		{"", true, best, ""},
		{"generic", true, GenericLevel, ""},
		{"GENERIC", true, GenericLevel, ""},
		{"turbo", true, best, "unknown kernel level"},
		{"neon-x", true, best, "unknown kernel level"},
	}
	// A level this build or CPU lacks is refused, never turned on.
	for _, im := range Impls() {
		if !im.Available {
			cases = append(cases, struct {
				v       string
				set     bool
				want    Level
				wantErr string
			}{im.Level.String(), true, best, "unavailable"})
		} else {
			cases = append(cases, struct {
				v       string
				set     bool
				want    Level
				wantErr string
			}{im.Level.String(), true, im.Level, ""})
		}
	}
	for _, c := range cases {
		got, err := parseEnv(c.v, c.set)
		if got != c.want {
			t.Errorf("parseEnv(%q) level = %s, want %s", c.v, got, c.want)
		}
		switch {
		case c.wantErr == "" && err != nil:
			t.Errorf("parseEnv(%q) error %v", c.v, err)
		case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)):
			t.Errorf("parseEnv(%q) error %v, want one containing %q", c.v, err, c.wantErr)
		}
	}
}

func TestNumEntries(t *testing.T) {
	if len(entryNames) != numEntries {
		t.Fatalf("entryNames has %d names, numEntries = %d", len(entryNames), numEntries)
	}
}
