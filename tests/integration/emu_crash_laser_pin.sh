#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Crash test of a PIN change on JaCarta PKI over LASER, through the real
# stack: pkcs11-tool --change-pin (the module's secure VERIFY, secure
# messaging, the wrapped 80 24, EEEF's factory flag) while the emulator is
# killed -9 a varying number of APDUs into the change.  A raw APDU client
# cannot do this one: the change is taken under SM only.  After each
# kill the card image must load, the PIN must be exactly the old or the
# new one, a wrong old PIN the client saw refused must have spent its
# try on disk, and the card must answer again.
. "$(dirname "$0")/lib.sh"
private_pcscd_namespace "$@"
module_stack
ROUNDS=${TM_CRASH_ROUNDS:-24}
PIN_A=1234567890 PIN_B=Changed99
CRASH_EMU=(--model jacarta-pki --card "$WORK/jc.img")
LISTEN=$("$FREE_PORT")

hex() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }
lc() { printf '%02X' "$((${#1} / 2))"; }
SELECT=00A4040C0CA0000001644C41534552000100
USER=80A4080C043F00002000
verify() { local h; h=$(hex "$1"); echo "00200000$(lc "$h")$h"; }

# Which PIN the card has now, over --listen (a plain VERIFY: a wrong one
# spends a try, a right one gives the tries back).
current_pin() {
	local p
	for p in "$PIN_A" "$PIN_B"; do
		printf '%s\n' $SELECT $USER "$(verify "$p")" | PORT=$LISTEN run_session
		if tail -n1 "$WORK/session.out" | grep -q '^9000$'; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

# The trace's lines from the change's own secure VERIFY on: the second
# GET CHALLENGE (pkcs11-tool logs in first; the bind sends none).
change_lines() {
	local start
	start=$(grep -n ' 0084000008 ' "$WORK/jc.trace" 2>/dev/null | sed -n '2s/:.*//p')
	[ -n "$start" ] || { echo 0; return; }
	echo $(($(wc -l <"$WORK/jc.trace") - start + 1))
}
until_lines() {
	local n=0
	until [ "$(change_lines)" -gt "$1" ] || ! kill -0 "$client" 2>/dev/null; do
		n=$((n + 1))
		[ "$n" -lt 20000 ] || return 1
		sleep 0.002
	done
}

pin=$PIN_A
bad_image=0 pin_lost=0 free_try=0 refused=0 killed_inside=0 changed=0
for round in $(seq 1 "$ROUNDS"); do
	rm -f "$WORK/jc.trace"
	start_emu jc jacarta-pki --trace "$WORK/jc.trace" ||
		{ not_ok "round $round: the card is present"; break; }
	new=$PIN_B
	[ "$pin" = "$PIN_B" ] && new=$PIN_A
	old=$pin
	# Every fourth round the old PIN is wrong: its try must be on disk
	# when the client heard "incorrect".
	wrong=no
	[ $((round % 4)) = 0 ] && { old=0000000000; wrong=yes; }
	before=$(field user_tries)
	"$EMU" ctl "$WORK/jc.ctl" fault delay 30 >/dev/null
	p11 --change-pin --pin "$old" --new-pin "$new" >"$WORK/change.out" 2>&1 &
	client=$!
	# Killed K APDUs into the change, K from 0 to 10: every answer waits
	# 30 ms (the control socket's fault), so the kill lands while APDU
	# K+1 or K+2 is at the card, however fast or slow this machine is.
	k=$((round % 11))
	until_lines "$k"
	kill -9 "$EMU_PID" 2>/dev/null
	wait "$EMU_PID" 2>/dev/null
	wait "$client" 2>/dev/null
	wait_for 100 card_absent
	after=$(field user_tries) || { bad_image=$((bad_image + 1)); continue; }
	if [ "$wrong" = yes ]; then
		if grep -q CKR_PIN_INCORRECT "$WORK/change.out"; then
			refused=$((refused + 1))
			[ "$after" -lt "$before" ] || free_try=$((free_try + 1))
		fi
	elif ! grep -q "PIN successfully changed" "$WORK/change.out"; then
		killed_inside=$((killed_inside + 1))
	fi
	now=$(current_pin) || { pin_lost=$((pin_lost + 1)); break; }
	[ "$now" = "$pin" ] || changed=$((changed + 1))
	pin=$now
done

echo "# $changed rounds ended with the new PIN, the others with the old one"
check "after $ROUNDS kills during PIN changes the image always loads" test "$bad_image" = 0
check "the PIN is always exactly the old or the new one" test "$pin_lost" = 0
check "a wrong old PIN the client saw refused was spent on disk ($refused seen)" \
	test "$free_try" = 0
check "kills landed inside PIN changes ($killed_inside of them)" test "$killed_inside" -gt 0
start_emu jc jacarta-pki || not_ok "the card comes back"
check "the module logs in with the PIN the card has" p11 --login --pin "$pin" -O
tap_done
