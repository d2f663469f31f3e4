package onnxgo

import (
	"fmt"

	"gonum.org/v1/gonum/graph"
	"gonum.org/v1/gonum/graph/iterator"
)

// The methods in this file make Backend a gonum graph.DirectedWeightedBuilder,
// the half of onnx-go's Backend interface that receives the topology. onnx-go
// creates one node per named value (graph input, output, initializer or
// intermediate) and an edge from every node output to each of its inputs,
// weighted by the input's position. The backend keeps this graph so that
// onnx-go and gonum code that walks it keeps working, but it does not execute
// it: the model runs from its own bytes (see Backend).

// edge is a weighted directed edge between two value nodes.
type edge struct {
	from, to graph.Node
	w        float64
}

func (e edge) From() graph.Node         { return e.from }
func (e edge) To() graph.Node           { return e.to }
func (e edge) Weight() float64          { return e.w }
func (e edge) ReversedEdge() graph.Edge { return edge{from: e.to, to: e.from, w: e.w} }

type edgeKey struct{ from, to int64 }

// NewNode returns a new value node.
//
// onnx-go's Model.SetInput(i, x) sets the node with ID i, after checking i
// against the number of graph inputs that are not initializers, and onnx-go
// creates the nodes of the graph's input list first, in order. When the
// model is loaded before onnx-go decodes it, the backend knows that list, so
// it gives the inputs that are not initializers IDs 0, 1, ... in order, the
// initializers listed among the inputs the next IDs, and every later node
// the IDs after those: SetInput(i, x) then sets the i-th input proper, even
// in models (usual before IR version 4) that list initializers first.
// Otherwise IDs follow creation order from 0, as in onnx-go's own backends.
func (b *Backend) NewNode() graph.Node {
	var id int64
	if b.created < len(b.inputIDs) {
		id = b.inputIDs[b.created]
	} else {
		id = int64(max(len(b.inputIDs), b.created))
	}
	b.created++
	return &Node{id: id, backend: b}
}

// AddNode adds n to the graph. It panics, as gonum's builders do, when n's
// ID is already in use or n was not made by this backend's NewNode.
func (b *Backend) AddNode(n graph.Node) {
	nn, ok := n.(*Node)
	if !ok || nn.backend != b {
		panic(fmt.Sprintf("onnxgo: AddNode: node %d of type %T was not made by this backend's NewNode", n.ID(), n))
	}
	if _, dup := b.nodes[nn.id]; dup {
		panic(fmt.Sprintf("onnxgo: AddNode: node ID %d is already in the graph", nn.id))
	}
	b.nodes[nn.id] = nn
	b.order = append(b.order, nn)
}

// Node returns the node with the given ID, or nil.
func (b *Backend) Node(id int64) graph.Node {
	if n, ok := b.nodes[id]; ok {
		return n
	}
	return nil
}

// Nodes returns every node in creation order.
func (b *Backend) Nodes() graph.Nodes {
	if len(b.order) == 0 {
		return graph.Empty
	}
	ns := make([]graph.Node, len(b.order))
	for i, n := range b.order {
		ns[i] = n
	}
	return iterator.NewOrderedNodes(ns)
}

// From returns the nodes reachable from id by one edge: for an operation's
// output, its inputs.
func (b *Backend) From(id int64) graph.Nodes { return b.list(b.from[id]) }

// To returns the nodes with an edge to id: the outputs of the operations
// that read it.
func (b *Backend) To(id int64) graph.Nodes { return b.list(b.to[id]) }

func (b *Backend) list(ids []int64) graph.Nodes {
	if len(ids) == 0 {
		return graph.Empty
	}
	ns := make([]graph.Node, len(ids))
	for i, id := range ids {
		ns[i] = b.nodes[id]
	}
	return iterator.NewOrderedNodes(ns)
}

// HasEdgeBetween reports whether an edge joins x and y in either direction.
func (b *Backend) HasEdgeBetween(xid, yid int64) bool {
	return b.HasEdgeFromTo(xid, yid) || b.HasEdgeFromTo(yid, xid)
}

// HasEdgeFromTo reports whether an edge goes from u to v.
func (b *Backend) HasEdgeFromTo(uid, vid int64) bool {
	_, ok := b.edges[edgeKey{uid, vid}]
	return ok
}

// Edge returns the edge from u to v, or nil.
func (b *Backend) Edge(uid, vid int64) graph.Edge {
	if e, ok := b.edges[edgeKey{uid, vid}]; ok {
		return e
	}
	return nil
}

// WeightedEdge returns the edge from u to v with its weight, or nil.
func (b *Backend) WeightedEdge(uid, vid int64) graph.WeightedEdge {
	if e, ok := b.edges[edgeKey{uid, vid}]; ok {
		return e
	}
	return nil
}

// NewWeightedEdge returns an edge from from to to; SetWeightedEdge adds it.
func (b *Backend) NewWeightedEdge(from, to graph.Node, weight float64) graph.WeightedEdge {
	return edge{from: from, to: to, w: weight}
}

// SetWeightedEdge adds e to the graph, adding its end nodes when they are
// missing. An edge that already joins the same nodes is replaced (a node
// reading the same value twice, as in Mul(x, x), keeps the last position).
// Unlike gonum's simple graphs it accepts a self-loop, which a malformed
// model can ask for, so that such a model fails with an error when it is
// loaded rather than with a panic while it is decoded.
func (b *Backend) SetWeightedEdge(e graph.WeightedEdge) {
	from, to := e.From(), e.To()
	for _, n := range []graph.Node{from, to} {
		if _, ok := b.nodes[n.ID()]; !ok {
			b.AddNode(n)
		}
	}
	k := edgeKey{from.ID(), to.ID()}
	if _, ok := b.edges[k]; !ok {
		b.from[k.from] = append(b.from[k.from], k.to)
		b.to[k.to] = append(b.to[k.to], k.from)
	}
	b.edges[k] = edge{from: from, to: to, w: e.Weight()}
}
