package onnxpb

import (
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkDecodeResNet18 decodes the 45 MB ResNet-18 of the shared model
// folder. raw_data is aliased, so the cost is one pass over the fields
// and no copy of the weights.
func BenchmarkDecodeResNet18(b *testing.B) {
	data, err := os.ReadFile(filepath.Join(testdataDir(b, "models/resnet18"), "model.onnx"))
	if err != nil {
		b.Skip(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeModel(data, Limits{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkResNet18Values decodes ResNet-18 and converts every initializer,
// which copies each weight once into an aligned buffer.
func BenchmarkResNet18Values(b *testing.B) {
	data, err := os.ReadFile(filepath.Join(testdataDir(b, "models/resnet18"), "model.onnx"))
	if err != nil {
		b.Skip(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		m, err := DecodeModel(data, Limits{})
		if err != nil {
			b.Fatal(err)
		}
		for _, t := range m.Graph.Initializers {
			if _, err := TensorToValue(t, "", Limits{}); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkManyPackedRuns decodes a tensor whose int64_data is split into
// 100000 packed runs of one element: linear, not quadratic, in the runs.
func BenchmarkManyPackedRuns(b *testing.B) {
	var msg []byte
	for i := 0; i < 100000; i++ {
		msg = append(msg, msgField(7, []byte{0x05})...)
	}
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		if _, err := DecodeTensor(msg, Limits{}); err != nil {
			b.Fatal(err)
		}
	}
}
