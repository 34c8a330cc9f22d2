#!/bin/sh
# make bench: mastrace compare, the main job.  Prints the ablation ladder
# (compare --ladder) for each of LADDER_WORKLOADS on each of LADDER_NPUS
# (default bert-base on edge), then how long the default comparison and the
# table over every preset take, on one thread and on all of them.
set -eu
mastrace=${1:?usage: compare.sh MASTRACE}

# seconds ARGS...: wall-clock seconds of "mastrace ARGS", output discarded
seconds() {
	s=$(date +%s.%N)
	"$mastrace" "$@" >/dev/null
	e=$(date +%s.%N)
	echo "$s $e" | awk '{ printf "%.2f", $2 - $1 }'
}

for n in ${LADDER_NPUS:-edge}; do
	for w in ${LADDER_WORKLOADS:-bert-base}; do
		"$mastrace" compare -q --ladder -w "$w" --npu "$n"
		echo
	done
done
echo "compare (bert-base, edge, 4 dataflows): $(seconds compare -q) s"
echo "compare -w all -j 1: $(seconds compare -q -w all -j 1) s"
echo "compare -w all (every processor): $(seconds compare -q -w all) s"
echo "compare --ladder (bert-base, edge): $(seconds compare -q --ladder) s"
