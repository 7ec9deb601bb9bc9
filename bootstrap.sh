#!/bin/sh
# Generate ./configure (autoconf, automake, libtool).
set -e
cd "$(dirname "$0")"
mkdir -p m4 build-aux
autoreconf -fi
