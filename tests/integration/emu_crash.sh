#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Crash test: kill -9 the emulator at random points while it changes PINs,
# spends tries, generates keys and writes objects, 100 times.  After each
# kill the card image must load, a retry counter must never be higher than
# before a wrong try, and the PIN must be exactly the old or the new one.
. "$(dirname "$0")/lib.sh"
ROUNDS=${TM_CRASH_ROUNDS:-100}
MODEL=kaztoken
IMG=$WORK/card.img
PORT=$("$FREE_PORT")
PIN_A=12345678 PIN_B=Changed99 SO=87654321

hex() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }
lc() { printf '%02X' "$((${#1} / 2))"; }
verify() { local h; h=$(hex "$1"); echo "00200081$(lc "$h")$h"; }
change() { local h; h=$(hex "$1$2"); echo "00240081$(lc "$h")$h"; }
unblock() { local h; h=$(hex "$SO$1"); echo "002C0081$(lc "$h")$h"; }
SELECT=00A4040007F054554D41520100


CRASH_EMU=(--model $MODEL --card "$IMG")

# Which PIN the card has now: A or B (tried without a kill).
current_pin() {
	local p
	for p in "$PIN_A" "$PIN_B"; do
		printf '%s\n%s\n' $SELECT "$(verify "$p")" | run_session
		if tail -n1 "$WORK/session.out" | grep -q '^9000$'; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

# A card with a fresh image, then a known PIN.
printf '%s\n' $SELECT | run_session || { not_ok "the emulator answers over --listen"; tap_done; exit 1; }
pin=$PIN_A
bad_image=0 counter_up=0 pin_lost=0 free_try=0 wrong_answered=0

for round in $(seq 1 "$ROUNDS"); do
	delay=$((RANDOM % 40 + 1))
	case $((round % 4)) in
	0) # Wrong tries only: the counter may only go down, and every wrong
	   # try the client saw answered is on disk (no free try).
		after_answer=
		[ $((round % 8)) = 0 ] && after_answer='^63C'
		wrong_tries "$delay" "$after_answer" \
			< <(echo $SELECT; for i in 1 2 3; do verify 00000000; done) || continue
		;;
	1) # A PIN change: afterwards the PIN is the old one or the new one.
		next=$PIN_B
		[ "$pin" = "$PIN_B" ] && next=$PIN_A
		{ echo $SELECT; change "$pin" "$next"; } | crash_session "$delay"
		inspect >/dev/null || { bad_image=$((bad_image + 1)); continue; }
		if got=$(current_pin) && { [ "$got" = "$pin" ] || [ "$got" = "$next" ]; }; then
			pin=$got
		else
			pin_lost=$((pin_lost + 1))
		fi
		;;
	2) # Key generation (RSA-1024: the killer lands before, during or after).
		{ echo $SELECT; verify "$pin"; echo 004600000E E20CC70101C8020400C50101C400 00; } |
			crash_session "$delay"
		inspect >/dev/null || bad_image=$((bad_image + 1))
		;;
	3) # Object writes.
		{ echo $SELECT; verify "$pin"
		  echo 00E0000011620F80020010A509C10102C20102C4014400; } | crash_session "$delay"
		inspect >/dev/null || bad_image=$((bad_image + 1))
		;;
	esac
	# Keep the PIN usable: unblock when few tries are left.
	if [ "$(field user_tries || echo 0)" -lt 4 ]; then
		printf '%s\n%s\n' $SELECT "$(unblock "$PIN_A")" | run_session
		pin=$PIN_A
	fi
done

check "after $ROUNDS kills the card image always loads" test "$bad_image" = 0
check "a retry counter never rose across a wrong try" test "$counter_up" = 0
check "no wrong try was answered without being on disk first" test "$free_try" = 0
check "the kills landed among answered tries ($wrong_answered answered)" test "$wrong_answered" -gt 0
check "the PIN was always the old or the new one" test "$pin_lost" = 0
printf '%s\n%s\n' $SELECT "$(verify "$pin")" | run_session
check "the card answers 9000 to the PIN it has" grep -q '^9000$' "$WORK/session.out"
tap_done
