// Command mkcpio writes a directory tree as a Linux initramfs: a cpio
// archive in the "newc" format, owned by root, with a /dev/console device
// node added so that the kernel can give /init its console.
//
//	go run ./dispatch/_emu/mkcpio -o initrd.img DIR
//
// Only directories and regular files are copied (no links or devices).
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log"
	"os"
	"path/filepath"
)

func main() {
	out := flag.String("o", "", "output file")
	flag.Parse()
	if *out == "" || flag.NArg() != 1 {
		log.Fatal("usage: mkcpio -o FILE DIR")
	}
	if err := write(*out, flag.Arg(0)); err != nil {
		log.Fatal(err)
	}
}

func write(out, root string) error {
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	w := &writer{w: bufio.NewWriterSize(f, 1<<20)}
	w.dev("dev", 0o755)
	w.node("dev/console", 0o020600, 5, 1)
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, path)
		if err != nil || rel == "." || rel == "dev" {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			w.dev(rel, uint32(info.Mode().Perm()))
		case info.Mode().IsRegular():
			return w.file(rel, path, info)
		default:
			return fmt.Errorf("%s: only directories and regular files are supported", path)
		}
		return nil
	})
	if err != nil {
		f.Close()
		return err
	}
	w.header("TRAILER!!!", 0, 0, 0, 0, 0)
	if w.err == nil {
		w.err = w.w.Flush()
	}
	if err := f.Close(); w.err == nil {
		w.err = err
	}
	return w.err
}

type writer struct {
	w   *bufio.Writer
	n   int64 // bytes written, for the 4-byte alignment
	ino uint32
	err error
}

func (w *writer) put(b []byte) {
	if w.err != nil {
		return
	}
	_, w.err = w.w.Write(b)
	w.n += int64(len(b))
}

func (w *writer) pad() {
	for w.n%4 != 0 {
		w.put([]byte{0})
	}
}

// header writes a newc header and the name; mode includes the file type.
func (w *writer) header(name string, mode uint32, size int64, major, minor uint32, nlink uint32) {
	w.ino++
	h := fmt.Sprintf("070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		w.ino, mode, 0, 0, nlink, 0, uint32(size), 0, 0, major, minor, len(name)+1, 0)
	w.put([]byte(h))
	w.put(append([]byte(name), 0))
	w.pad()
}

func (w *writer) dev(name string, perm uint32) { w.header(name, 0o040000|perm, 0, 0, 0, 2) }

func (w *writer) node(name string, mode, major, minor uint32) {
	w.header(name, mode, 0, major, minor, 1)
}

func (w *writer) file(name, path string, info fs.FileInfo) error {
	if info.Size() >= 1<<32 {
		return fmt.Errorf("%s: too large for cpio", path)
	}
	w.header(name, 0o100000|uint32(info.Mode().Perm()), info.Size(), 0, 0, 1)
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if w.err == nil {
		var n int64
		n, w.err = io.Copy(w.w, f)
		w.n += n
		if w.err == nil && n != info.Size() {
			w.err = fmt.Errorf("%s: size changed while copying", path)
		}
	}
	w.pad()
	return w.err
}
