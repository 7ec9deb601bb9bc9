#!/usr/bin/env bash
# Run a chosen set of FRR's own BGP topotests (from Debian's source package
# of the installed FRR) twice: stock, and with bgpd_erpolicy loaded into
# every bgpd (-M erpolicy, no erpolicy configuration).  Shows that they pass
# the same.  See README.md next to this file.
#
# usage: tests/frr-topotests/run.sh [-m stock|module|both] [-p] [-k] [TEST...]
#   -m MODE   which runs (default both)
#   -p        run the stock and the module run of a test at the same time
#             (halves the wall time; the tests mostly wait)
#   -k        keep the run directories (build/frr-topotests-run/)
#   TEST      test directories (default: the LIST file next to this script)
# env: ERPOLICY_MODULEDIR  directory of bgpd_erpolicy.so
#                          (default build/obj/.libs)
# exit status: 0 if every test passed in every mode run, 1 if any failed or
# the modes differ, 2 on a setup error.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
mode=both
keep=0
parallel=0
while getopts "m:pk" opt; do
	case $opt in
	m) mode=$OPTARG ;;
	p) parallel=1 ;;
	k) keep=1 ;;
	*) sed -n '2,17p' "$0" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
case $mode in
stock) modes=(stock) ;;
module) modes=(module) ;;
both) modes=(stock module) ;;
*) echo "run.sh: bad mode $mode" >&2; exit 2 ;;
esac

if [ $# -gt 0 ]; then
	tests=("$@")
else
	mapfile -t tests < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' "$here/LIST" | grep -v '^$')
fi

die() { echo "run.sh: $*" >&2; exit 2; }
[ "$(id -u)" = 0 ] || die "must run as root (namespaces)"
for tool in unshare nsenter gdb ip /usr/bin/python3; do
	command -v "$tool" >/dev/null || die "$tool not found (scripts/deps.sh installs it)"
done
/usr/bin/python3 -c 'import pytest' 2>/dev/null || die "python3-pytest missing"

# --- the harness: a private, patched copy of Debian's tests/topotests ------
frr_tree=${ERPOLICY_FRR_TREE:-}
if [ -z "$frr_tree" ]; then
	frr_tree=$(ls -d "$top"/build/frr/frr-*/ 2>/dev/null | head -n 1)
	if [ -z "$frr_tree" ] || [ ! -d "$frr_tree/tests/topotests" ]; then
		frr_tree=$("$top/scripts/frr-source.sh" | tail -n 1) || die "no FRR source"
	fi
fi
src=${frr_tree%/}/tests/topotests
[ -d "$src/lib" ] || die "no topotests in $src"
copy=$top/build/frr-topotests
rm -rf "$copy"
mkdir -p "$copy"
cp -a "$src/." "$copy/"

# The three local adjustments (lab notes) plus the hook for daemon options.
/usr/bin/python3 - "$copy" <<'PATCH' || die "patching the harness copy failed"
import sys
root = sys.argv[1]

def patch(rel, old, new):
    path = "%s/%s" % (root, rel)
    text = open(path).read()
    if old not in text:
        sys.exit("pattern not found in %s: %r" % (rel, old[:60]))
    open(path, "w").write(text.replace(old, new, 1))

# 1. no loadable kernel modules here: /proc/modules does not exist
patch("lib/topotest.py",
      '    with open("/proc/modules", "r") as modules_file:',
      '    if not os.path.exists("/proc/modules"):  # erpolicy: no modules\n'
      '        return False\n'
      '    with open("/proc/modules", "r") as modules_file:')
# 2. Debian's frr has no pim6d: not fatal for the environment check
patch("lib/topogen.py",
      '                if fname == "ldpd":',
      '                if fname in ("ldpd", "pim6d"):  # erpolicy: Debian')
# 3. never change host-wide sysctls
patch("lib/topogen.py",
      "        topotest.fix_host_limits()",
      "        pass  # erpolicy: fix_host_limits() changes host-wide sysctls")
# 4. extra bgpd options (e.g. -M erpolicy) from the environment
patch("lib/topotest.py",
      '                cmdopt = "{} --command-log-always --log file:{}.log '
      '--log-level debug".format(\n'
      '                    daemon_opts, daemon\n'
      '                )\n',
      '                cmdopt = "{} --command-log-always --log file:{}.log '
      '--log-level debug".format(\n'
      '                    daemon_opts, daemon\n'
      '                )\n'
      '                if daemon == "bgpd" and '
      'os.environ.get("ERPOLICY_BGPD_ARGS"):  # erpolicy\n'
      '                    cmdopt += " " + os.environ["ERPOLICY_BGPD_ARGS"]\n')
PATCH

moduledir=${ERPOLICY_MODULEDIR:-$top/build/obj/.libs}
moduledir=$(cd "$moduledir" 2>/dev/null && pwd) || die "no module dir $moduledir"
[ -f "$moduledir/bgpd_erpolicy.so" ] || die "module not built: $moduledir/bgpd_erpolicy.so (scripts/build.sh)"

runroot=$top/build/frr-topotests-run
rm -rf "$runroot"
mkdir -p "$runroot"
made_mountpoints=()
for d in /tmp/topotests /tmp/gearlogdir; do
	[ -d "$d" ] || { mkdir -p "$d" && made_mountpoints+=("$d"); }
done
trap 'for d in "${made_mountpoints[@]}"; do rmdir "$d" 2>/dev/null; done' EXIT
results=$runroot/results.tsv
: >"$results"

# One test in a private mount + PID namespace: /proc of its own (the harness
# SIGKILLs processes by environment), its /tmp/topotests and /tmp/gearlogdir
# redirected into the run directory (not all of /tmp: the checkout may live
# under /tmp), a shell as PID 1 (reaps daemons).  The two mount points are
# empty directories in the real /tmp, removed again at the end.
run_one() { # mode test
	local m=$1 t=$2 dir tmpdir rc start end passed failed skipped
	dir=$copy/$t
	[ -d "$dir" ] || { echo "$m	$t	missing	0	0	0	0" >>"$results"; return; }
	tmpdir=$runroot/$m/$t
	mkdir -p "$tmpdir"
	chmod 1777 "$tmpdir"
	local extra=""
	[ "$m" = module ] && extra="--moduledir $moduledir -M erpolicy"
	start=$(date +%s.%N)
	ERPOLICY_BGPD_ARGS=$extra PYTHONDONTWRITEBYTECODE=1 \
		unshare --mount --pid --fork --mount-proc --propagation private \
		/bin/sh -c '
			mkdir -p "$1/topotests" "$1/gearlogdir"
			mount --bind "$1/topotests" /tmp/topotests || exit 3
			mount --bind "$1/gearlogdir" /tmp/gearlogdir || exit 3
			cd "$2" || exit 3
			/usr/bin/python3 -m pytest -p no:cacheprovider -q \
				--rundir=/tmp/topotests . >"$1/pytest.out" 2>&1
			rc=$?
			exit $rc' sh "$tmpdir" "$dir"
	rc=$?
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
[ $keep = 1 ] || rm -rf "$copy" "$runroot"/*/
exit $status
