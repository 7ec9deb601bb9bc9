#!/usr/bin/env bash
# Install the Debian packages the build, the tests and the lab need.
# Idempotent: does nothing when everything is installed.
set -euo pipefail

pkgs=(
	# the FRR the module is for
	frr frr-pythontools
	# configuring Debian's FRR source (build-deps that affect headers)
	bison flex gawk libc-ares-dev libcap-dev libelf-dev libjson-c-dev
	libpam0g-dev libpcre2-dev libpython3-dev libreadline-dev librtr-dev
	libsnmp-dev libssh-dev libyang2-dev python3-dev texinfo autoconf
	automake libtool quilt dpkg-dev pkg-config gcc make binutils
	# tests
	libcmocka-dev libyang2-tools python3-pytest iproute2 iputils-ping
	procps valgrind
	# lab topology files (lab/topologies/*.yaml)
	python3-yaml
	# robustness topotests: bird2 (route bursts), gdb (FRR's own topotests)
	bird2 gdb
	# metrics (topotests/test_metrics.py): the real node-exporter, promtool
	prometheus-node-exporter prometheus curl
	# Debian package (debian/, scripts/build-deb.sh)
	debhelper lintian
	# documentation (doc/*.rst, the man page made by rst2man)
	python3-docutils
	# the other FRR targets' Debian roots (scripts/target-root.sh); installed
	# here so that their background set-up (scripts/test.sh) needs no apt
	# on this machine while the host's tests install packages
	debootstrap
)

# Debian 13 (native frr 10.3): libyang3 replaced libyang2; Debian's own
# configure steps (scripts/frr-source.sh) then need frr's whole build-dep
# list as well (the frr-10.3 root installs it with apt-get build-dep).
# Tried on an emulated Debian 13 machine (doc/frr-10-notes.md, section 6);
# CI runs 10.3 in the root.
codename=$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")
if [ -n "$codename" ] && [ "$codename" != bookworm ]; then
	pkgs=("${pkgs[@]/#libyang2-dev/libyang-dev}")
	pkgs=("${pkgs[@]/#libyang2-tools/libyang3-tools}")
fi

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >&2
apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
