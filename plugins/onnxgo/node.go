package onnxgo

import (
	"fmt"

	"gorgonia.org/tensor"
)

// Node is one named value of the model (a graph input, an initializer, an
// operator's output or a graph output) as onnx-go sees it. It implements
// onnx-go's Namer, Documenter and DataCarrier interfaces.
type Node struct {
	id      int64
	backend *Backend
	name    string
	doc     string
	t       tensor.Tensor
	// userSet is true when the tensor was set after onnx-go finished
	// decoding, that is by Model.SetInput or by the caller, rather than as
	// onnx-go's zero placeholder for a declared input.
	userSet bool
}

// ID returns the node's ID, which is its creation rank.
func (n *Node) ID() int64 { return n.id }

// SetName sets the name of the value the node stands for.
func (n *Node) SetName(s string) { n.name = s }

// GetName returns the name of the value the node stands for.
func (n *Node) GetName() string { return n.name }

// SetDescription sets a free-form description.
func (n *Node) SetDescription(s string) { n.doc = s }

// GetDescription returns the description.
func (n *Node) GetDescription() string { return n.doc }

// SetTensor sets the node's value. onnx-go calls it while decoding, with a
// zero placeholder for each declared value and with each initializer;
// Model.SetInput calls it afterwards with the caller's input, which must then
// be a *tensor.Dense (checked when the backend runs).
func (n *Node) SetTensor(t tensor.Tensor) error {
	if t == nil {
		return fmt.Errorf("onnxgo: SetTensor %q: tensor is nil", n.name)
	}
	n.t = t
	n.userSet = n.backend != nil && n.backend.decoded()
	return nil
}

// GetTensor returns the node's value: after Backend.Run, a *tensor.Dense for
// each graph output.
func (n *Node) GetTensor() tensor.Tensor { return n.t }
