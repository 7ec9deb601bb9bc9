#!/usr/bin/env bash
# Run a chosen set of FRR's own BGP topotests (from Debian's source package
# of the target's FRR) twice: stock, and with bgpd_erpolicy loaded into
# every bgpd (-M erpolicy, no erpolicy configuration).  Shows that they pass
# the same.  See README.md next to this file.
#
# usage: tests/frr-topotests/run.sh [--target T] [-m stock|module|both] [-p] [-k] [TEST...]
#   --target T  build target (scripts/target-lib.sh; -t T, default host):
#             host: this machine's frr and its source (FRR 8.4.4's tests);
#             frr-10.3: FRR 10.3's tests, run inside the target's Debian
#             root (pivot_root in private namespaces)
#   -m MODE   which runs (default both)
#   -p        run the stock and the module run of a test at the same time
#             (halves the wall time; the tests mostly wait)
#   -k        keep the run directories (build/frr-topotests-run/, for a root
#             target build/targets/T/frr-topotests-run/)
#   TEST      test directories (default: the file LIST.T next to this
#             script, LIST for host)
# env: ERPOLICY_MODULEDIR  directory of bgpd_erpolicy.so
#                          (default build/obj/.libs, build/targets/T/obj/.libs)
#      ERPOLICY_FRR_TREE   FRR source tree (default: the target's)
# exit status: 0 if every test passed in every mode run, 1 if any failed or
# the modes differ, 2 on a setup error.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
mode=both
keep=0
parallel=0
target=host
args=()
while [ $# -gt 0 ]; do  # --target T / --target=T, then getopts
	case "$1" in
	--target) target=${2:?--target needs a name}; shift 2 ;;
	--target=*) target=${1#--target=}; shift ;;
	--) args+=("$@"); break ;;
	*) args+=("$1"); shift ;;
	esac
done
set -- "${args[@]}"
while getopts "t:m:pk" opt; do
	case $opt in
	t) target=$OPTARG ;;
	m) mode=$OPTARG ;;
	p) parallel=1 ;;
	k) keep=1 ;;
	*) sed -n '2,23p' "$0" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
case $mode in
stock) modes=(stock) ;;
module) modes=(module) ;;
both) modes=(stock module) ;;
*) echo "run.sh: bad mode $mode" >&2; exit 2 ;;
esac

die() { echo "run.sh: $*" >&2; exit 2; }
. "$top/scripts/target-lib.sh"
target_load "$target" || die "unknown target $target"
# a root target whose frr is this machine's runs natively (scripts/test.sh)
root=$T_ROOT
target_is_host "$target" && root=
list=$here/LIST
[ "$target" = host ] || list=$here/LIST.$target
if [ $# -gt 0 ]; then
	tests=("$@")
else
	[ -f "$list" ] || die "no test list $list"
	mapfile -t tests < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' "$list" | grep -v '^$')
fi

[ "$(id -u)" = 0 ] || die "must run as root (namespaces)"
if [ -n "$root" ]; then
	target_root_ready || die "the $target root is missing or incomplete (scripts/target-root.sh $target)"
	for tool in unshare pivot_root; do
		command -v "$tool" >/dev/null || die "$tool not found"
	done
	# what the harness needs, inside the root (scripts/target-root.sh)
	for tool in python3 gdb ip nsenter unshare; do
		for d in usr/bin usr/sbin bin sbin; do
			[ -x "$root/$d/$tool" ] && continue 2
		done
		die "$tool missing in the $target root (scripts/target-root.sh $target)"
	done
	[ -d "$root/usr/lib/python3/dist-packages/pytest" ] ||
		die "python3-pytest missing in the $target root"
else
	for tool in unshare nsenter gdb ip /usr/bin/python3; do
		command -v "$tool" >/dev/null || die "$tool not found (scripts/deps.sh installs it)"
	done
	/usr/bin/python3 -c 'import pytest' 2>/dev/null || die "python3-pytest missing"
fi

# --- the harness: a private, patched copy of Debian's tests/topotests ------
frr_tree=${ERPOLICY_FRR_TREE:-}
if [ -z "$frr_tree" ]; then
	frr_tree=$(ls -d "$T_SRC_DIR"/frr-*/ 2>/dev/null | head -n 1)
	if [ -z "$frr_tree" ] || [ ! -d "$frr_tree/tests/topotests" ]; then
		frr_tree=$("$top/scripts/frr-source.sh" --target "$target" | tail -n 1) || die "no FRR source"
	fi
fi
src=${frr_tree%/}/tests/topotests
[ -d "$src/lib" ] || die "no topotests in $src"
# FRR 10's harness (munet) needs other adjustments than 8.4's (mininet-like)
harness=8
[ -d "$src/munet" ] && harness=10
# build/ for host, build/targets/T/ for a root target
copy=$T_DIR/frr-topotests
rm -rf "$copy"
mkdir -p "$copy"
cp -a "$src/." "$copy/"

# The local adjustments (lab notes) plus the hook for daemon options; each
# pattern must be found exactly once in this harness version.
/usr/bin/python3 - "$copy" "$harness" <<'PATCH' || die "patching the harness copy failed"
import sys
root, harness = sys.argv[1], sys.argv[2]

def patch(rel, old, new):
    path = "%s/%s" % (root, rel)
    text = open(path).read()
    if text.count(old) != 1:
        sys.exit("pattern not found once in %s: %r" % (rel, old[:60]))
    open(path, "w").write(text.replace(old, new, 1))

# 1. no loadable kernel modules here: /proc/modules does not exist
patch("lib/topotest.py",
      '    with open("/proc/modules", "r") as modules_file:',
      '    if not os.path.exists("/proc/modules"):  # erpolicy: no modules\n'
      '        return False\n'
      '    with open("/proc/modules", "r") as modules_file:')
# 2. Debian 12's frr has no pim6d: not fatal for the environment check
#    (Debian 13's frr 10.3 has it)
if harness == "8":
    patch("lib/topogen.py",
          '                if fname == "ldpd":',
          '                if fname in ("ldpd", "pim6d"):  # erpolicy: Debian')
# 3. never change host-wide sysctls
patch("lib/topogen.py",
      "        topotest.fix_host_limits()",
      "        pass  # erpolicy: fix_host_limits() changes host-wide sysctls")
# 4. extra bgpd options (e.g. -M erpolicy) from the environment, appended
#    to the options of every bgpd Router.startRouterDaemons() starts
hook = ('if daemon == "bgpd" and '
        'os.environ.get("ERPOLICY_BGPD_ARGS"):  # erpolicy\n'
        '                    cmdopt += " " + os.environ["ERPOLICY_BGPD_ARGS"]\n')
if harness == "8":
    patch("lib/topotest.py",
          '                cmdopt = "{} --command-log-always --log file:{}.log '
          '--log-level debug".format(\n'
          '                    daemon_opts, daemon\n'
          '                )\n',
          '                cmdopt = "{} --command-log-always --log file:{}.log '
          '--log-level debug".format(\n'
          '                    daemon_opts, daemon\n'
          '                )\n'
          '                ' + hook)
else:
    patch("lib/topotest.py",
          '                cmdopt += "--log file:{}.log --log-level debug"'
          '.format(dfname)\n',
          '                cmdopt += "--log file:{}.log --log-level debug"'
          '.format(dfname)\n'
          '                ' + hook)
PATCH

if [ -n "$root" ]; then
	moduledir=${ERPOLICY_MODULEDIR:-$T_DIR/obj/.libs}
else
	moduledir=${ERPOLICY_MODULEDIR:-$top/build/obj/.libs}
fi
moduledir=$(cd "$moduledir" 2>/dev/null && pwd) || die "no module dir $moduledir"
[ -f "$moduledir/bgpd_erpolicy.so" ] || die "module not built: $moduledir/bgpd_erpolicy.so (scripts/build.sh)"

runroot=$T_DIR/frr-topotests-run
rm -rf "$runroot"
mkdir -p "$runroot"
made_mountpoints=()
if [ -z "$root" ]; then
	for d in /tmp/topotests /tmp/gearlogdir; do
		[ -d "$d" ] || { mkdir -p "$d" && made_mountpoints+=("$d"); }
	done
fi
# On the way out, also when interrupted: SIGKILL the unshare of every test
# still running (run_one leaves its pid in $runroot/.unshare.PID while it
# runs); --kill-child then kills the namespace's PID 1, and with it every
# process, mount and network namespace of that test.
cleanup() {
	local f
	for f in "$runroot"/.unshare.*; do
		[ -e "$f" ] || continue
		kill -KILL "${f##*.}" 2>/dev/null
		rm -f "$f"
	done
	for d in "${made_mountpoints[@]}"; do rmdir "$d" 2>/dev/null; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
results=$runroot/results.tsv
: >"$results"

# One test in a private mount + PID namespace: /proc of its own (the harness
# SIGKILLs processes by environment), its /tmp/topotests and /tmp/gearlogdir
# redirected into the run directory (not all of /tmp: the checkout may live
# under /tmp), a shell as PID 1 (reaps daemons).  The two mount points are
# empty directories in the real /tmp, removed again at the end.
#
# A root target's test runs in private mount + PID + network namespaces that
# pivot_root into the target's Debian root (a chroot is not enough for
# munet: it enters its nodes' namespaces through /proc/PID/ns and wants the
# root to be a mount point).  The root is bind-mounted onto itself and gets
# /proc, /sys (of the new network namespace), /dev, /tmp = the run
# directory, a tmpfs on /var/tmp (the daemons' crash-log directories
# /var/tmp/frr/DAEMON.PID would pile up in the root, and clash: PIDs of a
# new PID namespace repeat), the project at its own path (the harness copy and the module
# are below it) and the module directory when it is elsewhere; then
# pivot_root and the old root is detached.  Nothing is mounted in the root
# itself outside the namespace.
#
# Either way everything started or mounted lives in namespaces whose PID 1
# is the shell below: when it exits (or its unshare dies: --kill-child) the
# kernel kills every process of the PID namespace and drops the mounts and
# the network namespaces with it.
root_run='
	set -e
	r=$1 t=$2 top=$3 dir=$4 mod=$5
	mount --bind "$r" "$r"
	mount -t proc proc "$r/proc"
	mount -t sysfs sysfs "$r/sys"
	mount --rbind /dev "$r/dev"
	mount --bind "$t" "$r/tmp"
	mount -t tmpfs -o mode=1777 tmpfs "$r/var/tmp"
	mkdir -p "$r$top"
	mount --bind "$top" "$r$top"
	case "$mod/" in
	"$top"/*) ;;
	*) mkdir -p "$r$mod" && mount --bind "$mod" "$r$mod" ;;
	esac
	cd "$r"
	pivot_root . .
	umount -l .
	cd /
	set +e
	unset PYTHONPATH PYTHONHOME VIRTUAL_ENV
	export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
	export HOME=/root LANG=C.UTF-8 LC_ALL=C.UTF-8
	cd "$dir" || exit 3
	python3 -m pytest -p no:cacheprovider -q \
		--rundir=/tmp/topotests . >/tmp/pytest.out 2>&1
	rc=$?
	exit $rc'
run_one() { # mode test
	local m=$1 t=$2 dir tmpdir rc start end passed failed skipped
	dir=$copy/$t
	[ -d "$dir" ] || { echo "$m	$t	missing	0	0	0	0	-" >>"$results"; return; }
	tmpdir=$runroot/$m/$t
	mkdir -p "$tmpdir"
	chmod 1777 "$tmpdir"
	local extra=""
	[ "$m" = module ] && extra="--moduledir $moduledir -M erpolicy"
	start=$(date +%s.%N)
	if [ -n "$root" ]; then
		ERPOLICY_BGPD_ARGS=$extra PYTHONDONTWRITEBYTECODE=1 \
			unshare --mount --pid --net --fork --kill-child \
			--propagation private /bin/sh -c "$root_run" sh \
			"$root" "$tmpdir" "$top" "$dir" "$moduledir" &
	else
		ERPOLICY_BGPD_ARGS=$extra PYTHONDONTWRITEBYTECODE=1 \
			unshare --mount --pid --fork --kill-child --mount-proc \
			--propagation private /bin/sh -c '
				mkdir -p "$1/topotests" "$1/gearlogdir"
				mount --bind "$1/topotests" /tmp/topotests || exit 3
				mount --bind "$1/gearlogdir" /tmp/gearlogdir || exit 3
				cd "$2" || exit 3
				/usr/bin/python3 -m pytest -p no:cacheprovider -q \
					--rundir=/tmp/topotests . >"$1/pytest.out" 2>&1
				rc=$?
				exit $rc' sh "$tmpdir" "$dir" &
	fi
	local upid=$!
	: >"$runroot/.unshare.$upid"
	wait "$upid"
	rc=$?
	rm -f "$runroot/.unshare.$upid"
	end=$(date +%s.%N)
	local out=$tmpdir/pytest.out
	passed=$(grep -Eo '[0-9]+ passed' "$out" | tail -n 1 | cut -d' ' -f1)
	failed=$(grep -Eo '[0-9]+ (failed|error|errors)' "$out" | awk '{s+=$1} END {print s+0}')
	skipped=$(grep -Eo '[0-9]+ skipped' "$out" | tail -n 1 | cut -d' ' -f1)
	local loaded=-
	if [ "$m" = module ]; then
		# every bgpd the harness started got the module: count bgpd starts
		# with -M erpolicy and bgpd starts without it in the exec log
		# (bgpd exits at once if a -M module cannot be loaded)
		loaded=$(grep -h -- "/bgpd .*--command-log-always" \
			"$tmpdir"/topotests/exec.log 2>/dev/null |
			grep -c -- "-M erpolicy" || true)
		local stock_starts
		stock_starts=$(grep -h -- "/bgpd .*--command-log-always" \
			"$tmpdir"/topotests/exec.log 2>/dev/null |
			grep -vc -- "-M erpolicy" || true)
		[ "${stock_starts:-0}" = 0 ] || loaded="$loaded(+${stock_starts} without!)"
	fi
	local secs
	secs=$(awk -v a="$start" -v b="$end" 'BEGIN {printf "%.1f", b - a}')
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$m" "$t" "$rc" \
		"${passed:-0}" "${failed:-0}" "${skipped:-0}" "$secs" "$loaded" \
		>>"$results"
	printf '%-7s %-40s rc=%s passed=%s failed=%s skipped=%s %ss%s\n' \
		"$m" "$t" "$rc" "${passed:-0}" "${failed:-0}" "${skipped:-0}" \
		"$secs" \
		"$([ "$m" = module ] && echo " bgpd-with-module=$loaded")"
	if [ "$rc" != 0 ]; then
		echo "---- $m $t: last lines of pytest output ($out)"
		tail -n 30 "$out"
	fi
}

t_all=$(date +%s)
for t in "${tests[@]}"; do
	if [ $parallel = 1 ] && [ ${#modes[@]} -gt 1 ]; then
		for m in "${modes[@]}"; do
			run_one "$m" "$t" >"$runroot/$m.$t.log" 2>&1 &
		done
		wait
		for m in "${modes[@]}"; do
			cat "$runroot/$m.$t.log"
			rm -f "$runroot/$m.$t.log"
		done
	else
		for m in "${modes[@]}"; do
			run_one "$m" "$t"
		done
	fi
done
echo "run.sh: ${#tests[@]} test(s) x ${#modes[@]} mode(s) in $(($(date +%s) - t_all)) s"

# --- verdict ------------------------------------------------------------------
status=0
echo
echo "mode    test                                     rc passed failed skipped seconds bgpd-starts-with-module"
sort -k2,2 -k1,1 "$results" | awk -F'\t' '{printf "%-7s %-40s %2s %6s %6s %7s %7s %s\n", $1, $2, $3, $4, $5, $6, $7, $8}'
if awk -F'\t' '$3 != 0 || $5 != 0 || $4 == 0 {bad=1} END {exit !bad}' "$results"; then
	echo "run.sh: some test did not pass"
	status=1
fi
if [ ${#modes[@]} = 2 ]; then
	diffs=$(awk -F'\t' '{k=$2; v=$3"/"$4"/"$5"/"$6} $1=="stock"{s[k]=v} $1=="module"{m[k]=v}
		END {for (k in s) if (s[k] != m[k]) print k": stock "s[k]" module "m[k]}' "$results")
	if [ -n "$diffs" ]; then
		echo "run.sh: stock and module runs differ:"
		echo "$diffs"
		status=1
	else
		echo "run.sh: stock and module runs give the same results"
	fi
fi
if awk -F'\t' '$1=="module" && ($8 ~ /without/ || $8 == "0") {bad=1} END {exit !bad}' "$results"; then
	echo "run.sh: a bgpd of a module run was started without the module"
	status=1
fi
[ $keep = 1 ] || rm -rf "${copy:?}" "${runroot:?}"/*/
exit $status
