package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/onnxrun/onnxrun/operators"
)

// The README's operator table lies between these lines.
const (
	opsBegin = "<!-- ops:begin (written by go run ./cmd/run ops -readme README.md) -->"
	opsEnd   = "<!-- ops:end -->"
)

// opRow is one operator of one domain and the opset versions at which
// onnxrun has an implementation of it.
type opRow struct {
	Domain string `json:"domain"`
	Op     string `json:"op"`
	Since  []int  `json:"since"`
}

// opRows groups the registry (sorted by domain, op, version) into rows.
func opRows() []opRow {
	var rows []opRow
	for _, r := range operators.Registrations() {
		d := r.Domain
		if d == "" {
			d = "ai.onnx"
		}
		if n := len(rows); n > 0 && rows[n-1].Domain == d && rows[n-1].Op == r.OpType {
			rows[n-1].Since = append(rows[n-1].Since, r.Since)
			continue
		}
		rows = append(rows, opRow{Domain: d, Op: r.OpType, Since: []int{r.Since}})
	}
	return rows
}

// versionRanges words the versions an implementation covers: each
// registration serves from its Since up to the next one's.
func versionRanges(since []int) string {
	parts := make([]string, len(since))
	for i, s := range since {
		switch {
		case i == len(since)-1:
			parts[i] = fmt.Sprintf("%d+", s)
		case since[i+1]-1 == s:
			parts[i] = fmt.Sprint(s)
		default:
			parts[i] = fmt.Sprintf("%d–%d", s, since[i+1]-1)
		}
	}
	return strings.Join(parts, ", ")
}

// opsMarkdown writes the operator table as Markdown.
func opsMarkdown(w io.Writer) {
	rows := opRows()
	fmt.Fprintf(w, "%d operators in %d implementations. An implementation serves the opset versions shown (ONNX keeps an operator's meaning until a later version changes it).\n\n", len(rows), len(operators.Registrations()))
	fmt.Fprintln(w, "| operator | domain | opset versions |")
	fmt.Fprintln(w, "|---|---|---|")
	for _, r := range rows {
		fmt.Fprintf(w, "| %s | %s | %s |\n", r.Op, r.Domain, versionRanges(r.Since))
	}
}

// replaceOps returns doc with the text between the markers replaced by
// table.
func replaceOps(doc, table string) (string, error) {
	i := strings.Index(doc, opsBegin)
	j := strings.Index(doc, opsEnd)
	if i < 0 || j < i {
		return "", fmt.Errorf("the markers %q and %q are missing or out of order", opsBegin, opsEnd)
	}
	return doc[:i+len(opsBegin)] + "\n" + table + doc[j:], nil
}

// ops lists the registered operators.
func (c *cli) ops(args []string) error {
	fs := c.newFlags("ops")
	markdown := fs.Bool("markdown", false, "print a Markdown table")
	asJSON := fs.Bool("json", false, "print a JSON array of {domain, op, since}")
	readme := fs.String("readme", "", "rewrite the table between the ops markers of `FILE` (README.md)")
	fs.Usage = func() {
		fmt.Fprintf(c.stderr, "Usage: %s ops [-markdown | -json | -readme FILE]\n\nLists the operators onnxrun implements, with their domains and opset versions.\n\n", c.prog)
		fs.PrintDefaults()
	}
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		fs.Usage()
		return errUsage
	}
	switch {
	case *readme != "":
		b, err := os.ReadFile(*readme)
		if err != nil {
			return err
		}
		var t bytes.Buffer
		opsMarkdown(&t)
		doc, err := replaceOps(string(b), t.String())
		if err != nil {
			return fmt.Errorf("%s: %w", *readme, err)
		}
		return os.WriteFile(*readme, []byte(doc), 0o644)
	case *asJSON:
		e := json.NewEncoder(c.stdout)
		e.SetIndent("", "  ")
		return e.Encode(opRows())
	case *markdown:
		opsMarkdown(c.stdout)
	default:
		for _, r := range opRows() {
			fmt.Fprintf(c.stdout, "%-28s %-24s %s\n", r.Op, r.Domain, versionRanges(r.Since))
		}
	}
	return nil
}
