package bench

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/runtime/onnxpb"
)

// ModelDirs lists the model folders under root (the folders holding a
// model.onnx), sorted by name, so every model added to the shared data is
// timed and measured without naming it here.
func ModelDirs(root string) ([]string, error) {
	ents, err := os.ReadDir(root)
	if err != nil {
		return nil, err
	}
	var dirs []string
	for _, e := range ents {
		if !e.IsDir() {
			continue
		}
		d := filepath.Join(root, e.Name())
		if _, err := os.Stat(filepath.Join(d, "model.onnx")); err == nil {
			dirs = append(dirs, d)
		}
	}
	if len(dirs) == 0 {
		return nil, fmt.Errorf("%s: no folder holds a model.onnx", root)
	}
	slices.Sort(dirs)
	return dirs, nil
}

// ModelInfo is what the benchmarks need to know of a model before either
// runtime loads it.
type ModelInfo struct {
	Inputs  []string // graph inputs that are not initializers, in order
	Outputs []string
	// Batchable is true when the model has one input whose first
	// dimension is not a fixed number, so it can be fed a batch of
	// several copies of test_data_set_0's input.
	Batchable bool
	// WeightBytes is the size of the constant tensors both runtimes must
	// hold: the initializers plus the tensors of Constant nodes, at their
	// element type's size (external data included).
	WeightBytes int64
}

// ReadModelInfo decodes dir/model.onnx with the pure-Go decoder (no
// operator is bound, nothing is run).
func ReadModelInfo(dir string) (*ModelInfo, error) {
	m, err := onnxpb.ReadModel(filepath.Join(dir, "model.onnx"), onnxpb.Limits{})
	if err != nil {
		return nil, err
	}
	g := m.Graph
	if g == nil {
		return nil, fmt.Errorf("%s: the model has no graph", dir)
	}
	info := &ModelInfo{}
	inits := map[string]bool{}
	for _, t := range g.Initializers {
		inits[t.Name] = true
		n, err := tensorBytes(t)
		if err != nil {
			return nil, fmt.Errorf("%s: initializer %q: %w", dir, t.Name, err)
		}
		info.WeightBytes += n
	}
	for _, nd := range g.Nodes {
		if nd.OpType != "Constant" || (nd.Domain != "" && nd.Domain != "ai.onnx") {
			continue
		}
		for _, a := range nd.Attributes {
			if a.T == nil {
				continue
			}
			n, err := tensorBytes(a.T)
			if err != nil {
				return nil, fmt.Errorf("%s: Constant node %q: %w", dir, nd.Name, err)
			}
			info.WeightBytes += n
		}
	}
	var first *onnxpb.ValueInfo
	for _, vi := range g.Inputs {
		if inits[vi.Name] {
			continue
		}
		if first == nil {
			first = vi
		}
		info.Inputs = append(info.Inputs, vi.Name)
	}
	for _, vi := range g.Outputs {
		info.Outputs = append(info.Outputs, vi.Name)
	}
	if len(info.Inputs) == 1 && first.Type != nil && first.Type.Tensor != nil && first.Type.Tensor.Shape != nil {
		if d := first.Type.Tensor.Shape.Dims; len(d) > 0 && !d[0].HasValue {
			info.Batchable = true
		}
	}
	return info, nil
}

// tensorBytes is the size of t's data: its element count times the
// element type's size, whichever field (or external file) holds the data.
func tensorBytes(t *onnxpb.Tensor) (int64, error) {
	size := operators.DType(t.DataType).Size()
	if size == 0 {
		return 0, fmt.Errorf("data type %d has no fixed element size", t.DataType)
	}
	n := int64(1)
	for _, d := range t.Dims {
		if d < 0 {
			return 0, errors.New("negative dimension")
		}
		n *= d
	}
	return n * int64(size), nil
}

// ReadInputs reads test_data_set_0's inputs of a model folder (input_i.pb
// is the value of names[i]), each repeated batch times along the first axis
// when batch > 1.
func ReadInputs(dir string, names []string, batch int) (map[string]*operators.Value, error) {
	ins := map[string]*operators.Value{}
	for i, name := range names {
		p := filepath.Join(dir, "test_data_set_0", fmt.Sprintf("input_%d.pb", i))
		t, err := onnxpb.ReadTensor(p, onnxpb.Limits{})
		if err != nil {
			return nil, err
		}
		v, err := onnxpb.TensorToValue(t, "", onnxpb.Limits{})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		if batch > 1 {
			if len(v.Shape) == 0 || v.Shape[0] != 1 {
				return nil, fmt.Errorf("%s: cannot batch shape %v", p, v.Shape)
			}
			shape := slices.Clone(v.Shape)
			shape[0] = batch
			nv, err := operators.NewValue(v.DType, shape)
			if err != nil {
				return nil, err
			}
			for k := range batch {
				copy(nv.Raw[k*len(v.Raw):], v.Raw)
			}
			v = nv
		}
		ins[name] = v
	}
	return ins, nil
}
