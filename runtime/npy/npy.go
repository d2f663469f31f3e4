package npy

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/onnxrun/onnxrun/operators"
)

const magic = "\x93NUMPY"

// MaxBytes bounds the data Read will allocate for one array.
const MaxBytes = 1 << 32

// ErrFormat is wrapped by every error about a malformed or unsupported
// file.
var ErrFormat = errors.New("npy")

var descrs = map[string]operators.DType{
	"f2": operators.Float16, "f4": operators.Float32, "f8": operators.Float64,
	"i1": operators.Int8, "i2": operators.Int16, "i4": operators.Int32, "i8": operators.Int64,
	"u1": operators.Uint8, "u2": operators.Uint16, "u4": operators.Uint32, "u8": operators.Uint64,
	"b1": operators.Bool,
}

// Descr returns the .npy descriptor of dt ("<f4", "|u1", ...), or false if
// the format cannot hold it.
func Descr(dt operators.DType) (string, bool) {
	for k, v := range descrs {
		if v == dt {
			if dt.Size() == 1 {
				return "|" + k, true
			}
			return "<" + k, true
		}
	}
	return "", false
}

// ReadFile reads one array from an .npy file.
func ReadFile(path string) (*operators.Value, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	limit := int64(MaxBytes)
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
		limit = min(limit, st.Size())
	}
	v, err := read(bufio.NewReader(f), limit)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return v, nil
}

// Read reads one array. It allocates at most MaxBytes for the data.
func Read(r io.Reader) (*operators.Value, error) { return read(r, MaxBytes) }

func read(r io.Reader, limit int64) (*operators.Value, error) {
	var pre [8]byte
	if _, err := io.ReadFull(r, pre[:]); err != nil {
		return nil, fmt.Errorf("%w: reading the preamble: %v", ErrFormat, err)
	}
	if string(pre[:6]) != magic {
		return nil, fmt.Errorf("%w: not an .npy file (bad magic %q)", ErrFormat, pre[:6])
	}
	var hlen int64
	switch pre[6] {
	case 1:
		var b [2]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return nil, fmt.Errorf("%w: reading the header length: %v", ErrFormat, err)
		}
		hlen = int64(binary.LittleEndian.Uint16(b[:]))
	case 2, 3:
		var b [4]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return nil, fmt.Errorf("%w: reading the header length: %v", ErrFormat, err)
		}
		hlen = int64(binary.LittleEndian.Uint32(b[:]))
	default:
		return nil, fmt.Errorf("%w: format version %d.%d is not supported (want 1.0, 2.0 or 3.0)", ErrFormat, pre[6], pre[7])
	}
	if hlen > 1<<20 || hlen > limit {
		return nil, fmt.Errorf("%w: header length %d is too large", ErrFormat, hlen)
	}
	hb := make([]byte, hlen)
	if _, err := io.ReadFull(r, hb); err != nil {
		return nil, fmt.Errorf("%w: reading the header: %v", ErrFormat, err)
	}
	h, err := parseHeader(string(hb))
	if err != nil {
		return nil, err
	}
	if h.fortran {
		return nil, fmt.Errorf("%w: Fortran-ordered arrays are not supported; save with numpy.ascontiguousarray first", ErrFormat)
	}
	d := h.descr
	if len(d) != 3 {
		return nil, fmt.Errorf("%w: unsupported dtype %q", ErrFormat, d)
	}
	dt, ok := descrs[d[1:]]
	if !ok {
		return nil, fmt.Errorf("%w: unsupported dtype %q", ErrFormat, d)
	}
	switch d[0] {
	case '<', '|', '=':
	case '>':
		if dt.Size() > 1 {
			return nil, fmt.Errorf("%w: big-endian dtype %q is not supported; convert with arr.astype(arr.dtype.newbyteorder('<'))", ErrFormat, d)
		}
	default:
		return nil, fmt.Errorf("%w: unsupported dtype %q", ErrFormat, d)
	}
	n := operators.NumElements(h.shape)
	if n < 0 || int64(n) > limit/int64(dt.Size()) {
		return nil, fmt.Errorf("%w: shape %v of %v is larger than the file", ErrFormat, h.shape, dt)
	}
	v, err := operators.NewValue(dt, h.shape)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	if _, err := io.ReadFull(r, v.Raw); err != nil {
		return nil, fmt.Errorf("%w: reading %d bytes of data: %v", ErrFormat, len(v.Raw), err)
	}
	return v, nil
}

type header struct {
	descr   string
	fortran bool
	shape   []int
}

// parseHeader reads the Python dict literal of an .npy header, e.g.
// {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }.
func parseHeader(s string) (header, error) {
	var h header
	bad := func(why string) (header, error) {
		return header{}, fmt.Errorf("%w: malformed header %q: %s", ErrFormat, strings.TrimSpace(s), why)
	}
	p := &scanner{s: s}
	if !p.eat('{') {
		return bad("want '{'")
	}
	seen := map[string]bool{}
	for {
		p.space()
		if p.eat('}') {
			break
		}
		key, ok := p.str()
		if !ok {
			return bad("want a quoted key")
		}
		if !p.eat(':') {
			return bad("want ':' after " + key)
		}
		switch key {
		case "descr":
			if h.descr, ok = p.str(); !ok {
				return bad("descr is not a string (structured dtypes are not supported)")
			}
		case "fortran_order":
			switch {
			case p.word("True"):
				h.fortran = true
			case p.word("False"):
			default:
				return bad("fortran_order is not True or False")
			}
		case "shape":
			if !p.eat('(') {
				return bad("shape is not a tuple")
			}
			h.shape = []int{}
			for {
				if p.eat(')') {
					break
				}
				d, ok := p.int()
				if !ok {
					return bad("shape holds a non-integer")
				}
				h.shape = append(h.shape, d)
				if !p.eat(',') {
					if !p.eat(')') {
						return bad("want ',' or ')' in shape")
					}
					break
				}
			}
		default:
			return bad("unknown key " + strconv.Quote(key))
		}
		seen[key] = true
		if !p.eat(',') {
			if !p.eat('}') {
				return bad("want ',' or '}'")
			}
			break
		}
	}
	for _, k := range []string{"descr", "fortran_order", "shape"} {
		if !seen[k] {
			return bad("missing key " + k)
		}
	}
	return h, nil
}

type scanner struct {
	s string
	i int
}

func (p *scanner) space() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\n' || p.s[p.i] == '\t') {
		p.i++
	}
}

func (p *scanner) eat(c byte) bool {
	p.space()
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *scanner) word(w string) bool {
	p.space()
	if strings.HasPrefix(p.s[p.i:], w) {
		p.i += len(w)
		return true
	}
	return false
}

func (p *scanner) str() (string, bool) {
	p.space()
	if p.i >= len(p.s) || (p.s[p.i] != '\'' && p.s[p.i] != '"') {
		return "", false
	}
	q := p.s[p.i]
	end := strings.IndexByte(p.s[p.i+1:], q)
	if end < 0 {
		return "", false
	}
	v := p.s[p.i+1 : p.i+1+end]
	p.i += end + 2
	return v, true
}

func (p *scanner) int() (int, bool) {
	p.space()
	j := p.i
	for j < len(p.s) && p.s[j] >= '0' && p.s[j] <= '9' {
		j++
	}
	// NumPy on Windows once wrote shapes as 3L.
	v, err := strconv.Atoi(p.s[p.i:j])
	if err != nil || int64(v) > 1<<40 {
		return 0, false
	}
	if j < len(p.s) && p.s[j] == 'L' {
		j++
	}
	p.i = j
	return v, true
}

// Write writes v as an .npy file: version 1.0 when the header fits in
// 65535 bytes, else 2.0, with the data starting at a multiple of 64 bytes.
func Write(w io.Writer, v *operators.Value) error {
	d, ok := Descr(v.DType)
	if !ok {
		return fmt.Errorf("%w: element type %v has no .npy descriptor", ErrFormat, v.DType)
	}
	n := operators.NumElements(v.Shape)
	if n < 0 || len(v.Raw) < n*v.DType.Size() {
		return fmt.Errorf("%w: value %v holds %d bytes, too few for its shape", ErrFormat, v, len(v.Raw))
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "{'descr': '%s', 'fortran_order': False, 'shape': (", d)
	for i, x := range v.Shape {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString(strconv.Itoa(x))
	}
	if len(v.Shape) == 1 {
		sb.WriteString(",")
	}
	sb.WriteString("), }")
	hdr := sb.String()
	pre := 10 // magic, version, uint16 length
	version := byte(1)
	if len(hdr)+1+pre+63 > math.MaxUint16 {
		pre, version = 12, 2
	}
	pad := 64 - (pre+len(hdr)+1)%64
	if pad == 64 {
		pad = 0
	}
	hdr += strings.Repeat(" ", pad) + "\n"
	buf := []byte(magic)
	buf = append(buf, version, 0)
	if version == 1 {
		buf = binary.LittleEndian.AppendUint16(buf, uint16(len(hdr)))
	} else {
		buf = binary.LittleEndian.AppendUint32(buf, uint32(len(hdr)))
	}
	buf = append(buf, hdr...)
	if _, err := w.Write(buf); err != nil {
		return err
	}
	_, err := w.Write(v.Raw[:n*v.DType.Size()])
	return err
}

// WriteFile writes v to path as an .npy file.
func WriteFile(path string, v *operators.Value) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := Write(f, v); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
