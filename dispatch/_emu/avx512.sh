#!/usr/bin/env bash
# Runs the AVX-512 kernel tier's tests on an emulated AVX-512 CPU, for hosts
# that lack AVX-512 (on a host that has it, the ordinary go test runs the
# tier natively).
#
#	dispatch/_emu/avx512.sh [ci|full] [NAME ...]
#
# Bochs (Debian's build emulates EVEX/AVX-512; QEMU's TCG does not) boots a
# Skylake-X model from an ISO holding Debian's cloud kernel and an
# initramfs whose /init is dispatch/_emu/init, a static Go program that
# checks the kernel table picked avx512, runs the test binaries built here
# with ONNXRUN_REQUIRE_ISA=avx512 and ONNXRUN_ONLY_ISA=avx512 (so the other
# tiers skip and a detection failure fails), prints a result line on the
# serial console and powers off. This script watches that console, prints
# each line after the seconds of host time since the emulator started, and
# exits 0 only on "RESULT PASS".
#
# The test sets (see plan_ci and plan_full below): "ci", the default, runs
# the dispatch kernel tests and the operator tests that go through the
# table, in short mode; "full" runs those packages whole and the runtime's
# tests on the bundled models; NAME arguments keep only the test binaries
# named (dispatch, softmaxcore, conv, ...). Everything downloaded or built goes to the cache directory
# ($ONNXRUN_EMU_CACHE, default ~/.cache/onnxrun-emu), never the repository.
# Packages are fetched with apt-get download (run apt-get update first on a
# machine with empty package lists; as root the script does it itself) and
# unpacked with dpkg-deb -x, so nothing is installed.
#
# Environment: ONNXRUN_EMU_TIMEOUT (seconds of host time for the emulator,
# default 1500), ONNXRUN_EMU_MEGS (guest memory, default 1024),
# ONNXRUN_EMU_NICE (default 10).
set -euo pipefail

set_name=${1:-ci}
case $set_name in ci | full) ;; *) echo "usage: $0 [ci|full] [NAME ...]" >&2; exit 2 ;; esac
shift $(($# > 0 ? 1 : 0))

repo=$(cd "$(dirname "$0")/../.." && pwd)
cache=${ONNXRUN_EMU_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/onnxrun-emu}
timeout=${ONNXRUN_EMU_TIMEOUT:-1500}
megs=${ONNXRUN_EMU_MEGS:-1024}
nice=${ONNXRUN_EMU_NICE:-10}
marker=ONNXRUN-EMU

t0=$(date +%s)
say() { printf 'avx512-emu [%4ds]: %s\n' $(($(date +%s) - t0)) "$*"; }
die() { say "$*"; exit 1; }

# The test binaries: name, package, arguments. Test binaries run in a copy
# of their package directory (with its testdata), like go test, and at the
# avx512 level only. The ci set takes the tests that reach each AVX-512
# kernel at several shapes and the bundled models (about seven minutes of
# emulation on one core, 50 s of it the boot);
# the full set runs everything, including TestRowBatchStreamF32 (about five
# minutes on its own) and the runtime's tests (about 25 minutes in all). TestWideTail* run the
# AVX2 code with the AVX-512 tier's tails, which the native tests cover.
plan_ci=(
	"dispatch ./dispatch -test.short -test.skip ^(TestWideTail|TestNEON|TestRowBatchStreamF32|TestLog32)"
	"dispatchtest ./dispatch/dispatchtest"
	"softmaxcore ./operators/internal/softmaxcore -test.short -test.skip ^TestThreadsSameBits$"
	"softmax ./operators/softmax -test.short"
	"logsoftmax ./operators/logsoftmax -test.short"
	"gemm-internal ./operators/internal/gemm -test.short -test.run ^(TestSgemm|TestKernelsAgree|TestMicroStore|TestPackedKernels|TestEpilogue|TestFlatIm2col)$"
	"conv ./operators/conv -test.short -test.run ^(TestDepthwiseFast|TestConvFlat|TestConvResidual)$"
	"pool ./operators/pool -test.short -test.run ^(TestMaxPoolFast|TestAvgPoolFast)$"
	"elementwise ./operators/elementwise -test.short -test.run ^(TestReluFloat32Clamp|TestBiasAddSubBits)$"
	"runtime ./runtime -test.short -test.run ^TestProjectFixtures$"
)
plan_full=(
	"dispatch ./dispatch -test.skip ^(TestWideTail|TestNEON)"
	"dispatchtest ./dispatch/dispatchtest"
	"softmaxcore ./operators/internal/softmaxcore"
	"softmax ./operators/softmax"
	"logsoftmax ./operators/logsoftmax"
	"gemm-internal ./operators/internal/gemm"
	"gemm ./operators/gemm"
	"conv ./operators/conv"
	"pool ./operators/pool"
	"elementwise ./operators/elementwise"
	"runtime ./runtime"
)
if [ "$set_name" = full ]; then plan=("${plan_full[@]}"); else plan=("${plan_ci[@]}"); fi
# NAME arguments keep only the binaries named.
if [ $# -gt 0 ]; then
	keep=()
	for entry in "${plan[@]}"; do
		for n in "$@"; do [ "${entry%% *}" = "$n" ] && keep+=("$entry"); done
	done
	[ ${#keep[@]} -gt 0 ] || { echo "$0: no test binary named $*" >&2; exit 2; }
	plan=("${keep[@]}")
fi

# ---- fetch ---------------------------------------------------------------

debs=$cache/debs
sys=$cache/root
mkdir -p "$debs"
fetch_start=$(date +%s)
if ! apt-cache show bochs >/dev/null 2>&1 || ! apt-cache show linux-image-cloud-amd64 >/dev/null 2>&1; then
	if [ "$(id -u)" = 0 ]; then
		say "apt-get update"
		apt-get update -qq >/dev/null
	else
		die "apt-cache does not know bochs or linux-image-cloud-amd64: run apt-get update"
	fi
fi
kernel_pkg=$(apt-cache depends linux-image-cloud-amd64 | awk '/Depends: linux-image-/ {print $2; exit}')
[ -n "$kernel_pkg" ] || die "cannot resolve linux-image-cloud-amd64 to a kernel package"
# Bochs, its BIOS images and the libraries its binary links that a minimal
# Debian may lack; isolinux; xorriso to write the ISO; the kernel.
pkgs="bochs bochsbios vgabios libltdl7 libsamplerate0 libgtk-3-0 libgtk-3-common
	libcolord2 libepoxy0 libwayland-cursor0 libwayland-egl1
	isolinux syslinux-common xorriso libburn4 libjte2 libisofs6 libisoburn1 $kernel_pkg"
missing=()
for p in $pkgs; do
	ls "$debs/${p}_"*.deb >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	say "downloading ${missing[*]}"
	(cd "$debs" && apt-get download "${missing[@]}" 2>&1 | grep -v '^W: Download is performed unsandboxed' || true)
	for p in "${missing[@]}"; do
		ls "$debs/${p}_"*.deb >/dev/null 2>&1 || die "apt-get download $p failed"
	done
fi
stamp=$(cd "$debs" && ls *.deb | sort | md5sum | cut -c1-12)
if [ "$(cat "$sys/.stamp" 2>/dev/null)" != "$stamp" ]; then
	rm -rf "$sys"
	mkdir -p "$sys"
	for d in "$debs"/*.deb; do
		case $d in
		*/linux-image-*) dpkg-deb --fsys-tarfile "$d" | tar -x -C "$sys" --wildcards './boot/vmlinuz-*' ;;
		*) dpkg-deb -x "$d" "$sys" ;;
		esac
	done
	echo "$stamp" >"$sys/.stamp"
fi
libdir=$sys/usr/lib/x86_64-linux-gnu
export LD_LIBRARY_PATH=$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
for bin in "$sys/usr/bin/bochs-bin" "$sys/usr/bin/xorriso"; do
	if ldd "$bin" | grep -q 'not found'; then
		die "$(basename "$bin") lacks libraries: $(ldd "$bin" | awk '/not found/ {print $1}' | tr '\n' ' ')(install them, e.g. apt-get install --no-install-recommends bochs xorriso)"
	fi
done
vmlinuz=$(ls "$sys"/boot/vmlinuz-"${kernel_pkg#linux-image-}" 2>/dev/null) || die "no kernel in $kernel_pkg"
say "packages ready ($(($(date +%s) - fetch_start))s)"

# ---- build ---------------------------------------------------------------

build_start=$(date +%s)
work=$cache/work
rm -rf "$work"
mkdir -p "$work/root/bin" "$work/iso/isolinux"
cd "$repo"
export CGO_ENABLED=0 GOOS=linux GOARCH=amd64 GOFLAGS=${GOFLAGS:-}
go build -ldflags='-s -w' -o "$work/root/init" ./dispatch/_emu/init
{
	echo "env ONNXRUN_REQUIRE_ISA=avx512"
	echo "env ONNXRUN_ONLY_ISA=avx512"
	echo "env ONNXRUN_TESTDATA="
} >"$work/root/plan"
for entry in "${plan[@]}"; do
	read -r name pkg args <<<"$entry"
	go test -c -ldflags='-s -w' -o "$work/root/bin/$name.test" "$pkg"
	dir=src/${pkg#./}
	mkdir -p "$work/root/$dir"
	if [ -d "$pkg/testdata" ]; then cp -r "$pkg/testdata" "$work/root/$dir/"; fi
	echo "$name $dir bin/$name.test -test.v $args" >>"$work/root/plan"
done
# The runtime's tests read the bundled models from ../models/testdata.
mkdir -p "$work/root/src/models"
cp -r models/testdata "$work/root/src/models/"
go run ./dispatch/_emu/mkcpio -o "$work/iso/initrd.img" "$work/root"
cp "$vmlinuz" "$work/iso/vmlinuz"
cp "$sys/usr/lib/ISOLINUX/isolinux.bin" "$sys/usr/lib/syslinux/modules/bios/ldlinux.c32" "$work/iso/isolinux/"
# noxsaves and clearcpuid=xsavec: Bochs 2.7 reports the standard XSAVE
# area size for the compacted format too, and Linux, seeing the mismatch,
# would turn XSAVE (and with it AVX and AVX-512) off.
cat >"$work/iso/isolinux/isolinux.cfg" <<EOF
DEFAULT emu
PROMPT 0
TIMEOUT 0
LABEL emu
  KERNEL /vmlinuz
  INITRD /initrd.img
  APPEND console=ttyS0 quiet panic=0 mitigations=off nokaslr tsc=reliable noxsaves clearcpuid=xsavec
EOF
"$sys/usr/bin/xorriso" -as mkisofs -quiet -o "$work/boot.iso" \
	-b isolinux/isolinux.bin -c isolinux/boot.cat -no-emul-boot -boot-load-size 4 -boot-info-table \
	"$work/iso" 2>"$work/xorriso.log" || { cat "$work/xorriso.log"; die "xorriso failed"; }
say "built $(ls "$work/root/bin" | wc -l) test binaries, initramfs $(($(stat -c %s "$work/iso/initrd.img") >> 20)) MB ($(($(date +%s) - build_start))s)"

# ---- run -----------------------------------------------------------------

# The debugger prompt Debian's build starts at gets "continue" from -rc;
# rfb is the only display library in the bochs package (timeout=0: do not
# wait for a viewer). Under clock sync=none guest time follows the
# instruction count, not the host clock.
cat >"$work/bochsrc" <<EOF
megs: $megs
romimage: file=$sys/usr/share/bochs/BIOS-bochs-latest
vgaromimage: file=$sys/usr/share/vgabios/vgabios.bin
cpu: model=corei7_skylake_x, count=1, ips=50000000, reset_on_triple_fault=0
pci: enabled=1, chipset=i440fx
ata0: enabled=1, ioaddr1=0x1f0, ioaddr2=0x3f0, irq=14
ata0-master: type=cdrom, path=$work/boot.iso, status=inserted
boot: cdrom
display_library: rfb, options="timeout=0"
com1: enabled=1, mode=file, dev=$work/serial.txt
clock: sync=none, time0=local
log: $work/bochs.log
panic: action=fatal
error: action=report
info: action=ignore
debug: action=ignore
EOF
echo continue >"$work/debugger.rc"
: >"$work/serial.txt"

run_start=$(date +%s)
(
	cd "$work"
	export LTDL_LIBRARY_PATH=$libdir/bochs/plugins BXSHARE=$sys/usr/share/bochs
	exec nice -n "$nice" "$sys/usr/bin/bochs-bin" -q -f bochsrc -rc debugger.rc </dev/null >bochs.out 2>&1
) &
bochs_pid=$!
stop_bochs() {
	kill "$bochs_pid" 2>/dev/null || true
	sleep 1
	kill -9 "$bochs_pid" 2>/dev/null || true
	wait "$bochs_pid" 2>/dev/null || true
}
trap 'stop_bochs' EXIT
trap 'exit 1' INT TERM

exec {serial}< <(tail -n +1 -F "$work/serial.txt" 2>/dev/null)
tail_pid=$!
trap 'stop_bochs; kill "$tail_pid" 2>/dev/null || true' EXIT
result=
partial=
last=$run_start
while :; do
	if IFS= read -r -t 2 -u "$serial" line; then
		line=${partial}${line%$'\r'}
		partial=
		now=$(date +%s)
		case $line in
		"$marker BEGIN detect"*) say "booted ($((now - run_start))s after start)" ;;
		"$marker END "*) say "${line#"$marker "}, $((now - last))s of host time" ;;
		"$marker RESULT "*)
			result=${line#"$marker RESULT "}
			break
			;;
		*"Kernel panic"*)
			printf '%s\n' "$line"
			result="FAIL: kernel panic"
			break
			;;
		*) printf '%5d %s\n' $((now - run_start)) "$line" ;;
		esac
		case $line in "$marker BEGIN "* | "$marker END "*) last=$now ;; esac
	else
		[ $? -gt 128 ] || break # end of the console stream
		partial+=$line
	fi
	if ! kill -0 "$bochs_pid" 2>/dev/null; then
		# Let the last lines through, then stop.
		while IFS= read -r -t 2 -u "$serial" line; do
			line=${line%$'\r'}
			case $line in "$marker RESULT "*) result=${line#"$marker RESULT "} ;; *) printf '%s\n' "$line" ;; esac
		done
		break
	fi
	if [ $(($(date +%s) - run_start)) -ge "$timeout" ]; then
		say "TIMEOUT: no result after ${timeout}s of emulation (boot hang or a test stuck); console tail:"
		tail -n 20 "$work/serial.txt"
		exit 1
	fi
done
kill "$tail_pid" 2>/dev/null || true
# The guest powers off after the result line; give it a moment.
for _ in $(seq 30); do kill -0 "$bochs_pid" 2>/dev/null || break; sleep 1; done
stop_bochs
trap - EXIT
say "emulator ran $(($(date +%s) - run_start))s"
case $result in
PASS)
	say "PASS: every test binary passed at the avx512 level"
	;;
"")
	say "FAIL: the emulator stopped without a result line; last lines of its log:"
	tail -n 20 "$work/bochs.out"
	exit 1
	;;
*)
	say "$result"
	exit 1
	;;
esac
