#!/usr/bin/env bash
# Validate the YANG model with libyang's yanglint, then check that sample
# configurations are accepted or rejected as they should be.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
model="$here/../../yang/frr-bgp-erpolicy.yang"
pass=0 fail=0

yanglint "$model"
echo "yang: model valid"
pass=$((pass + 1))

for f in "$here"/data/valid-*.json; do
	if yanglint -t config "$model" "$f" >/dev/null 2>&1; then
		echo "yang: $(basename "$f") accepted"
		pass=$((pass + 1))
	else
		echo "yang: $(basename "$f") REJECTED"
		yanglint -t config "$model" "$f" || true
		fail=$((fail + 1))
	fi
done
for f in "$here"/data/invalid-*.json; do
	if yanglint -t config "$model" "$f" >/dev/null 2>&1; then
		echo "yang: $(basename "$f") ACCEPTED but must be rejected"
		fail=$((fail + 1))
	else
		echo "yang: $(basename "$f") rejected"
		pass=$((pass + 1))
	fi
done
echo "yang: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
