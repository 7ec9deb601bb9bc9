#!/usr/bin/env bash
# Build an erpolicy-aware vtysh from the configured FRR tree.
#
# vtysh parses every command against a graph compiled in at build time
# (vtysh/extract.pl over the "vtysh_scan" file list), so the stock Debian
# vtysh rejects (interactively, -c) or silently drops (-b, at boot) the
# commands of a bgpd module.  This script rebuilds vtysh exactly like
# Debian's, with the module's command files added to the scan list:
#
#   1. vtysh/vtysh_daemons.h and vtysh/vtysh_clippy.c generated in the FRR
#      tree by FRR's own make rules;
#   2. vtysh/extract.pl run over Debian's exact vtysh_scan list (read from
#      the configured FRR Makefile) plus the module's files, with the
#      tree's --have-isisd/--have-fabricd.  extract.pl takes the daemon a
#      command is sent to from the parent directory name, so the module's
#      files are scanned through symlinks in OUT/scan/bgpd/;
#   3. vtysh_main.c vtysh.c vtysh_user.c vtysh_config.c + the generated
#      vtysh_cmd.c compiled with the tree's flags and linked against the
#      INSTALLED libfrr.so.0 (rpath to Debian's frr libdir).
#
# usage: vtysh/build-vtysh.sh --frr-tree DIR --out DIR [--libdir DIR]
#                             [--check-dir DIR] MODULE_CMD_FILE.c...
# --check-dir: fail if a .c file there installs commands (install_element)
# but is not among the files given (its commands would be unknown to vtysh).
# Environment: CC (default: the tree's), CFLAGS/CPPFLAGS/LDFLAGS are added
# after the tree's flags (e.g. Debian's hardening flags from
# dpkg-buildflags), V=1 shows the commands.
# Output: OUT/vtysh.  Takes ~30 s (extract.pl runs cpp on ~140 files).
set -euo pipefail

die() { echo "build-vtysh: $*" >&2; exit 1; }
say() { if [ "${V:-0}" = 1 ]; then echo "$@" >&2; fi; }

tree="" out="" libdir="" checkdir=""
while [ $# -gt 0 ]; do
	case "$1" in
	--frr-tree) tree=$2; shift 2 ;;
	--frr-tree=*) tree=${1#*=}; shift ;;
	--out) out=$2; shift 2 ;;
	--out=*) out=${1#*=}; shift ;;
	--libdir) libdir=$2; shift 2 ;;
	--libdir=*) libdir=${1#*=}; shift ;;
	--check-dir) checkdir=$2; shift 2 ;;
	--check-dir=*) checkdir=${1#*=}; shift ;;
	--) shift; break ;;
	-*) die "unknown option $1" ;;
	*) break ;;
	esac
done
[ -n "$tree" ] && [ -n "$out" ] || die "usage: $0 --frr-tree DIR --out DIR [--libdir DIR] FILE.c..."
[ $# -gt 0 ] || die "no module command files given"
tree=$(cd "$tree" && pwd) || die "no FRR tree $tree"
[ -f "$tree/config.h" ] && [ -f "$tree/Makefile" ] && [ -f "$tree/vtysh/extract.pl" ] ||
	die "$tree is not a configured FRR tree (run scripts/frr-source.sh)"
mkdir -p "$out"
out=$(cd "$out" && pwd)

# Debian's frr libdir (where the installed libfrr.so.0 lives): the parent of
# MODULE_PATH in the tree's config.h, unless given.
if [ -z "$libdir" ]; then
	moddir=$(sed -n 's/^#define MODULE_PATH "\(.*\)"$/\1/p' "$tree/config.h")
	[ -n "$moddir" ] || die "no MODULE_PATH in $tree/config.h"
	libdir=$(dirname "$moddir")
fi
libfrr="$libdir/libfrr.so.0"
[ -f "$libfrr" ] || die "$libfrr not found (is Debian's frr installed?)"

# The module's command files, absolute; each name must be unique and
# end in .c (extract.pl's daemon pattern needs DIR/name.c).
mods=()
declare -A seen=()
for f in "$@"; do
	[ -f "$f" ] || die "no such file: $f"
	case "$f" in *.c) ;; *) die "$f: not a .c file" ;; esac
	b=$(basename "$f")
	[ -z "${seen[$b]:-}" ] || die "two module command files named $b"
	seen[$b]=1
	mods+=("$(cd "$(dirname "$f")" && pwd)/$b")
done

if [ -n "$checkdir" ]; then
	for f in "$checkdir"/*.c; do
		[ -f "$f" ] || continue
		grep -q 'install_element[[:space:]]*(' "$f" || continue
		a="$(cd "$(dirname "$f")" && pwd)/$(basename "$f")"
		case " ${mods[*]} " in *" $a "*) ;; *)
			die "$f installs commands but is not scanned for vtysh; add it to ERP_VTYSH_CMD_FILES (vtysh/vtysh.am) or name it *_vty.c" ;;
		esac
	done
fi

# Serialise everything done inside the (shared) FRR tree.
exec 9>"$tree/.erpolicy-vtysh.lock"
flock 9

# --- 1. generated files in the FRR tree (FRR's own rules) ---------------------
say "make -C $tree vtysh/vtysh_daemons.h vtysh/vtysh_clippy.c"
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s --no-print-directory -C "$tree" \
	vtysh/vtysh_daemons.h vtysh/vtysh_clippy.c >&2

# --- variables of the configured FRR Makefile ----------------------------------
printmk="$out/.frr-vars.mk"
cat >"$printmk" <<'MK'
_erp_print_vars:
	@:
$(info ERP_SCAN=$(vtysh_scan))
$(info ERP_ISIS=$(HAVE_ISISD) $(HAVE_FABRICD))
$(info ERP_COMPILE=$(COMPILE))
$(info ERP_LDFLAGS=$(LDFLAGS))
$(info ERP_LIBS=$(LIBCAP) $(LIBREADLINE) $(LIBS) $(LIBPAM))
$(info ERP_PERL=$(PERL))
MK
vars=$(cd "$tree" && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s --no-print-directory -f Makefile -f "$printmk" _erp_print_vars)
getvar() { printf '%s\n' "$vars" | sed -n "s/^$1=//p"; }
scan=$(getvar ERP_SCAN)
isis=$(getvar ERP_ISIS)
compile_str=$(getvar ERP_COMPILE)
tree_ldflags=$(getvar ERP_LDFLAGS)
libs=$(getvar ERP_LIBS)
perl=$(getvar ERP_PERL)
[ -n "$scan" ] && [ -n "$compile_str" ] || die "could not read vtysh_scan/COMPILE from $tree/Makefile"
# COMPILE holds make-quoted defines such as -DSYSCONFDIR=\"/etc/frr/\"
eval "compile=($compile_str)"
[ -z "${CC:-}" ] || compile[0]=$CC
# shellcheck disable=SC2206
extra_cppflags=(${CPPFLAGS:-})
# shellcheck disable=SC2206
extra_cflags=(${CFLAGS:-})
# shellcheck disable=SC2206
extra_ldflags=(${LDFLAGS:-})
# libtool's -export-dynamic means -rdynamic to gcc
ldflags=()
for f in $tree_ldflags; do
	case "$f" in -export-dynamic) ldflags+=("-Wl,--export-dynamic") ;; *) ldflags+=("$f") ;; esac
done

# --- 2. command extraction -----------------------------------------------------
scandir="$out/scan/bgpd"
rm -rf "$out/scan"
mkdir -p "$scandir"
scanned=()
incdirs=()
for m in "${mods[@]}"; do
	ln -s "$m" "$scandir/$(basename "$m")"
	scanned+=("$scandir/$(basename "$m")")
	d=$(dirname "$m")
	case " ${incdirs[*]:-} " in *" $d "*) ;; *) incdirs+=("$d") ;; esac
done
# headers next to the real files (quoted includes are looked up next to
# the symlink, not its target) and the module build dir's generated headers
cpath=$(IFS=:; echo "${incdirs[*]}")
[ -z "${ERP_VTYSH_EXTRA_INCLUDES:-}" ] || cpath="$cpath:$ERP_VTYSH_EXTRA_INCLUDES"

# shellcheck disable=SC2086
say "cd $tree && CPATH=$cpath $perl vtysh/extract.pl <vtysh_scan> ${scanned[*]} $isis"
(
	cd "$tree"
	# shellcheck disable=SC2086
	CPATH="$cpath${CPATH:+:$CPATH}" "${perl:-perl}" vtysh/extract.pl $scan "${scanned[@]}" $isis
) >"$out/vtysh_cmd.c.tmp"

# Every command the module installs must have made it into the graph
# (extract.pl skips silently what its regexes do not match).
missing=()
for m in "${mods[@]}"; do
	cmds=$(sed -n 's/.*install_element[[:space:]]*([[:space:]]*[A-Z0-9_]*[[:space:]]*,[[:space:]]*&\([A-Za-z0-9_]*\)[[:space:]]*).*/\1/p' "$m" | sort -u)
	for c in $cmds; do
		grep -q "[[:space:]&]${c}_vtysh\b" "$out/vtysh_cmd.c.tmp" ||
			missing+=("$c ($(basename "$m"))")
	done
done
[ ${#missing[@]} -eq 0 ] || die "commands missing from the extracted vtysh_cmd.c: ${missing[*]}"
mv -f "$out/vtysh_cmd.c.tmp" "$out/vtysh_cmd.c"

# --- 3. compile and link -------------------------------------------------------
objs=()
cc1() { # src obj
	say "${compile[*]} ${extra_cppflags[*]:-} ${extra_cflags[*]:-} -c -o $2 $1"
	(cd "$tree" && "${compile[@]}" "${extra_cppflags[@]}" "${extra_cflags[@]}" -c -o "$2" "$1")
}
pids=()
for s in vtysh_main vtysh vtysh_user vtysh_config; do
	cc1 "$tree/vtysh/$s.c" "$out/$s.o" &
	pids+=($!)
	objs+=("$out/$s.o")
done
cc1 "$out/vtysh_cmd.c" "$out/vtysh_cmd.o" &
pids+=($!)
objs+=("$out/vtysh_cmd.o")
rc=0
for p in "${pids[@]}"; do wait "$p" || rc=1; done
[ $rc -eq 0 ] || die "compilation failed"

# shellcheck disable=SC2086
say "${compile[0]} -o $out/vtysh ... $libfrr $libs"
# shellcheck disable=SC2086
"${compile[0]}" "${ldflags[@]}" "${extra_ldflags[@]}" -Wl,--as-needed \
	-o "$out/vtysh.tmp" "${objs[@]}" "$libfrr" $libs \
	-Wl,-rpath,"$libdir"
mv -f "$out/vtysh.tmp" "$out/vtysh"
echo "build-vtysh: $out/vtysh ($(grep -c '^DEFSH' "$out/vtysh_cmd.c") commands, ${#mods[@]} module file(s))" >&2
