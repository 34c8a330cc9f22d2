#!/bin/sh
# The interactive viewer, driven in tmux as a user would: it opens, zooms,
# pans, searches, shows an instruction, sets markers, follows the critical
# path, redraws on resize, shows two traces on one axis, honours NO_COLOR
# and an ASCII locale, and leaves the terminal clean on q and on SIGTERM.
# Skipped (77) without tmux.  Nothing here sleeps a fixed time and hopes:
# every step waits for what the screen shows, up to 30 seconds, so a
# loaded machine makes it slower, not red.
. "$TOP_SRCDIR/tests/lib.sh"

command -v tmux >/dev/null 2>&1 || { echo "no tmux: skipped"; exit 77; }
cd "$TMP" || exit 99
sock="$TMP/tmux.sock"
T() { tmux -S "$sock" "$@"; }
trap 'tmux -S "$sock" kill-server 2>/dev/null; rm -rf "$TMP"' EXIT

"$MASTRACE" schedule -q -s mas -w bert-base,b=1,h=2 -o mas.mtr >/dev/null &&
    "$MASTRACE" replay -q mas.mtr -o mas.r.mtr >/dev/null &&
    "$MASTRACE" schedule -q -s flat -w bert-base,b=1,h=2 -o flat.mtr >/dev/null &&
    "$MASTRACE" replay -q flat.mtr -o flat.r.mtr >/dev/null || { fail "schedule"; finish; }

# screen: the pane's text now
screen() { T capture-pane -p -t v 2>/dev/null; }
# wait_for TEXT [NOT]: until the pane shows TEXT (or, with NOT, stops showing it)
wait_for() {
	checks=$((checks + 1))
	i=0
	while [ $i -lt 300 ]; do
		if screen | grep -qF -- "$1"; then
			[ -z "${2:-}" ] && return 0
		else
			[ -n "${2:-}" ] && return 0
		fi
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
# changed FUNC OLD: FUNC's value once it differs from OLD (up to 30 s), else OLD
changed() {
	i=0
	while [ $i -lt 300 ]; do
		v=$($1)
		if [ -n "$v" ] && [ "$v" != "$2" ]; then
			echo "$v"
			return 0
		fi
		sleep 0.1
		i=$((i + 1))
	done
	echo "$2"
}
# prompt_open: the last line is the search prompt, waiting for the person
prompt_open() {
	checks=$((checks + 1))
	i=0
	while [ $i -lt 300 ]; do
		screen | sed -n '$p' | grep -q '^/' && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
# fresh: no tmux server on the socket (a new one must not meet the old one leaving)
fresh() {
	T kill-server 2>/dev/null
	i=0
	while T has-session 2>/dev/null && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	sleep 0.2
}
# start ENV ARGS...: the viewer in a fresh 100x30 pane; its exit status is printed after it
start() {
	fresh
	T -f /dev/null new-session -d -s v -x 100 -y 30 \
	    "env TERM=xterm-256color $1 '$MASTRACE' view $2; echo \"EXIT=\$?\"; sleep 30"
	wait_for "MAC||VEC" || { fail "view $2 did not draw: $(screen)"; return 1; }
}
window() { screen | sed -n 's/.*window \([0-9,]*\) cycles.*/\1/p' | tr -d ,; }
cursor() { screen | sed -n 's/^cursor \([0-9,]*\) cycles.*/\1/p' | tr -d ,; }

start "LANG=C.UTF-8" mas.r.mtr || finish
checks=$((checks + 1))
for lane in " mac " " vec " " mte " " dma0 " " l1 " " dram "; do
	screen | grep -q "^$lane" || fail "no lane '$lane'"
done
w0=$(window)
T send-keys -t v +
wait_for "window $(printf '%s' "$w0" | awk '{ printf "%d", $1 / 2 }')" ||
    { w1=$(window); [ "$w1" -lt "$w0" ] || fail "+ did not zoom in: $w0 -> $w1"; }
T send-keys -t v 0
wait_for "window $(printf '%s' "$w0" | sed -e ':a' -e 's/\([0-9]\)\([0-9]\{3\}\)\($\|,\)/\1,\2\3/' -e 'ta')" ||
    fail "0 did not fit the trace again"
c0=$(cursor)
T send-keys -t v L
c1=$(changed cursor "$c0")
[ "$c1" -gt "$c0" ] || fail "L did not move on: cursor $c0 -> $c1"
T send-keys -t v g
wait_for "cursor 0 cycles" || fail "g did not go to the start"

# search (the prompt waits, however slowly one types), Enter, the
# instruction's stall and cause, any key closes
T send-keys -t v /
prompt_open || fail "/ opened no prompt: $(screen | tail -1)"
sleep 0.5	# a person's pause: the prompt must still be there
prompt_open || fail "the search prompt closed by itself"
T send-keys -t v "vexp h=1" Enter
wait_for "vec vexp b0 h1" || fail "search 'vexp h=1' found nothing: $(screen | tail -5)"
c0=$(cursor)
T send-keys -t v n
c1=$(changed cursor "$c0")
[ "$c1" -gt "$c0" ] || fail "n did not find the next one: cursor $c0 -> $c1"
T send-keys -t v Enter
wait_for "instruction (any key closes)" || fail "Enter shows no instruction"
screen | grep -q "cause" || fail "the instruction's details lack its cause"
T send-keys -t v x
wait_for "instruction (any key closes)" not || fail "a key did not close the details"

# the critical path and the markers
T send-keys -t v c
wait_for "waited for" || fail "c did not follow the critical path: $(screen | tail -2)"
T send-keys -t v m l l l l M
wait_for "B-A " || fail "markers A and B show no time between them"
T send-keys -t v '?'
wait_for "keys (any key closes)" || fail "? shows no help"
T send-keys -t v x

# resize: a notice when too small, the lanes again when it grows
T resize-window -t v -x 50 -y 12
wait_for "the terminal is 50x12" || fail "a small terminal shows no notice: $(screen | head -2)"
T resize-window -t v -x 100 -y 30
wait_for "MAC||VEC" || fail "the view did not come back after the resize"

# q: the exit status 0 and the terminal as it was (the view gone)
T send-keys -t v q
wait_for "EXIT=0" || fail "q did not end the viewer with status 0: $(screen)"
screen | grep -q "MAC||VEC" && fail "the view is left on the screen after q"

# two traces on one axis, and the same tile in the other
start "LANG=C.UTF-8" "mas.r.mtr flat.r.mtr" || finish
screen | grep -q "A mas (.*) against B flat (.*): B/A = 1.4" || fail "no makespan ratio: $(screen | head -1)"
screen | grep -q "^Bvec " || fail "B's lanes are not drawn"
T send-keys -t v Tab o
wait_for "b0 h0" || fail "o found no tile"
T send-keys -t v q
wait_for "EXIT=0" || fail "q in the two-trace view"

# --live: the play head moves, space holds it, ] doubles the speed, it ends, q quits
live_head() { screen | sed -n 's/^live \([0-9,]*\) at .*/\1/p' | tr -d ,; }
live_speed() { screen | sed -n 's/^live [0-9,]* at \([0-9,]*\)\/s.*/\1/p' | tr -d ,; }
fresh
T -f /dev/null new-session -d -s v -x 100 -y 30 \
    "env TERM=xterm-256color LANG=C.UTF-8 '$MASTRACE' view --live -w bert-base,b=1,h=2; echo \"EXIT=\$?\"; sleep 30"
wait_for "cursor " || fail "view --live did not draw: $(screen)"
T send-keys -t v ' '
wait_for " paused" || fail "space did not pause"
h1=$(live_head)
sleep 0.5
h2=$(live_head)
[ -n "$h1" ] && [ "$h1" = "$h2" ] || fail "the head moved while paused: $h1 -> $h2"
s1=$(live_speed)
T send-keys -t v ']' ' '
s2=$(changed live_speed "$s1")
[ -n "$s1" ] && [ -n "$s2" ] && [ $((s2 - s1 * 2)) -ge -1 ] && [ $((s2 - s1 * 2)) -le 1 ] ||
    fail "] did not double the speed: $s1 -> $s2"
T send-keys -t v ']' ']' ']' ']'
wait_for " done" || fail "the live replay did not reach its end: $(screen | grep live)"
screen | grep -q "^ mac .*[█▄]" || fail "the live view drew no MAC lane"
T send-keys -t v q
wait_for "EXIT=0" || fail "q in the live view"

# colours, and none with NO_COLOR; letters in an ASCII locale
start "LANG=C.UTF-8" mas.r.mtr || finish
T capture-pane -e -p -t v | grep -q "$(printf '\033')\[3[0-7]m" ||
    fail "no colours on a colour terminal"
T send-keys -t v q
start "LANG=C.UTF-8 NO_COLOR=1" mas.r.mtr || finish
T capture-pane -e -p -t v | grep -q "$(printf '\033')\[3[0-7]m" &&
    fail "colours despite NO_COLOR"
T send-keys -t v q
start "LANG=C NO_COLOR=1" mas.r.mtr || finish
screen | grep -q "^ mac .*[Xx]" || fail "an ASCII locale without colours draws no letters"

# SIGTERM: the viewer ends with status 1 and the terminal is restored
if command -v pgrep >/dev/null 2>&1; then
	pid=$(pgrep -f "^$MASTRACE view mas.r.mtr" | head -1)
	[ -n "$pid" ] || fail "cannot find the viewer's process"
	[ -n "$pid" ] && kill -TERM "$pid"
	wait_for "EXIT=1" || fail "SIGTERM did not end the viewer with status 1: $(screen)"
	screen | grep -q "MAC||VEC" && fail "the view is left on the screen after SIGTERM"
else
	echo "no pgrep: SIGTERM not tried"
fi

finish
