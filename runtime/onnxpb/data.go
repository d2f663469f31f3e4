package onnxpb

import "fmt"

// The messages of onnx-data.proto hold non-tensor values. The ONNX test
// layout stores a sequence, map or optional input or output (as declared by
// the model's TypeProto) in its .pb file as one of these instead of a
// TensorProto.

// Element kinds of Sequence.ElemType and Optional.ElemType
// (SequenceProto.DataType / OptionalProto.DataType).
const (
	ElemUndefined    int32 = 0
	ElemTensor       int32 = 1
	ElemSparseTensor int32 = 2
	ElemSequence     int32 = 3
	ElemMap          int32 = 4
	ElemOptional     int32 = 5
)

// Sequence is SequenceProto: a list of values of one kind.
type Sequence struct {
	Name          string          // 1
	ElemType      int32           // 2
	Tensors       []*Tensor       // 3
	SparseTensors []*SparseTensor // 4
	Sequences     []*Sequence     // 5
	Maps          []*Map          // 6
	Optionals     []*Optional     // 7
}

// Map is MapProto: keys (integers or strings) and a sequence of values.
type Map struct {
	Name       string    // 1
	KeyType    int32     // 2 (a TensorProto data type)
	Keys       []int64   // 3
	StringKeys [][]byte  // 4
	Values     *Sequence // 5
}

// Optional is OptionalProto: at most one value. ElemType UNDEFINED (or no
// value field) is the empty optional.
type Optional struct {
	Name         string        // 1
	ElemType     int32         // 2
	Tensor       *Tensor       // 3
	SparseTensor *SparseTensor // 4
	Sequence     *Sequence     // 5
	Map          *Map          // 6
	Optional     *Optional     // 7
}

// DecodeSequence decodes a serialized SequenceProto. Tensor.RawData aliases b.
func DecodeSequence(b []byte, lim Limits) (*Sequence, error) {
	lim = lim.withDefaults()
	if int64(len(b)) > lim.MaxModelBytes {
		return nil, invalid(limitErr("sequence file is %d bytes, MaxModelBytes = %d", len(b), lim.MaxModelBytes))
	}
	d := &decoder{lim: lim}
	s, err := d.sequence(b, 1)
	if err != nil {
		return nil, invalid(named("sequence", peekString(b, 1), err))
	}
	return s, nil
}

// DecodeMap decodes a serialized MapProto. Tensor.RawData aliases b.
func DecodeMap(b []byte, lim Limits) (*Map, error) {
	lim = lim.withDefaults()
	if int64(len(b)) > lim.MaxModelBytes {
		return nil, invalid(limitErr("map file is %d bytes, MaxModelBytes = %d", len(b), lim.MaxModelBytes))
	}
	d := &decoder{lim: lim}
	m, err := d.mapProto(b, 1)
	if err != nil {
		return nil, invalid(named("map", peekString(b, 1), err))
	}
	return m, nil
}

// DecodeOptional decodes a serialized OptionalProto. Tensor.RawData aliases b.
func DecodeOptional(b []byte, lim Limits) (*Optional, error) {
	lim = lim.withDefaults()
	if int64(len(b)) > lim.MaxModelBytes {
		return nil, invalid(limitErr("optional file is %d bytes, MaxModelBytes = %d", len(b), lim.MaxModelBytes))
	}
	d := &decoder{lim: lim}
	o, err := d.optional(b, 1)
	if err != nil {
		return nil, invalid(named("optional", peekString(b, 1), err))
	}
	return o, nil
}

func (d *decoder) nest(depth int) error {
	if err := d.charge(); err != nil {
		return err
	}
	if depth > maxTypeDepth {
		return limitErr("values nested deeper than %d", maxTypeDepth)
	}
	return nil
}

func (d *decoder) sequence(b []byte, depth int) (*Sequence, error) {
	if err := d.nest(depth); err != nil {
		return nil, err
	}
	s := &Sequence{}
	for len(b) > 0 {
		f, rest, err := next(b)
		if err != nil {
			return nil, err
		}
		b = rest
		var p []byte
		switch f.num {
		case 1:
			s.Name, err = f.str("name")
		case 2:
			s.ElemType, err = f.int32("elem_type")
		case 3:
			if p, err = f.bytes("tensor_values"); err == nil {
				var t *Tensor
				if t, err = d.tensor(p); err == nil {
					s.Tensors = append(s.Tensors, t)
				} else {
					err = fmt.Errorf("tensor_values %d: %w", len(s.Tensors), err)
				}
			}
		case 4:
			if p, err = f.bytes("sparse_tensor_values"); err == nil {
				var t *SparseTensor
				if t, err = d.sparse(p); err == nil {
					s.SparseTensors = append(s.SparseTensors, t)
				} else {
					err = fmt.Errorf("sparse_tensor_values %d: %w", len(s.SparseTensors), err)
				}
			}
		case 5:
			if p, err = f.bytes("sequence_values"); err == nil {
				var t *Sequence
				if t, err = d.sequence(p, depth+1); err == nil {
					s.Sequences = append(s.Sequences, t)
				} else {
					err = fmt.Errorf("sequence_values %d: %w", len(s.Sequences), err)
				}
			}
		case 6:
			if p, err = f.bytes("map_values"); err == nil {
				var t *Map
				if t, err = d.mapProto(p, depth+1); err == nil {
					s.Maps = append(s.Maps, t)
				} else {
					err = fmt.Errorf("map_values %d: %w", len(s.Maps), err)
				}
			}
		case 7:
			if p, err = f.bytes("optional_values"); err == nil {
				var t *Optional
				if t, err = d.optional(p, depth+1); err == nil {
					s.Optionals = append(s.Optionals, t)
				} else {
					err = fmt.Errorf("optional_values %d: %w", len(s.Optionals), err)
				}
			}
		}
		if err != nil {
			return nil, err
		}
	}
	return s, nil
}

func (d *decoder) mapProto(b []byte, depth int) (*Map, error) {
	if err := d.nest(depth); err != nil {
		return nil, err
	}
	m := &Map{}
	for len(b) > 0 {
		f, rest, err := next(b)
		if err != nil {
			return nil, err
		}
		b = rest
		switch f.num {
		case 1:
			m.Name, err = f.str("name")
		case 2:
			m.KeyType, err = f.int32("key_type")
		case 3:
			m.Keys, err = appendVarints(m.Keys, &f, "keys", d.lim.MaxTensorElements, toInt64)
		case 4:
			var s []byte
			if s, err = f.bytesCopy("string_keys"); err == nil {
				m.StringKeys = append(m.StringKeys, s)
			}
		case 5:
			var p []byte
			if p, err = f.single(m.Values != nil, "values"); err == nil {
				if m.Values, err = d.sequence(p, depth+1); err != nil {
					err = fmt.Errorf("values: %w", err)
				}
			}
		}
		if err != nil {
			return nil, err
		}
	}
	return m, nil
}

func (d *decoder) optional(b []byte, depth int) (*Optional, error) {
	if err := d.nest(depth); err != nil {
		return nil, err
	}
	o := &Optional{}
	for len(b) > 0 {
		f, rest, err := next(b)
		if err != nil {
			return nil, err
		}
		b = rest
		var p []byte
		switch f.num {
		case 1:
			o.Name, err = f.str("name")
		case 2:
			o.ElemType, err = f.int32("elem_type")
		case 3:
			if p, err = f.single(o.Tensor != nil, "tensor_value"); err == nil {
				if o.Tensor, err = d.tensor(p); err != nil {
					err = fmt.Errorf("tensor_value: %w", err)
				}
			}
		case 4:
			if p, err = f.single(o.SparseTensor != nil, "sparse_tensor_value"); err == nil {
				if o.SparseTensor, err = d.sparse(p); err != nil {
					err = fmt.Errorf("sparse_tensor_value: %w", err)
				}
			}
		case 5:
			if p, err = f.single(o.Sequence != nil, "sequence_value"); err == nil {
				if o.Sequence, err = d.sequence(p, depth+1); err != nil {
					err = fmt.Errorf("sequence_value: %w", err)
				}
			}
		case 6:
			if p, err = f.single(o.Map != nil, "map_value"); err == nil {
				if o.Map, err = d.mapProto(p, depth+1); err != nil {
					err = fmt.Errorf("map_value: %w", err)
				}
			}
		case 7:
			if p, err = f.single(o.Optional != nil, "optional_value"); err == nil {
				if o.Optional, err = d.optional(p, depth+1); err != nil {
					err = fmt.Errorf("optional_value: %w", err)
				}
			}
		}
		if err != nil {
			return nil, err
		}
	}
	return o, nil
}
