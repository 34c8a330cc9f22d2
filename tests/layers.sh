#!/bin/sh
# The floors of doc/ARCHITECTURE.md: one floor per folder, and a file
# includes only from its own folder or a folder below it; no project
# header has the name of a system one (they are found with -iquote, but a
# name that differs is a name nobody confuses).  A folder of sources that
# is given no floor here fails the test, so a new one must be placed.
. "$TOP_SRCDIR/tests/lib.sh"

# The floors, bottom up: a folder's floor is its place in this list.
folders="src/base src/model src/isa formats src/sched src/replay export src/eval viewers src/cli"

# layer FOLDER: the floor of a folder of the tree, or nothing
layer() {
	i=0
	for f in $folders; do
		[ "$f" = "$1" ] && { echo "$i"; return; }
		i=$((i + 1))
	done
}

cd "$TOP_SRCDIR" || exit 99
# every folder with library or program sources has a floor
for d in $(find src formats export viewers -name '*.[ch]' 2>/dev/null | sed 's|/[^/]*$||' | sort -u); do
	checks=$((checks + 1))
	[ -n "$(layer "$d")" ] || fail "$d holds sources but has no floor in tests/layers.sh"
done
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
for d in $folders; do
	for p in "$d"/*.proto; do
		[ -e "$p" ] || continue
		p=${p##*/}
		echo "${p%.proto}.pb-c.h $d" >>"$TMP/headers"
	done
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
for f in $(find src formats export -name '*.[ch]'); do
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
