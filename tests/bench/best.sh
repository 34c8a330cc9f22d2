# Sourced by the bench scripts: best_of_three CMD_A CMD_B runs each command
# three times, interleaved (the machine is shared and noisy), and sets
# line_a/line_b to the output of each one's fastest run and best_a/best_b
# to its seconds (the number before " s" in "... in N s ...").
seconds() {
	echo "$1" | sed 's/.* in \([0-9.]*\) s.*/\1/'
}

best_of_three() {
	best_a=""
	best_b=""
	for i in 1 2 3; do
		a=$(eval "$1")
		b=$(eval "$2")
		ta=$(seconds "$a")
		tb=$(seconds "$b")
		if [ -z "$best_a" ] || awk "BEGIN{exit !($ta < $best_a)}"; then best_a=$ta; line_a=$a; fi
		if [ -z "$best_b" ] || awk "BEGIN{exit !($tb < $best_b)}"; then best_b=$tb; line_b=$b; fi
	done
}
