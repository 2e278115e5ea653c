#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Card pulls at scale, through the real stack: one application signs in a
# loop (each signature verified) while the card is pulled and put back
# again and again at random moments, then pcscd restarts under it, then
# the emulator dies and its vpcd port goes away, and comes back.  No
# crash, no call that hangs, every failure a code of the removal family
# (CKR_DEVICE_REMOVED, CKR_TOKEN_NOT_PRESENT, CKR_SESSION_HANDLE_INVALID,
# CKR_SESSION_CLOSED), and a fresh session signs after each return.
# Every wait is for an event (pcscd seeing the card go and come back);
# the random moments are only where the pulls land.
#
# TM_PULLS pulls: 40 in make check, 1,000 under make stress.
. "$(dirname "$0")/../integration/lib.sh"
private_pcscd_namespace "$@"
module_stack
PULLS=${TM_PULLS:-40}
[ "${TM_STRESS_LONG:-0}" = 1 ] && PULLS=${TM_PULLS:-1000}
CLIENT=$TM_BUILDDIR/tests/integration/p11-client
ctl_failed=0
ctl() { "$EMU" ctl "$WORK/pull.ctl" "$@" >>"$WORK/ctl.out" 2>&1 || ctl_failed=$((ctl_failed + 1)); }

start_emu pull kaztoken || { not_ok "token present"; tap_done; exit 1; }
p11 --change-pin --pin 12345678 --new-pin Tumar2026 >/dev/null 2>&1
check "an RSA key to sign with" p11 --login --pin Tumar2026 --keypairgen --key-type rsa:2048 --id 01

(exec env ASAN_OPTIONS=detect_leaks=0 "$CLIENT" "$MODULE" Tumar2026 pulls "$WORK/done" 0 \
	>"$WORK/pulls.out" 2>&1) &
SIGNER=$!
PIDS+=("$SIGNER")
wait_for 600 test -f "$WORK/done.ready" || not_ok "the application signs before the first pull"

seen_out=0 seen_in=0
for _ in $(seq 1 "$PULLS"); do
	sleep "0.0$((RANDOM % 10))"
	ctl remove
	wait_for 300 card_absent && seen_out=$((seen_out + 1))
	sleep "0.0$((RANDOM % 10))"
	ctl insert
	wait_for 300 card_present && seen_in=$((seen_in + 1))
	kill -0 "$SIGNER" 2>/dev/null || break
done
# A pull pcscd never saw was the emulator's bug: a removal read in the
# same poll round as an APDU connected the link again (remove_race.py).
check "pcscd saw each of the $PULLS pulls ($seen_out) and each return ($seen_in)" \
	test "$seen_out" = "$PULLS" -a "$seen_in" = "$PULLS" -a "$ctl_failed" = 0

# pcscd goes and comes back on the same vpcd port under the application.
stop_pcscd
start_pcscd "$PORT" || { not_ok "pcscd starts again"; tap_done; exit 1; }
check "after pcscd's restart the token is in the new pcscd's reader" wait_for 300 card_present
# The emulator dies: its link, and so the card in vpcd's port, goes.
kill -9 "$EMU_PID"
wait "$EMU_PID" 2>/dev/null
check "with the emulator killed the reader is empty" wait_for 300 card_absent
start_emu pull kaztoken || not_ok "the emulator starts again on its image"
check "the application lived through all of it" kill -0 "$SIGNER"

touch "$WORK/done"
if wait_for 1200 bash -c '! kill -0 "$1" 2>/dev/null' _ "$SIGNER"; then
	wait "$SIGNER"
	rc=$?
	out=$(cat "$WORK/pulls.out")
	echo "# $out"
	check "every signature verified, every failure of the removal family" test "$rc" = 0
	check "the application saw the pulls (failures) and came back after them" \
		grep -Eq "failures=[1-9][0-9]* back=[1-9]" <<<"$out"
	# A bound for a hang, not a speed: a call that waits for a card
	# returns when pcscd knows the card is gone.
	longest=$(sed -n 's/.*longest_ms=\([0-9]*\).*/\1/p' <<<"$out")
	check "no call hung (the longest took ${longest:-?} ms; bound 60 s)" test "${longest:-99999}" -lt 60000
else
	not_ok "the application ends once the token is back (still waiting: a hang)"
	kill "$SIGNER" 2>/dev/null
fi
tap_done
