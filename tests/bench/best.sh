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

# verdict VALUE OP LIMIT: "" when VALUE OP LIMIT holds (OP is <= or >=),
# " MISSED" otherwise, so that no reader can overlook a missed target.
verdict() {
	if awk "BEGIN{exit !($1 $2 $3)}"; then echo ""; else echo "  MISSED"; fi
}

# rate_line LINE TARGET: LINE (with "N M .../s" in it) and its target, in M/s
rate_line() {
	r=$(echo "$1" | sed 's/.*: \([0-9.]*\) M [a-z]*\/s.*/\1/')
	echo "$1 (target >= $2 M/s)$(verdict "$r" ">=" "$2")"
}

# ratio_line LABEL A B TARGET: A / B and its target, at most TARGET
ratio_line() {
	r=$(awk "BEGIN{printf \"%.2f\", $2 / $3}")
	echo "ratio    $1 = $r (target <= $4)$(verdict "$r" "<=" "$4")"
}
