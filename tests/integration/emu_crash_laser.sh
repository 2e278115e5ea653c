#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Crash test of the LASER applet (JaCarta PKI's protocol): kill -9 the
# emulator at random points while it spends tries, makes keys (the KO,
# then GENERATE) and writes attribute files (CREATE, UPDATE BINARY,
# DELETE), 60 times.  After each kill the card image must load, a retry
# counter must never be higher than before a wrong try, and every wrong
# try the client saw answered must be on disk.  (A PIN change needs
# secure messaging, which this raw-APDU client does not speak:
# emu_crash_laser_pin.sh kills the card during the module's.)
. "$(dirname "$0")/lib.sh"
ROUNDS=${TM_CRASH_ROUNDS:-60}
IMG=$WORK/card.img
PORT=$("$FREE_PORT")
PIN=1234567890 SO=00000000

hex() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }
lc() { printf '%02X' "$((${#1} / 2))"; }
verify() { local h; h=$(hex "$1"); echo "00200000$(lc "$h")$h"; }
SELECT=00A4040C0CA0000001644C41534552000100
USER=80A4080C043F00002000
SOPIN=80A4080C043F00001000
PRIV=80A4080C063F003000300200
PUB=80A4080C063F003000300100
# A 1024-bit private KO 0041 (the factory's template ACLs), GENERATE into
# it, then gone again; an attribute-sized EF 0601 written and deleted.
KO=00E008002662248A010483020041800200808505050C2000A3860E0000002000FF00000020002000207100
GEN=004700000BAC0980010681810301000100
KO_PATH=80A4080C083F0030003002004100
EF=00E001001762158A0104830206018002002086080000000000FF0000
EF_PATH=80A4080C083F0030003001060100
UPDATE=00D6000020$(printf '%064d' 0 | tr 0 A)
DELETE=00E40000


CRASH_EMU=(--model jacarta-pki --card "$IMG")

printf '%s\n' $SELECT | run_session || { not_ok "the LASER emulator answers over --listen"; tap_done; exit 1; }
bad_image=0 counter_up=0 free_try=0 wrong_answered=0

for round in $(seq 1 "$ROUNDS"); do
	delay=$((RANDOM % 40 + 1))
	case $((round % 3)) in
	0) # Wrong tries: the counter only goes down, no try for free.
		after_answer=
		[ $((round % 6)) = 0 ] && after_answer='^63C'
		wrong_tries "$delay" "$after_answer" \
			< <(echo $SELECT; echo $USER; for i in 1 2 3; do verify 0000000000; done) || continue
		;;
	1) # Key generation: the KO made, filled, deleted.
		{ echo $SELECT; echo $USER; verify "$PIN"; echo $PRIV; echo $KO; echo $GEN
		  echo $KO_PATH; echo $DELETE; } | crash_session "$delay"
		inspect >/dev/null || bad_image=$((bad_image + 1))
		;;
	2) # Attribute-file writes.
		{ echo $SELECT; echo $USER; verify "$PIN"; echo $PUB; echo $EF; echo $UPDATE
		  echo $EF_PATH; echo $DELETE; } | crash_session "$delay"
		inspect >/dev/null || bad_image=$((bad_image + 1))
		;;
	esac
	# Keep the PIN usable: the SO resets its counter when few are left.
	if [ "$(field user_tries || echo 0)" -lt 5 ]; then
		printf '%s\n' $SELECT $SOPIN "$(verify $SO)" $USER 802C0000 | run_session
	fi
done

check "after $ROUNDS kills the LASER card image always loads" test "$bad_image" = 0
check "a retry counter never rose across a wrong try" test "$counter_up" = 0
check "no wrong try was answered without being on disk first" test "$free_try" = 0
check "the kills landed among answered tries ($wrong_answered answered)" test "$wrong_answered" -gt 0
printf '%s\n' $SELECT $USER "$(verify $PIN)" | run_session
check "the card answers 9000 to its PIN" grep -q '^9000$' "$WORK/session.out"
tap_done
