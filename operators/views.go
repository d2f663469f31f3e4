package operators

// Views hands out Value headers for views: values that share another
// value's elements under a new shape (Reshape, Squeeze and the like). The
// runtime keeps one per run and takes the headers back when the values
// they hold are released, so a steady-state run makes no new ones.
//
// Like the run it belongs to, a Views is used by one goroutine at a time.
type Views struct {
	free []*ViewHeader
	// Fresh lists the headers handed out since the runtime last looked:
	// those it finds among a step's outputs it keeps until their last use;
	// the others it puts back.
	Fresh []*ViewHeader
}

// ViewHeader is a header handed out by Views, with room for its shape. Refs is
// the runtime's count of the value slots that hold it.
type ViewHeader struct {
	V    Value
	Refs int
	dims [8]int
}

// get returns a header viewing v's elements as shape (copied).
func (vs *Views) get(v *Value, shape []int) *Value {
	var h *ViewHeader
	if n := len(vs.free); n > 0 {
		h = vs.free[n-1]
		vs.free[n-1] = nil
		vs.free = vs.free[:n-1]
	} else {
		h = new(ViewHeader)
	}
	h.Refs = 0
	if len(shape) <= len(h.dims) {
		h.V.Shape = append(h.dims[:0], shape...)
	} else {
		h.V.Shape = append([]int(nil), shape...)
	}
	h.V.DType, h.V.Raw, h.V.Strs = v.DType, v.Raw, v.Strs
	vs.Fresh = append(vs.Fresh, h)
	return &h.V
}

// Put takes a header back; its value must no longer be in use.
func (vs *Views) Put(h *ViewHeader) {
	h.V = Value{}
	h.Refs = 0
	vs.free = append(vs.free, h)
}

// View returns a value sharing v's elements (and strings) under shape,
// which is copied. Its header comes from rc.Views when the run keeps one,
// so a steady-state view allocates nothing; otherwise it is new.
func (rc *RunContext) View(v *Value, shape []int) *Value {
	if rc == nil || rc.Views == nil {
		return &Value{DType: v.DType, Shape: append(make([]int, 0, len(shape)), shape...), Raw: v.Raw, Strs: v.Strs}
	}
	return rc.Views.get(v, shape)
}
