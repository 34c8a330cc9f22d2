#!/bin/sh
# The layers of DESIGN.md: a file includes only from its own layer or below,
# and no project header has the name of a system one (they are found with
# -iquote, but a name that differs is a name nobody confuses).
. "$TOP_SRCDIR/tests/lib.sh"

# layer FOLDER: the layer number of a folder of the tree, or nothing
layer() {
	case "$1" in
	src/base) echo 0 ;;
	src/model) echo 1 ;;
	src/isa) echo 2 ;;
	formats | src/sched | src/replay) echo 3 ;;
	src/eval | viewers) echo 4 ;;
	src/cli) echo 5 ;;
	esac
}

cd "$TOP_SRCDIR" || exit 99
folders="src/base src/model src/isa formats src/sched src/replay src/eval viewers src/cli"
# where each project header lives
: >"$TMP/headers"
for d in $folders; do
	[ -d "$d" ] || continue
	for h in "$d"/*.h; do
		[ -e "$h" ] || continue
		echo "${h##*/} $d" >>"$TMP/headers"
	done
done
# headers protoc-c generates from a folder's schemas (in the build tree)
for p in formats/*.proto; do
	[ -e "$p" ] || continue
	p=${p##*/}
	echo "${p%.proto}.pb-c.h formats" >>"$TMP/headers"
done
[ -s "$TMP/headers" ] || { echo "no headers found under $TOP_SRCDIR"; exit 99; }

for d in $folders; do
	[ -d "$d" ] || continue
	mine=$(layer "$d")
	for f in "$d"/*.c "$d"/*.h; do
		[ -e "$f" ] || continue
		for inc in $(sed -n 's/^#[ \t]*include[ \t]*"\([^"]*\)".*/\1/p' "$f"); do
			[ "$inc" = config.h ] && continue
			checks=$((checks + 1))
			home=$(awk -v h="$inc" '$1 == h { print $2; exit }' "$TMP/headers")
			if [ -z "$home" ]; then
				fail "$f includes \"$inc\", which is no header of the library"
				continue
			fi
			theirs=$(layer "$home")
			[ "$theirs" -le "$mine" ] ||
				fail "$f (layer $mine, $d) includes $inc from a higher layer ($theirs, $home)"
		done
	done
done

# curses belongs to the viewer alone: the library and the rest of the CLI never draw
for f in $(find src formats -name '*.[ch]'); do
	checks=$((checks + 1))
	grep -q '^#[ \t]*include[ \t]*<n\{0,1\}curses' "$f" && fail "$f includes curses (only viewers/ may)"
done

sysdirs=$(echo | ${CC:-cc} -E -Wp,-v - 2>&1 >/dev/null | sed -n 's/^ \(\/.*\)/\1/p')
[ -n "$sysdirs" ] || sysdirs="/usr/include /usr/local/include"
while read -r h d; do
	checks=$((checks + 1))
	for s in $sysdirs; do
		[ -e "$s/$h" ] && fail "$d/$h has the name of a system header ($s/$h)"
	done
done <"$TMP/headers"

finish
