package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/onnxrun/onnxrun/dispatch"
)

func (c *cli) kernels(args []string) error {
	fs := c.newFlags("kernels")
	asJSON := fs.Bool("json", false, "print as one JSON object")
	levels := fs.Bool("levels", false, "print only the kernel levels this CPU can run, one per line")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return fmt.Errorf("kernels: unexpected argument %q", pos[0])
	}
	if *levels {
		for _, im := range dispatch.Impls() {
			if im.Available {
				fmt.Fprintln(c.stdout, im.Level)
			}
		}
		return nil
	}
	if err := dispatch.Configure(); err != nil {
		return err
	}
	k := dispatch.Active()
	isa := os.Getenv(dispatch.EnvVar)
	if *asJSON {
		type impl struct {
			Level     string `json:"level"`
			Available bool   `json:"available"`
			Reason    string `json:"reason,omitempty"`
		}
		type entry struct {
			Name  string `json:"name"`
			Level string `json:"level"`
		}
		out := struct {
			CPU      string   `json:"cpu"`
			Features []string `json:"features"`
			ISA      string   `json:"onnxrun_isa,omitempty"`
			Level    string   `json:"level"`
			Impls    []impl   `json:"impls"`
			Entries  []entry  `json:"entries"`
		}{CPU: dispatch.CPUName(), Features: dispatch.Features(), ISA: isa, Level: k.Level.String()}
		if out.Features == nil {
			out.Features = []string{}
		}
		for _, im := range dispatch.Impls() {
			out.Impls = append(out.Impls, impl{im.Level.String(), im.Available, im.Reason})
		}
		for _, e := range k.Entries() {
			out.Entries = append(out.Entries, entry{e.Name, e.Level.String()})
		}
		enc := json.NewEncoder(c.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	cpu := dispatch.CPUName()
	if cpu == "" {
		cpu = "unknown"
	}
	fmt.Fprintf(c.stdout, "cpu: %s\n", cpu)
	fmt.Fprintf(c.stdout, "features: %s\n", strings.Join(dispatch.Features(), " "))
	var avail []string
	for _, im := range dispatch.Impls() {
		s := im.Level.String()
		if !im.Available {
			s += " (unavailable: " + im.Reason + ")"
		}
		avail = append(avail, s)
	}
	fmt.Fprintf(c.stdout, "levels: %s\n", strings.Join(avail, ", "))
	if isa != "" {
		fmt.Fprintf(c.stdout, "%s=%s\n", dispatch.EnvVar, isa)
	}
	fmt.Fprintf(c.stdout, "active level: %s\n", k.Level)
	width := 0
	for _, e := range k.Entries() {
		width = max(width, len(e.Name))
	}
	for _, e := range k.Entries() {
		fmt.Fprintf(c.stdout, "  %-*s %s\n", width, e.Name, e.Level)
	}
	return nil
}
