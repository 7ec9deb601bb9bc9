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
# Prints "time: PART: N s" for each part and a summary at the end.  A build,
# unit, ABI or YANG failure stops at once; failed topotests of a target do
# not keep the next target from running (exit 1 at the end).
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

# The later targets' set-up (a Debian root, their FRR source, the build:
# ~8 min, mostly compiling) runs in the background while the first target
# is tested (mostly waiting on BGP timers in namespace labs), to keep CI
# within its time.  Each later target then waits for its prebuild and runs
# scripts/build.sh again, which is quick when the prebuild succeeded and
# shows the error when it did not.
declare -A prebuild_pid=()
prebuild_started=
prebuild_start() { # FIRST: start the set-up of the targets after FIRST
	local tg
	prebuild_started=1
	[ "${ERPOLICY_PREBUILD:-1}" = 1 ] || return 0
	for tg in "${targets[@]}"; do
		[ "$tg" != "$1" ] && ! target_is_host "$tg" || continue
		mkdir -p build/targets
		echo "== $tg: set-up and build in the background (build/targets/$tg.prebuild.log)"
		scripts/build.sh --target "$tg" >"build/targets/$tg.prebuild.log" 2>&1 &
		prebuild_pid[$tg]=$!
	done
}
prebuild_wait() { # TARGET: wait for its background set-up, show its log
	local pid=${prebuild_pid[$1]:-} t0 rc=0
	[ -n "$pid" ] || return 0
	t0=$(date +%s.%N)
	wait "$pid" || rc=$?
	echo "== $1: background set-up and build (rc $rc):"
	grep '^time:\|^build:\|error' "build/targets/$1.prebuild.log" || true
	part "$1: waited for the background set-up and build" "$t0"
}
# an early exit stops the background builds (and what they started)
# (each command may fail: set -e holds in the trap too and would turn a
# finished build into the script's exit status 1)
trap 'for p in "${prebuild_pid[@]}"; do pkill -TERM -P "$p" 2>/dev/null || true; kill "$p" 2>/dev/null || true; done' EXIT

ran_host=
layers_done=
failed=()
for target in "${targets[@]}"; do
	target_load "$target"
	if [ "$target" != host ] && target_is_host "$target"; then
		echo "== $target: this machine's frr is $T_FRR_VERSION: runs natively as the host target"
		target=host
	fi
	if [ "$target" = host ]; then
		[ -z "$ran_host" ] || continue
		ran_host=1
	fi
	target_load "$target"
	echo "=================== target $target (frr $T_FRR_VERSION)"
	if [ -n "$T_ROOT" ]; then
		tgt() { scripts/in-target.sh "$target" "$@"; }
	else
		tgt() { "$@"; }
	fi

	t=$(date +%s.%N)
	prebuild_wait "$target"
	obj=$(scripts/build.sh --target "$target" | sed -n 's|^build: \(.*\)/.libs/bgpd_erpolicy.so$|\1|p')
	[ -n "$obj" ]
	if [ -n "$T_ROOT" ]; then
		frr_tree=$(scripts/frr-source.sh --target "$target" | tail -n 1)
	else
		frr_tree=$(scripts/frr-source.sh | tail -n 1)
	fi
	part "$target: build" "$t"
	[ -n "$prebuild_started" ] || prebuild_start "$target"

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
	args=("$@")
	if [ -n "${!var:-}" ]; then
		# shellcheck disable=SC2206
		args=(${!var})
	fi
	if [ "${args[*]:-}" = none ]; then
		echo "== $target: topotests skipped ($var=none)"
		summary+=("$target: topotests skipped ($var=none)")
		continue
	fi
	echo "== $target: topotests"
	t=$(date +%s.%N)
	rc=0
	ERPOLICY_TARGET=$target ERPOLICY_MODULEDIR="$obj/.libs" \
		/usr/bin/python3 -m pytest -p no:cacheprovider -v -rs --durations=25 \
			topotests "${args[@]}" || rc=$?
	part "$target: topotests (rc $rc)" "$t"
	# the next target still runs: CI reports every target's topotests
	[ $rc = 0 ] || failed+=("$target")
done
part "all targets (${targets[*]})" "$t_start"
echo "== summary"
printf '%s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
	echo "topotests failed for: ${failed[*]}"
	exit 1
fi
