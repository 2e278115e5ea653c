#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Crash test of a PIN change on JaCarta PKI over LASER, through the real
# stack: pkcs11-tool --change-pin (the module's secure VERIFY, secure
# messaging, the wrapped 80 24, EEEF's factory flag), the emulator killed
# -9 at an exact APDU of it.  A raw APDU client cannot do this one: the
# change is taken under SM only.  Each round first runs the same change
# on a copy of the card (a dry run) to learn its APDUs, which depend on
# the card's state (the factory flag's update comes only once, a wrong
# old PIN ends at the login); then the card is started with --stop-at
# command:N for an APDU of that change and killed where it stopped.  The
# card image must always load, and the PIN must be the new one exactly
# when the kill came after the card answered the 8C 24 that changes it; a
# wrong old PIN's try must be spent exactly when the card answered its
# VERIFY.  No timing decides where a kill lands.
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

# dry_run OLD NEW: the change on a copy of the card, traced; sets FIRST
# (the APDU opening the secure VERIFY the change rests on: the last GET
# CHALLENGE), LAST (the session's last APDU), CHANGE (the 8C 24, or 0
# when the login refused the old PIN) and VERIFY (that secure VERIFY).
dry_run() {
	cp "$WORK/jc.img" "$WORK/dry.img"
	rm -f "$WORK/dry.trace"
	start_emu dry jacarta-pki --trace "$WORK/dry.trace" || return 1
	p11 --change-pin --pin "$1" --new-pin "$2" >/dev/null 2>&1
	stop_emu
	rm -f "$WORK/dry.img"
	# One trace line per APDU, in order: field 7 is the command.
	FIRST=$(awk '$7 == "0084000008" { n = NR } END { print n + 0 }' "$WORK/dry.trace")
	LAST=$(wc -l <"$WORK/dry.trace")
	CHANGE=$(awk 'substr($7, 1, 4) == "8C24" && !c { c = NR } END { print c + 0 }' "$WORK/dry.trace")
	VERIFY=$((FIRST + 1))
	[ "$FIRST" -gt 0 ] && [ "$LAST" -gt "$FIRST" ]
}

stopped() { [ "$(proc_state "$EMU_PID")" = T ]; }
# The factory card, made once.
start_emu jc jacarta-pki && stop_emu || { not_ok "the card is made"; tap_done; exit 1; }
pin=$PIN_A
bad_image=0 pin_lost=0 missed=0 wrong_outcome=0 try_wrong=0 changed=0 kept=0 dry_failed=0
for round in $(seq 1 "$ROUNDS"); do
	new=$PIN_B
	[ "$pin" = "$PIN_B" ] && new=$PIN_A
	old=$pin
	# Every fourth round the old PIN is wrong.
	wrong=no
	[ $((round % 4)) = 0 ] && { old=0000000000; wrong=yes; }
	dry_run "$old" "$new" || { dry_failed=$((dry_failed + 1)); continue; }
	# The rounds walk the change's APDUs from FIRST on, one further each:
	# stopped as APDU `point` arrives, or past the last, once the last
	# answer was sent.
	point=$((FIRST + (round - 1) % (LAST - FIRST + 2)))
	at=command:$point
	[ "$point" -gt "$LAST" ] && at=answer:$LAST
	before=$(field user_tries)
	start_emu jc jacarta-pki --stop-at "$at" ||
		{ not_ok "round $round: the card is present"; break; }
	p11 --change-pin --pin "$old" --new-pin "$new" >"$WORK/change.out" 2>&1 &
	client=$!
	n=0
	until stopped || ! kill -0 "$client" 2>/dev/null; do
		n=$((n + 1))
		[ "$n" -lt 60000 ] || break # only a hang: neither stopped nor done in 5 minutes
		sleep 0.005
	done
	# After the last answer the client may end just before the stop.
	wait_for 50 stopped || missed=$((missed + 1))
	kill -9 "$EMU_PID" 2>/dev/null
	wait "$EMU_PID" 2>/dev/null
	wait "$client" 2>/dev/null
	wait_for 100 card_absent
	after=$(field user_tries) || { bad_image=$((bad_image + 1)); continue; }
	now=$(current_pin) || { pin_lost=$((pin_lost + 1)); break; }
	if [ "$wrong" = yes ]; then
		# The wrong try is spent once the card has answered its VERIFY.
		spent=0
		[ "$point" -gt "$VERIFY" ] && spent=1
		[ "$after" = $((before - spent)) ] || { try_wrong=$((try_wrong + 1));
			echo "# round $round: killed at APDU $point, VERIFY $VERIFY: tries $before -> $after"; }
		[ "$now" = "$pin" ] || wrong_outcome=$((wrong_outcome + 1))
	else
		want=$pin
		[ "$CHANGE" -gt 0 ] && [ "$point" -gt "$CHANGE" ] && want=$new
		[ "$now" = "$want" ] || { wrong_outcome=$((wrong_outcome + 1));
			echo "# round $round: killed at APDU $point, 8C 24 at $CHANGE: the PIN is not the one expected"; }
		[ "$now" = "$pin" ] && kept=$((kept + 1))
	fi
	[ "$now" = "$pin" ] || changed=$((changed + 1))
	pin=$now
done

echo "# $changed rounds ended with the new PIN, $kept changes were killed before it"
check "every round's dry run showed the change's APDUs" test "$dry_failed" = 0
check "every kill came at its APDU (--stop-at), none after the session" test "$missed" = 0
check "after $ROUNDS kills during PIN changes the image always loads" test "$bad_image" = 0
check "the PIN is always exactly the old or the new one" test "$pin_lost" = 0
check "the PIN is the new one exactly when the card had answered the 8C 24" test "$wrong_outcome" = 0
check "a wrong old PIN's try is spent exactly when the card had answered its VERIFY" \
	test "$try_wrong" = 0
check "kills came both before the change and after it ($kept and $changed)" \
	test "$kept" -gt 0 -a "$changed" -gt 0
start_emu jc jacarta-pki || not_ok "the card comes back"
check "the module logs in with the PIN the card has" p11 --login --pin "$pin" -O
tap_done
