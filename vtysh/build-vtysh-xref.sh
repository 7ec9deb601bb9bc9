#!/usr/bin/env bash
# Build an erpolicy-aware vtysh for FRR >= 8.5 (e.g. Debian 13's 10.3), whose
# vtysh command table is generated from xref data instead of extract.pl.
#
# FRR's own build links every daemon, library and module, extracts each one's
# xref data (python/xrelfo.py reads the FRRouting.XREF ELF note) and turns the
# CLI part into vtysh/vtysh_cmd.c and vtysh_cmd.1-8.c (python/xref2vtysh.py,
# run by xrelfo.py -c).  A loadable module's commands go to the daemon named
# by the directory the module's file sits in (bgpd/x.so -> VTYSH_BGPD).
#
# Debian's binaries keep their FRRouting.XREF note when stripped, so the
# xref data Debian's own vtysh was generated from is read back from the
# INSTALLED files (the packages frr, frr-snmp, frr-rpki-rtrlib of the same
# version): no full FRR build is needed.  The steps, run in the target's
# world (inside its Debian root):
#
#   1. the configured FRR tree's xref list ("xrefs" in its Makefile: every
#      daemon, library and module of Debian's build) is mapped to the
#      installed files, staged under OUT/xref/ with the names FRR's build
#      gives them (bgpd/bgpd, lib/libfrr.so, bgpd/bgpd_rpki.so, ...); the
#      module's .so is staged as bgpd/bgpd_erpolicy.so;
#   2. lib/clippy python/xrelfo.py over all of them writes OUT/frr.xref and
#      OUT/vtysh_cmd.c + vtysh_cmd.1-8.c (cwd: the FRR tree, as in FRR's
#      build, so lib/ commands get their daemon flags);
#   3. vtysh_main.c vtysh.c vtysh_user.c vtysh_config.c and the generated
#      files are compiled with the tree's flags (Debian's, from debian/rules)
#      and linked against the INSTALLED libfrr.so.0 with RUNPATH to frr's
#      libdir, like Debian's binary.
#
# usage: vtysh/build-vtysh-xref.sh --frr-tree DIR --out DIR [--libdir DIR]
#                                  [--stock] [MODULE.so|MODULE.la...]
# --stock: no module; the result must know exactly Debian's commands (a check
#          of the method; the file list is then not required).
# Environment: CFLAGS/CPPFLAGS/LDFLAGS added after the tree's, V=1 verbose.
# Output: OUT/vtysh.
set -euo pipefail

die() { echo "build-vtysh-xref: $*" >&2; exit 1; }
say() { if [ "${V:-0}" = 1 ]; then echo "$@" >&2; fi; }

tree="" out="" libdir="" stock=""
while [ $# -gt 0 ]; do
	case "$1" in
	--frr-tree) tree=$2; shift 2 ;;
	--frr-tree=*) tree=${1#*=}; shift ;;
	--out) out=$2; shift 2 ;;
	--out=*) out=${1#*=}; shift ;;
	--libdir) libdir=$2; shift 2 ;;
	--libdir=*) libdir=${1#*=}; shift ;;
	--stock) stock=1; shift ;;
	--) shift; break ;;
	-*) die "unknown option $1" ;;
	*) break ;;
	esac
done
[ -n "$tree" ] && [ -n "$out" ] || die "usage: $0 --frr-tree DIR --out DIR [--libdir DIR] [--stock] MODULE.so..."
[ -n "$stock" ] || [ $# -gt 0 ] || die "no module given (or --stock)"
tree=$(cd "$tree" && pwd) || die "no FRR tree $tree"
[ -f "$tree/config.h" ] && [ -f "$tree/Makefile" ] && [ -f "$tree/python/xref2vtysh.py" ] ||
	die "$tree is not a configured FRR >= 8.5 tree (run scripts/frr-source.sh --target ...)"
mkdir -p "$out"
out=$(cd "$out" && pwd)

# The module files (.la: libtool's .libs/NAME.so)
mods=()
for f in "$@"; do
	[ -f "$f" ] || die "no such file: $f"
	case "$f" in
	*.la) f="$(dirname "$f")/.libs/$(basename "$f" .la).so" ;;
	*.so) ;;
	*) die "$f: not a .so or .la" ;;
	esac
	[ -f "$f" ] || die "no such file: $f"
	mods+=("$(cd "$(dirname "$f")" && pwd)/$(basename "$f")")
done

exec 9>"$tree/.erpolicy-vtysh.lock"
flock 9

# --- variables of the configured FRR Makefile ----------------------------------
say "make -C $tree lib/vtysh_daemons.h vtysh/vtysh_clippy.c lib/clippy"
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s --no-print-directory -C "$tree" \
	lib/vtysh_daemons.h vtysh/vtysh_clippy.c lib/clippy >&2
printmk="$out/.frr-vars.mk"
cat >"$printmk" <<'MK'
_erp_print_vars:
	@:
$(info ERP_XREFS=$(xrefs))
$(info ERP_LIBS_LT=$(lib_LTLIBRARIES))
$(info ERP_MODS_LT=$(module_LTLIBRARIES))
$(info ERP_SBIN=$(sbin_PROGRAMS))
$(info ERP_BIN=$(bin_PROGRAMS))
$(info ERP_SBINDIR=$(sbindir))
$(info ERP_BINDIR=$(bindir))
$(info ERP_LIBDIR=$(libdir))
$(info ERP_MODDIR=$(moduledir))
$(info ERP_SPLIT=$(vtysh_cmd_split))
$(info ERP_COMPILE=$(COMPILE))
$(info ERP_LDFLAGS=$(AM_LDFLAGS) $(LDFLAGS))
$(info ERP_LINKLIBS=$(LIBCAP) $(LIBREADLINE) $(LIBS) $(LIBPAM))
MK
vars=$(cd "$tree" && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s --no-print-directory -f Makefile -f "$printmk" _erp_print_vars)
getvar() { printf '%s\n' "$vars" | sed -n "s/^$1=//p"; }
xrefs=$(getvar ERP_XREFS)
[ -n "$xrefs" ] || die "no 'xrefs' in $tree/Makefile (FRR < 8.5?)"
libs_lt=" $(getvar ERP_LIBS_LT) " mods_lt=" $(getvar ERP_MODS_LT) "
sbin=" $(getvar ERP_SBIN) " bin=" $(getvar ERP_BIN) "
sbindir=$(getvar ERP_SBINDIR) bindir=$(getvar ERP_BINDIR)
[ -n "$libdir" ] || libdir=$(getvar ERP_LIBDIR)
moddir=$(getvar ERP_MODDIR)
split=$(getvar ERP_SPLIT)
compile_str=$(getvar ERP_COMPILE)
tree_ldflags=$(getvar ERP_LDFLAGS)
linklibs=$(getvar ERP_LINKLIBS)
libfrr="$libdir/libfrr.so.0"
[ -f "$libfrr" ] || die "$libfrr not found (is Debian's frr installed?)"

# --- 1. stage the installed files under FRR's build names -----------------------
# Built by FRR but not shipped by Debian; allowed only while they define no
# command.
not_shipped=" zebra/fpm_listener "
stage="$out/xref"
rm -rf "$stage"
inputs=()
missing=()
for x in $xrefs; do
	t=${x%.xref}
	d=$(dirname "$t") b=$(basename "$t")
	case " $libs_lt " in
	*" $t "*) src=$(ls "$libdir/${b%.la}".so.[0-9]* 2>/dev/null | head -n 1); name=${b%.la}.so ;;
	*) case " $mods_lt " in
	   *" $t "*) src="$moddir/${b%.la}.so"; name=${b%.la}.so ;;
	   *) case " $sbin " in
	      *" $t "*) src="$sbindir/$b" ;;
	      *) src="$bindir/$b" ;;
	      esac
	      name=$b ;;
	   esac ;;
	esac
	if [ -z "$src" ] || [ ! -f "$src" ]; then
		case "$not_shipped" in
		*" $t "*)
			! grep -qE '^(DEFUN|DEFPY)' "$tree/$t".c 2>/dev/null ||
				die "$t is not installed but defines commands"
			say "not shipped (no commands): $t"
			continue ;;
		esac
		missing+=("$t (${src:-$libdir/${b%.la}.so.*})")
		continue
	fi
	mkdir -p "$stage/$d"
	ln -s "$src" "$stage/$d/$name"
	inputs+=("$stage/$d/$name")
done
[ ${#missing[@]} -eq 0 ] || die "not installed (frr, frr-snmp, frr-rpki-rtrlib of the tree's version needed): ${missing[*]}"
for m in "${mods[@]}"; do
	mkdir -p "$stage/bgpd"
	ln -s "$m" "$stage/bgpd/$(basename "$m")"
	inputs+=("$stage/bgpd/$(basename "$m")")
done

# --- 2. xref data -> vtysh_cmd*.c ------------------------------------------------
# As FRR's build: the xref data is read with the staged files' names relative
# to the current directory (they become the "origin" xref2vtysh derives the
# daemon from: isisd/fabricd, bgpd/bgpd_erpolicy.so), then the combined data
# is turned into C from the FRR tree (defun files such as lib/vty.c are
# taken relative to it).
cmdfiles=("$out/vtysh_cmd.c")
for s in $split; do cmdfiles+=("$out/$(basename "$s")"); done
rel=()
for i in "${inputs[@]}"; do rel+=("${i#"$stage"/}"); done
say "cd $stage && $tree/lib/clippy $tree/python/xrelfo.py -o $out/frr.xref ${rel[*]}"
(cd "$stage" && "$tree/lib/clippy" "$tree/python/xrelfo.py" -o "$out/frr.xref" "${rel[@]}") >&2 ||
	die "xrelfo failed"
# The file names in the xref data are as the compiler saw them: Debian 13
# builds out of tree, one directory below the source (../lib/vty.c).  Run
# from a directory of the same depth in the tree.
depth=$(/usr/bin/python3 - "$out/frr.xref" <<-'PY'
	import json, re, sys
	depths = set()
	for origins in json.load(open(sys.argv[1]))["cli"].values():
	    for origin, spec in origins.items():
	        f = spec.get("defun", {}).get("file", "")
	        if origin.startswith("lib/") and re.match(r"(\.\./)*lib/", f):
	            depths.add(f.count("../"))
	if len(depths) != 1 or min(depths) > 1:
	    sys.exit("unexpected locations of lib/ in the xref data: %s" % depths)
	print(depths.pop())
	PY
) || die "cannot place the xref data's file names in $tree"
cwd=$tree
if [ "$depth" = 1 ]; then
	cwd="$tree/.erp-xref-cwd"
	mkdir -p "$cwd"
fi
say "cd $cwd && $tree/lib/clippy $tree/python/xrelfo.py $out/frr.xref -c ${cmdfiles[*]}"
(cd "$cwd" && "$tree/lib/clippy" "$tree/python/xrelfo.py" "$out/frr.xref" -c "${cmdfiles[@]}") >&2 ||
	die "xref2vtysh failed"

# Every command of the module must be in the graph, for bgpd.
for m in "${mods[@]}"; do
	(cd "$stage" && "$tree/lib/clippy" "$tree/python/xrelfo.py" -o "$out/$(basename "$m").xref" "bgpd/$(basename "$m")") >&2
	names=$(/usr/bin/python3 - "$out/$(basename "$m").xref" <<-'PY'
	import json, sys
	cli = json.load(open(sys.argv[1]))["cli"]
	for name, origins in sorted(cli.items()):
	    for spec in origins.values():
	        if spec.get("nodes") and "nosh" not in spec.get("attrs", []):
	            print(name)
	PY
	)
	[ -n "$names" ] || die "$m: no CLI commands in its xref data"
	lost=()
	for n in $names; do
		grep -q "^DEFSH[A-Z_]* (VTYSH_BGPD, ${n}_vtysh,$" "$out/vtysh_cmd.c" || lost+=("$n")
	done
	[ ${#lost[@]} -eq 0 ] || die "commands of $m missing from vtysh_cmd.c (for bgpd): ${lost[*]}"
done

# --- 3. compile and link ---------------------------------------------------------
eval "compile=($compile_str)"
# shellcheck disable=SC2206
extra=(${CPPFLAGS:-} ${CFLAGS:-})
# shellcheck disable=SC2206
extra_ldflags=(${LDFLAGS:-})
ldflags=()
for f in $tree_ldflags; do
	case "$f" in -export-dynamic) ldflags+=("-Wl,--export-dynamic") ;; *) ldflags+=("$f") ;; esac
done
objs=() pids=()
cc1() { # src obj
	say "${compile[*]} ${extra[*]:-} -c -o $2 $1"
	(cd "$tree" && "${compile[@]}" "${extra[@]}" -c -o "$2" "$1")
}
for s in "$tree"/vtysh/vtysh_main.c "$tree"/vtysh/vtysh.c "$tree"/vtysh/vtysh_user.c \
	"$tree"/vtysh/vtysh_config.c "${cmdfiles[@]}"; do
	o="$out/$(basename "$s" .c).o"
	cc1 "$s" "$o" &
	pids+=($!)
	objs+=("$o")
	# at most two compilers at a time (vtysh_cmd.*.c are large)
	if [ ${#pids[@]} -ge 2 ]; then wait "${pids[0]}" || die "compilation failed"; pids=("${pids[@]:1}"); fi
done
for p in "${pids[@]}"; do wait "$p" || die "compilation failed"; done
# shellcheck disable=SC2086
"${compile[0]}" "${ldflags[@]}" "${extra_ldflags[@]}" -Wl,--as-needed \
	-o "$out/vtysh.tmp" "${objs[@]}" "$libfrr" $linklibs -Wl,-rpath,"$libdir"
mv -f "$out/vtysh.tmp" "$out/vtysh"
echo "build-vtysh-xref: $out/vtysh ($(grep -c '^DEFSH' "$out/vtysh_cmd.c") commands from ${#inputs[@]} files, ${#mods[@]} module(s))" >&2
