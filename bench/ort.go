package bench

import (
	"errors"
	"fmt"
	"os"
	"sync"

	ort "github.com/yalue/onnxruntime_go"
)

var ortInit = sync.OnceValue(func() error {
	lib := os.Getenv("ORT_LIB")
	if lib == "" {
		return errors.New("ORT_LIB is not set: run `bash setup.sh` and set ORT_LIB to the path it prints")
	}
	ort.SetSharedLibraryPath(lib)
	return ort.InitializeEnvironment()
})

// ORTAvailable reports whether ONNX Runtime could be loaded, and why not.
func ORTAvailable() error { return ortInit() }

// ORTOptions returns session options for a fair single-process comparison:
// intra-op threads as given, one inter-op thread, sequential execution;
// everything else (memory arena, memory patterns, graph optimizations) at
// ONNX Runtime's defaults. The caller destroys them.
func ORTOptions(threads int) (*ort.SessionOptions, error) {
	o, err := ort.NewSessionOptions()
	if err != nil {
		return nil, err
	}
	if err := o.SetIntraOpNumThreads(threads); err != nil {
		o.Destroy()
		return nil, err
	}
	if err := o.SetInterOpNumThreads(1); err != nil {
		o.Destroy()
		return nil, err
	}
	return o, nil
}

// ORTFixed runs one model whose inputs and outputs are float32 tensors of
// fixed shapes, bound once, so a Run is ONNX Runtime's whole session run and
// nothing else.
type ORTFixed struct {
	sess    *ort.AdvancedSession
	ins     []*ort.Tensor[float32]
	outs    []*ort.Tensor[float32]
	options *ort.SessionOptions
}

// NewORTFixed loads the model at path. inputs and outputs give each value's
// name, shape and (for inputs) data.
func NewORTFixed(path string, inNames []string, inShapes [][]int64, inData [][]float32, outNames []string, outShapes [][]int64, threads int) (*ORTFixed, error) {
	if err := ortInit(); err != nil {
		return nil, err
	}
	r := &ORTFixed{}
	var ins, outs []ort.Value
	for i := range inNames {
		t, err := ort.NewTensor(ort.NewShape(inShapes[i]...), inData[i])
		if err != nil {
			r.Close()
			return nil, fmt.Errorf("input %q: %w", inNames[i], err)
		}
		r.ins = append(r.ins, t)
		ins = append(ins, t)
	}
	for i := range outNames {
		t, err := ort.NewEmptyTensor[float32](ort.NewShape(outShapes[i]...))
		if err != nil {
			r.Close()
			return nil, fmt.Errorf("output %q: %w", outNames[i], err)
		}
		r.outs = append(r.outs, t)
		outs = append(outs, t)
	}
	o, err := ORTOptions(threads)
	if err != nil {
		r.Close()
		return nil, err
	}
	r.options = o
	s, err := ort.NewAdvancedSession(path, inNames, outNames, ins, outs, o)
	if err != nil {
		r.Close()
		return nil, err
	}
	r.sess = s
	return r, nil
}

// Run executes the session once.
func (r *ORTFixed) Run() error { return r.sess.Run() }

// Output returns output i's data (owned by the session).
func (r *ORTFixed) Output(i int) []float32 { return r.outs[i].GetData() }

// Close releases everything the runner holds.
func (r *ORTFixed) Close() {
	if r.sess != nil {
		r.sess.Destroy()
	}
	for _, t := range r.ins {
		t.Destroy()
	}
	for _, t := range r.outs {
		t.Destroy()
	}
	if r.options != nil {
		r.options.Destroy()
	}
}
