// Command init is the whole user space of the emulated AVX-512 machine
// that dispatch/_emu/avx512.sh boots: the kernel runs it as /init from the
// initramfs. It mounts the pseudo file systems the tests need, prints what
// the kernel table detected, runs every test binary listed in /plan (one
// per line: a name, the directory to run in relative to /, the binary
// relative to /, then its arguments; or "env NAME=VALUE" to set a variable
// for the lines after it), prints a final result line and powers the
// machine off.
//
// Each step is framed by lines starting with Marker, which the host script
// watches on the serial console:
//
//	ONNXRUN-EMU BEGIN name
//	ONNXRUN-EMU END name ok|FAIL (seconds of guest time)
//	ONNXRUN-EMU RESULT PASS|FAIL ...
//
// It is built with CGO_ENABLED=0 for linux/amd64 and only makes sense as
// process 1 of that machine.
package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/onnxrun/onnxrun/dispatch"
)

// Marker starts every line the host script acts on.
const Marker = "ONNXRUN-EMU"

func main() {
	failed := run()
	if len(failed) == 0 {
		fmt.Printf("%s RESULT PASS\n", Marker)
	} else {
		fmt.Printf("%s RESULT FAIL: %s\n", Marker, strings.Join(failed, " "))
	}
	os.Stdout.Sync()
	syscall.Sync()
	// Give the console a moment to drain before the machine stops.
	time.Sleep(200 * time.Millisecond)
	syscall.Reboot(syscall.LINUX_REBOOT_CMD_POWER_OFF)
	// Process 1 must not exit (the kernel would panic); if power-off
	// failed, wait for the host to stop the emulator.
	for {
		time.Sleep(time.Hour)
	}
}

// run does the work and returns the names of the steps that failed.
func run() []string {
	for _, m := range []struct{ src, dir, fs string }{
		{"devtmpfs", "/dev", "devtmpfs"},
		{"proc", "/proc", "proc"},
		{"sysfs", "/sys", "sysfs"},
		{"tmpfs", "/tmp", "tmpfs"},
	} {
		os.MkdirAll(m.dir, 0o755)
		if err := syscall.Mount(m.src, m.dir, m.fs, 0, ""); err != nil {
			fmt.Printf("init: mount %s on %s: %v\n", m.fs, m.dir, err)
			return []string{"mount"}
		}
	}
	os.Setenv("TMPDIR", "/tmp")
	os.Setenv("HOME", "/tmp")
	os.Setenv("PATH", "/bin")

	var failed []string
	fmt.Printf("%s BEGIN detect\n", Marker)
	ok := detect()
	fmt.Printf("%s END detect %s\n", Marker, okWord(ok))
	if !ok {
		// Running the tests on another tier would prove nothing.
		return []string{"detect"}
	}

	plan, err := os.ReadFile("/plan")
	if err != nil {
		fmt.Printf("init: %v\n", err)
		return []string{"plan"}
	}
	sc := bufio.NewScanner(strings.NewReader(string(plan)))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 0 || strings.HasPrefix(f[0], "#") {
			continue
		}
		if f[0] == "env" && len(f) == 2 {
			k, v, _ := strings.Cut(f[1], "=")
			os.Setenv(k, v)
			fmt.Printf("init: %s=%s\n", k, v)
			continue
		}
		if len(f) < 3 {
			fmt.Printf("init: bad plan line %q\n", sc.Text())
			failed = append(failed, "plan")
			continue
		}
		name, dir, bin, args := f[0], f[1], f[2], f[3:]
		fmt.Printf("%s BEGIN %s\n", Marker, name)
		start := time.Now()
		cmd := exec.Command(filepath.Join("/", bin), args...)
		cmd.Dir = filepath.Join("/", dir)
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stdout
		err := cmd.Run()
		if err != nil {
			fmt.Printf("init: %s: %v\n", name, err)
			failed = append(failed, name)
		}
		fmt.Printf("%s END %s %s (%.1fs guest time)\n", Marker, name, okWord(err == nil), time.Since(start).Seconds())
	}
	return failed
}

// detect prints what the kernel table sees and reports whether the best
// tier is AVX-512, as it must be on the emulated CPU.
func detect() bool {
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(line, "model name") {
				fmt.Println("init: cpuinfo", line)
				break
			}
		}
	}
	fmt.Printf("init: cpu %q\n", dispatch.CPUName())
	fmt.Printf("init: features %s\n", strings.Join(dispatch.Features(), " "))
	for _, im := range dispatch.Impls() {
		fmt.Printf("init: level %s available=%v %s\n", im.Level, im.Available, im.Reason)
	}
	best := dispatch.Best()
	fmt.Printf("init: best table %s\n", best)
	if best.Level != dispatch.AVX512 {
		fmt.Printf("init: the best kernel level is %s, not avx512\n", best.Level)
		return false
	}
	return true
}

func okWord(ok bool) string {
	if ok {
		return "ok"
	}
	return "FAIL"
}
