package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/runtime"
	"github.com/onnxrun/onnxrun/runtime/onnxpb"
)

// info describes a model without running it: producer, opsets, inputs,
// outputs, operator counts and whether onnxrun can load it.
func (c *cli) info(args []string) error {
	fs := c.newFlags("info")
	asJSON := fs.Bool("json", false, "print as one JSON object")
	fs.Usage = func() {
		fmt.Fprintf(c.stderr, "Usage: %s info [-json] MODEL.onnx\n\nDescribes a model: opsets, inputs, outputs, operators, and whether onnxrun can load it.\n\n", c.prog)
		fs.PrintDefaults()
	}
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fs.Usage()
		return errUsage
	}
	path, err := modelPath(pos[0])
	if err != nil {
		return err
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("model %q: %w", path, err)
	}
	m, err := onnxpb.DecodeModel(b, onnxpb.DefaultLimits())
	if err != nil {
		return fmt.Errorf("model %q: %w", path, err)
	}
	w := c.stdout
	var js infoJSON
	if *asJSON {
		w = io.Discard
		js = infoJSON{Model: path, Bytes: len(b), IRVersion: m.IRVersion, Producer: strings.TrimSpace(m.ProducerName + " " + m.ProducerVersion), Opsets: map[string]int64{}}
		for _, o := range m.OpsetImport {
			d := o.Domain
			if d == "" {
				d = "ai.onnx"
			}
			js.Opsets[d] = o.Version
		}
	}
	fmt.Fprintf(w, "model %s (%d bytes)\n", path, len(b))
	fmt.Fprintf(w, "ir_version %d, producer %s %s\n", m.IRVersion, m.ProducerName, m.ProducerVersion)
	var opsets []string
	for _, o := range m.OpsetImport {
		d := o.Domain
		if d == "" {
			d = "ai.onnx"
		}
		opsets = append(opsets, fmt.Sprintf("%s:%d", d, o.Version))
	}
	fmt.Fprintf(w, "opsets %s\n", strings.Join(opsets, ", "))
	if m.Graph == nil {
		return fmt.Errorf("model %q: no graph", path)
	}
	inits := map[string]bool{}
	for _, t := range m.Graph.Initializers {
		inits[t.Name] = true
	}
	for _, v := range m.Graph.Inputs {
		if !inits[v.Name] {
			fmt.Fprintf(w, "input  %q %s\n", v.Name, typeString(v.Type))
			js.Inputs = append(js.Inputs, infoValue{v.Name, typeString(v.Type)})
		}
	}
	for _, v := range m.Graph.Outputs {
		fmt.Fprintf(w, "output %q %s\n", v.Name, typeString(v.Type))
		js.Outputs = append(js.Outputs, infoValue{v.Name, typeString(v.Type)})
	}
	counts := map[string]int{}
	var count func(nodes []*onnxpb.Node)
	count = func(nodes []*onnxpb.Node) {
		for _, n := range nodes {
			name := n.OpType
			if n.Domain != "" && n.Domain != "ai.onnx" {
				name = n.Domain + "." + n.OpType
			}
			counts[name]++
			for _, a := range n.Attributes {
				if a.G != nil {
					count(a.G.Nodes)
				}
				for _, g := range a.Graphs {
					if g != nil {
						count(g.Nodes)
					}
				}
			}
		}
	}
	count(m.Graph.Nodes)
	ops := make([]string, 0, len(counts))
	for op, n := range counts {
		ops = append(ops, fmt.Sprintf("%s:%d", op, n))
	}
	sort.Strings(ops)
	fmt.Fprintf(w, "top-level nodes %d, initializers %d; operators (subgraphs included) %s\n", len(m.Graph.Nodes), len(m.Graph.Initializers), strings.Join(ops, " "))
	js.Nodes, js.Initializers, js.Operators = len(m.Graph.Nodes), len(m.Graph.Initializers), counts
	js.Loads = true
	if _, err := runtime.Load(path); err != nil {
		js.Loads, js.Error = false, strings.TrimPrefix(err.Error(), path+": ")
		var ue *runtime.UnsupportedError
		if errors.As(err, &ue) {
			js.Unsupported = true
			fmt.Fprintf(w, "onnxrun: cannot run it yet: %s\n", js.Error)
		} else {
			fmt.Fprintf(w, "onnxrun: does not load: %s\n", js.Error)
		}
	} else {
		fmt.Fprintln(w, "onnxrun: loads")
	}
	if *asJSON {
		e := json.NewEncoder(c.stdout)
		e.SetIndent("", "  ")
		return e.Encode(js)
	}
	return nil
}

// infoJSON is what info -json prints.
type infoJSON struct {
	Model        string           `json:"model"`
	Bytes        int              `json:"bytes"`
	IRVersion    int64            `json:"ir_version"`
	Producer     string           `json:"producer"`
	Opsets       map[string]int64 `json:"opsets"`
	Inputs       []infoValue      `json:"inputs"`
	Outputs      []infoValue      `json:"outputs"`
	Nodes        int              `json:"top_level_nodes"`
	Initializers int              `json:"initializers"`
	Operators    map[string]int   `json:"operators"` // subgraphs included
	Loads        bool             `json:"loads"`
	Unsupported  bool             `json:"unsupported,omitempty"` // does not load because of missing operators
	Error        string           `json:"error,omitempty"`
}

type infoValue struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// typeString prints a declared type: float32[batch,3,224,224].
func typeString(t *onnxpb.Type) string {
	switch {
	case t == nil:
		return "(no type)"
	case t.Tensor != nil:
		return tensorTypeString(t.Tensor)
	case t.Sequence != nil:
		return "sequence<" + typeString(t.Sequence) + ">"
	case t.Optional != nil:
		return "optional<" + typeString(t.Optional) + ">"
	case t.IsMap:
		return "map"
	case t.SparseTensor != nil:
		return "sparse " + tensorTypeString(t.SparseTensor)
	}
	return "(unknown type)"
}

func tensorTypeString(tt *onnxpb.TensorType) string {
	s := operators.DType(tt.ElemType).String()
	if tt.Shape == nil {
		return s + "[?...]"
	}
	dims := make([]string, len(tt.Shape.Dims))
	for i, d := range tt.Shape.Dims {
		switch {
		case d.HasValue:
			dims[i] = fmt.Sprint(d.Value)
		case d.Param != "":
			dims[i] = d.Param
		default:
			dims[i] = "?"
		}
	}
	return s + "[" + strings.Join(dims, ",") + "]"
}
