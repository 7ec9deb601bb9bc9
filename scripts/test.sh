#!/usr/bin/env bash
# Run every test from a fresh clone, for every build target: installs what is
# missing, builds the module, then runs the unit tests, the ABI check (with
# its negative controls), the YANG validation and the namespace topotests;
# the layering check (with its negative controls) and the bench/results check
# once (they read only the sources).
#
# usage: scripts/test.sh [--target TARGET]... [pytest args...]
#   targets: --target (repeatable) or ERPOLICY_TARGETS="host frr-10.3"
#            (default: every target, host first).  host is this machine's
#            frr (Debian 12: 8.4.4); frr-10.3 runs in a Debian 13 root
#            (scripts/target-root.sh).  On a machine whose installed frr is a
#            root target's (Debian 13 with frr 10.3), that target is the host
#            target and runs natively, once.
#   ERPOLICY_TOPOTESTS_<TARGET>="pytest args"  (TARGET with - and . as _,
#            e.g. ERPOLICY_TOPOTESTS_frr_10_3) replaces the pytest args for
#            one target; "none" skips its topotests.
# The targets run side by side (see below; ERPOLICY_PARALLEL=0: one after
# another).  Prints "time: PART: N s" for each part and a summary at the
# end.  A build, unit, ABI or YANG failure stops the first target's run and
# the script at once, and a later target's run (reported at the end);
# failed topotests of a target do not stop the others (exit 1 at the end).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
. scripts/target-lib.sh

targets=()
while [ $# -gt 0 ]; do
	case "$1" in
	--target) targets+=("${2:?--target needs a name}"); shift 2 ;;
	--target=*) targets+=("${1#--target=}"); shift ;;
	*) break ;;
	esac
done
if [ ${#targets[@]} = 0 ]; then
	# shellcheck disable=SC2207
	targets=($(echo "${ERPOLICY_TARGETS:-$(target_list)}"))
fi

summary=()
t_start=$(date +%s.%N)
part() { # NAME T0: print and remember the time of a part
	local line
	line=$(awk -v n="$1" -v a="$2" -v b="$(date +%s.%N)" \
		'BEGIN { printf "time: %s: %.1f s", n, b - a }')
	echo "$line"
	summary+=("$line")
}

# A root target this machine runs natively is the host target, once.
runs=()
for target in "${targets[@]}"; do
	target_load "$target"
	if [ "$target" != host ] && target_is_host "$target"; then
		echo "== $target: this machine's frr is $T_FRR_VERSION: runs natively as the host target"
		target=host
	fi
	case " ${runs[*]:-} " in *" $target "*) ;; *) runs+=("$target") ;; esac
done

# The targets run side by side: the first in the foreground; once its build
# is done (and with it the machine's packages), every later target's whole
# run -- its Debian root, FRR source and build (~8 min, mostly compiling),
# then its tests -- in the background, its output in
# build/targets/TARGET.log, printed when the first target is done.  The
# topotests mostly wait on BGP timers, so two runs share 2 cores; the tests
# that load the machine most take turns (topotests/conftest.py
# machine_alone).  ERPOLICY_PARALLEL=0: one target after another.
mkdir -p build/targets
failfile=build/targets/.failed-topotests
: >"$failfile"
declare -A bg_pid=()
others_started=
start_others() { # FIRST
	local tg
	others_started=1
	[ "${ERPOLICY_PARALLEL:-1}" = 1 ] || return 0
	for tg in "${runs[@]}"; do
		[ "$tg" != "$1" ] || continue
		echo "== $tg: runs in the background (build/targets/$tg.log)"
		# the first target checks the layers and bench/results
		(layers_done=1; run_target "$tg") >"build/targets/$tg.log" 2>&1 &
		bg_pid[$tg]=$!
	done
}
# an early exit stops the background runs (and what they started)
# (each command may fail: set -e holds in the trap too and would turn a
# finished run into the script's exit status 1)
trap 'for p in "${bg_pid[@]}"; do pkill -TERM -P "$p" 2>/dev/null || true; kill "$p" 2>/dev/null || true; done' EXIT

layers_done=
run_target() { # TARGET: build, unit tests, ABI, YANG, topotests; exits on
	# any failure but the topotests' (those go to $failfile)
	local target=$1 t obj frr_tree var args rc
	target_load "$target"
	echo "=================== target $target (frr $T_FRR_VERSION)"
	if [ -n "$T_ROOT" ]; then
		tgt() { scripts/in-target.sh "$target" "$@"; }
	else
		tgt() { "$@"; }
	fi

	t=$(date +%s.%N)
	obj=$(scripts/build.sh --target "$target" | sed -n 's|^build: \(.*\)/.libs/bgpd_erpolicy.so$|\1|p')
	[ -n "$obj" ]
	if [ -n "$T_ROOT" ]; then
		frr_tree=$(scripts/frr-source.sh --target "$target" | tail -n 1)
	else
		frr_tree=$(scripts/frr-source.sh | tail -n 1)
	fi
	part "$target: build" "$t"
	[ -n "$others_started" ] || start_others "$target"

	echo "== $target: unit tests"
	t=$(date +%s.%N)
	tgt make -s -C "$obj" check || { cat "$obj"/tests/*.log; exit 1; }
	cat "$obj"/tests/*.log
	part "$target: unit tests" "$t"

	echo "== $target: ABI: configured tree vs the target's /usr/lib/frr/bgpd"
	t=$(date +%s.%N)
	tgt tests/abi/check-abi.sh "$frr_tree"
	echo "== $target: ABI: negative controls (the check must detect a mismatch)"
	tgt tests/abi/check-abi.sh "$frr_tree" --negative-control >/dev/null
	tgt tests/abi/check-abi.sh "$frr_tree" --negative-control=peer >/dev/null
	echo "abi: negative controls detected"
	part "$target: ABI check" "$t"

	echo "== $target: YANG model ($(tgt yanglint --version))"
	t=$(date +%s.%N)
	tgt tests/yang/check-yang.sh
	part "$target: YANG" "$t"

	if [ -z "$layers_done" ]; then
		layers_done=1
		t=$(date +%s.%N)
		echo "== layers: bgpd_erpolicy/ includes each other without a cycle"
		tests/layers/check-layers.py
		tests/layers/check-layers.py --negative-control

		echo "== bench/results: only the runs doc/benchmarks.md cites"
		uncited=0
		for f in $(cd bench/results && find . -type f | sed 's|^\./||'); do
			grep -qF "$(basename "$f")" doc/benchmarks.md || { echo "not cited: bench/results/$f"; uncited=1; }
		done
		[ $uncited = 0 ]
		part "layers + bench" "$t"
	fi

	var=ERPOLICY_TOPOTESTS_$(echo "$target" | tr -- '-.' '__')
	args=("${pytest_args[@]}")
	if [ -n "${!var:-}" ]; then
		# shellcheck disable=SC2206
		args=(${!var})
	fi
	if [ "${args[*]:-}" = none ]; then
		echo "== $target: topotests skipped ($var=none)"
		echo "time: $target: topotests skipped ($var=none)"
		summary+=("time: $target: topotests skipped ($var=none)")
		return 0
	fi
	echo "== $target: topotests"
	t=$(date +%s.%N)
	rc=0
	ERPOLICY_TARGET=$target ERPOLICY_MODULEDIR="$obj/.libs" \
		/usr/bin/python3 -m pytest -p no:cacheprovider -v -rs --durations=25 \
			topotests "${args[@]}" || rc=$?
	part "$target: topotests (rc $rc)" "$t"
	# the other targets still run: CI reports every target's topotests
	[ $rc = 0 ] || echo "$target" >>"$failfile"
}

pytest_args=("$@")
hard_failed=()
for target in "${runs[@]}"; do
	if [ -n "${bg_pid[$target]:-}" ]; then
		t=$(date +%s.%N)
		rc=0
		wait "${bg_pid[$target]}" || rc=$?
		part "$target: waited for its background run (rc $rc)" "$t"
		echo "=================== output of $target's background run (build/targets/$target.log)"
		cat "build/targets/$target.log"
		while IFS= read -r line; do summary+=("$line"); done \
			< <(grep '^time: ' "build/targets/$target.log" || true)
		[ $rc = 0 ] || hard_failed+=("$target")
	else
		run_target "$target"
	fi
done
part "all targets (${runs[*]})" "$t_start"
echo "== summary"
printf '%s\n' "${summary[@]}"
mapfile -t failed <"$failfile"
rc=0
if [ ${#hard_failed[@]} -gt 0 ]; then
	echo "build, unit, ABI or YANG check failed for: ${hard_failed[*]} (see its output above)"
	rc=1
fi
if [ ${#failed[@]} -gt 0 ]; then
	echo "topotests failed for: ${failed[*]}"
	rc=1
fi
exit $rc
