package onnxpb

// The message types below mirror onnx.proto (IR versions 3 to 10). Only the
// fields the runtime uses are kept; unknown fields are skipped when
// decoding. Field comments give the protobuf field numbers.

// Model is ModelProto.
type Model struct {
	IRVersion       int64               // 1
	OpsetImport     []OperatorSetID     // 8
	ProducerName    string              // 2
	ProducerVersion string              // 3
	Domain          string              // 4
	ModelVersion    int64               // 5
	DocString       string              // 6
	Graph           *Graph              // 7
	MetadataProps   []StringStringEntry // 14
	Functions       []*Function         // 25
}

// OperatorSetID is OperatorSetIdProto.
type OperatorSetID struct {
	Domain  string // 1
	Version int64  // 2
}

// StringStringEntry is StringStringEntryProto.
type StringStringEntry struct {
	Key   string // 1
	Value string // 2
}

// Graph is GraphProto.
type Graph struct {
	Nodes              []*Node             // 1
	Name               string              // 2
	Initializers       []*Tensor           // 5
	SparseInitializers []*SparseTensor     // 15
	DocString          string              // 10
	Inputs             []*ValueInfo        // 11
	Outputs            []*ValueInfo        // 12
	ValueInfo          []*ValueInfo        // 13
	MetadataProps      []StringStringEntry // 16
}

// Node is NodeProto.
type Node struct {
	Inputs     []string     // 1
	Outputs    []string     // 2
	Name       string       // 3
	OpType     string       // 4
	Domain     string       // 7
	Overload   string       // 8
	Attributes []*Attribute // 5
	DocString  string       // 6

	MetadataProps []StringStringEntry // 9
}

// AttributeType is AttributeProto.AttributeType.
type AttributeType int32

// Attribute is AttributeProto.
type Attribute struct {
	Name          string          // 1
	RefAttrName   string          // 21
	DocString     string          // 13
	Type          AttributeType   // 20
	F             float32         // 2
	I             int64           // 3
	S             []byte          // 4
	T             *Tensor         // 5
	G             *Graph          // 6
	SparseTensor  *SparseTensor   // 22
	TP            *Type           // 14
	Floats        []float32       // 7 (packed or not)
	Ints          []int64         // 8 (packed or not)
	Strings       [][]byte        // 9
	Tensors       []*Tensor       // 10
	Graphs        []*Graph        // 11
	SparseTensors []*SparseTensor // 23
	TypeProtos    []*Type         // 15
}

// Tensor is TensorProto. The data stays in the field it was stored in;
// TensorToValue turns it into an operators.Value.
type Tensor struct {
	Dims         []int64             // 1
	DataType     int32               // 2
	Segment      *Segment            // 3
	FloatData    []float32           // 4
	Int32Data    []int32             // 5
	StringData   [][]byte            // 6
	Int64Data    []int64             // 7
	Name         string              // 8
	DocString    string              // 12
	RawData      []byte              // 9
	HasRawData   bool                // raw_data was present (even if empty)
	ExternalData []StringStringEntry // 13
	DataLocation int32               // 14 (0 DEFAULT, 1 EXTERNAL)
	DoubleData   []float64           // 10
	Uint64Data   []uint64            // 11

	MetadataProps []StringStringEntry // 16
}

// Segment is TensorProto.Segment.
type Segment struct {
	Begin int64 // 1
	End   int64 // 2
}

// SparseTensor is SparseTensorProto.
type SparseTensor struct {
	Values  *Tensor // 1
	Indices *Tensor // 2
	Dims    []int64 // 3
}

// ValueInfo is ValueInfoProto.
type ValueInfo struct {
	Name      string // 1
	Type      *Type  // 2
	DocString string // 3

	MetadataProps []StringStringEntry // 4
}

// Type is TypeProto. Exactly one of the variants is set.
type Type struct {
	Tensor       *TensorType // 1 tensor_type
	Sequence     *Type       // 4 sequence_type.elem_type
	MapKey       int32       // 5 map_type.key_type
	MapValue     *Type       // 5 map_type.value_type
	IsMap        bool
	Optional     *Type       // 9 optional_type.elem_type
	SparseTensor *TensorType // 8 sparse_tensor_type
	Opaque       *OpaqueType // 7 opaque_type
	Denotation   string      // 6
}

// OpaqueType is TypeProto.Opaque.
type OpaqueType struct {
	Domain string // 1
	Name   string // 2
}

// TensorType is TypeProto.Tensor (and TypeProto.SparseTensor).
type TensorType struct {
	ElemType int32  // 1
	Shape    *Shape // 2; nil when the rank is unknown
}

// Shape is TensorShapeProto.
type Shape struct {
	Dims []Dim // 1
}

// Dim is TensorShapeProto.Dimension: a value, a symbolic name, or neither
// (unknown).
type Dim struct {
	Value      int64 // 1
	HasValue   bool
	Param      string // 2
	Denotation string // 3
}

// Function is FunctionProto (model-local functions).
type Function struct {
	Name           string          // 1
	Inputs         []string        // 4
	Outputs        []string        // 5
	Attributes     []string        // 6
	AttributeProto []*Attribute    // 11
	Nodes          []*Node         // 7
	DocString      string          // 8
	OpsetImport    []OperatorSetID // 9
	Domain         string          // 10
	Overload       string          // 13
	ValueInfo      []*ValueInfo    // 12

	MetadataProps []StringStringEntry // 14
}
