#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Crash consistency at kill points chosen by events, not by sleeping: the
# emulator is started with --stop-at EVENT:N, stops itself there (after
# the Nth command arrived, the Nth image write, sync, rename, answer),
# and is killed -9 while stopped.  Every point of every operation is
# taken in turn -- wrong-PIN VERIFY, PIN change, key generation, object
# writes, key import on the Tumar applet; wrong VERIFY, key generation
# and file writes on LASER -- so the test means the same on a fast
# machine and on a loaded one.  After each kill: the image loads, a retry
# counter never rose, every wrong try the client saw answered is on disk,
# the PIN is the old or the new one, and every object the card calls
# wholly written reads back as written.
#
# TM_CRASH_PASSES passes over all the points: 1 in make check (about 150
# kill points), 7 under make stress (TM_STRESS_LONG=1: over 1,000).
. "$(dirname "$0")/../integration/lib.sh"
PASSES=${TM_CRASH_PASSES:-1}
[ "${TM_STRESS_LONG:-0}" = 1 ] && PASSES=${TM_CRASH_PASSES:-7}
PORT=$("$FREE_PORT")
IMG=$WORK/card.img
EVENTS="command write sync saved answer"

hex() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }
lc() { printf '%02X' "$((${#1} / 2))"; }
rand_hex() { od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n' | tr a-f A-F; }

declare -A at
points=0 litter=0 unswept=0 torn_left=0 bad_image=0 counter_up=0 free_try=0 pin_lost=0 half_written=0 hung=0 wrong_answered=0
# kill_at SPEC: the APDUs on stdin to an emulator armed with --stop-at
# SPEC, killed -9 where it stopped.  Returns 0 when it stopped there, 1
# when the session ended first (no such point).  Answers: $WORK/crash.out.
kill_at() {
	"$EMU" "${CRASH_EMU[@]}" --stop-at "$1" --listen "$PORT" >>"$WORK/emu.log" 2>&1 &
	local pid=$! client reached=1 n=0
	# (<&0: a background job of a script reads /dev/null otherwise.)
	"$VPCD_CLIENT" "$PORT" >"$WORK/crash.out" 2>&1 <&0 &
	client=$!
	while :; do
		[ "$(proc_state $pid)" = T ] && { reached=0; break; }
		if ! kill -0 "$client" 2>/dev/null; then
			# Every point of the session comes before its last answer.
			[ "$(proc_state $pid)" = T ] && reached=0
			break
		fi
		n=$((n + 1))
		# Only a hang gets here: neither stopped nor done in 5 minutes.
		[ "$n" -lt 60000 ] || { hung=$((hung + 1)); break; }
		sleep 0.005
	done
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	wait "$client" 2>/dev/null
	if [ "$reached" = 0 ]; then
		points=$((points + 1))
		at[${1%:*}]=$((${at[${1%:*}]:-0} + 1))
	fi
	# A temporary image of the killed process is litter, never the card;
	# the next emulator to open the card removes it, and any left by an
	# earlier kill is gone by now.
	[ -e "$IMG.tmp.$pid" ] && litter=$((litter + 1))
	ls "$IMG".tmp.* 2>/dev/null | grep -qv "\.tmp\.$pid\$" && unswept=$((unswept + 1))
	return $reached
}

last_sw() { tail -n1 "$WORK/session.out" | grep -Eo '.{4}$'; }

# every_point CHECK: the session printed by $SESSION (a command) killed at
# each of its points in turn, CHECK run after each kill.  Command and
# answer points stop before the session's last APDU, a harmless SELECT:
# past it the client is gone and a stop could not be told from the end.
every_point() {
	local check=$1 e k apdus
	apdus=$($SESSION | wc -l)
	for e in $EVENTS; do
		for ((k = 1; ; k++)); do
			case $e in command | answer) [ "$k" -lt "$apdus" ] || break ;; esac
			before_point
			kill_at "$e:$k" < <($SESSION) || break
			inspect >/dev/null 2>&1 || { bad_image=$((bad_image + 1)); fresh_card; continue; }
			$check
		done
	done
}

# --- The Tumar applet (the test model with every capability) ----------
T_SELECT=00A4040007F054554D41520100
t_verify() { local h; h=$(hex "$1"); echo "00200081$(lc "$h")$h"; }
t_change() { local h; h=$(hex "$1$2"); echo "00240081$(lc "$h")$h"; }
T_PIN_A=1234567890 T_PIN_B=Changed99 T_SO=00000000

t_current_pin() {
	local p
	for p in "$T_PIN_A" "$T_PIN_B"; do
		printf '%s\n' $T_SELECT "$(t_verify "$p")" | run_session
		[ "$(last_sw)" = 9000 ] && { echo "$p"; return 0; }
	done
	return 1
}
fresh_card() {
	rm -f "$IMG"
	printf '%s\n' "${FRESH_SELECT:-$T_SELECT}" | run_session
	pin=$FRESH_PIN
}
t_before() {
	# Room for the next write, and tries to spend.
	local free tries
	free=$(field free) tries=$(field user_tries)
	if [ "${free:-0}" -lt 8000 ]; then
		fresh_card
	elif [ "${tries:-0}" -lt 4 ]; then
		local h
		h=$(hex "$T_SO$pin")
		printf '%s\n' $T_SELECT "002C0081$(lc "$h")$h" | run_session
	fi
	tries_before=$(field user_tries)
}

t_wrong_session() { echo $T_SELECT; for _ in 1 2 3; do t_verify 00000000; done; echo $T_SELECT; }
tries_checked() {
	local after answered
	after=$(field user_tries)
	answered=$(grep -c '^63C' "$WORK/crash.out")
	[ "$after" -le "$tries_before" ] || counter_up=$((counter_up + 1))
	[ $((tries_before - after)) -ge "$answered" ] || free_try=$((free_try + 1))
	wrong_answered=$((wrong_answered + answered))
}

t_change_session() { echo $T_SELECT; t_change "$pin" "$(t_next)"; echo $T_SELECT; }
t_next() { [ "$pin" = "$T_PIN_A" ] && echo "$T_PIN_B" || echo "$T_PIN_A"; }
t_pin_checked() {
	local got
	if got=$(t_current_pin); then pin=$got; else pin_lost=$((pin_lost + 1)); fresh_card; fi
}

t_keygen_session() {
	echo $T_SELECT; t_verify "$pin"
	echo 004600000E E20CC70101C8020400C50101C400 00; echo $T_SELECT
}
t_import_session() {
	echo $T_SELECT; t_verify "$pin"
	echo 80D8000031E22FC70102C8020100C501017F48228720"01$(rand_hex 31)"00; echo $T_SELECT
}
DATA=$(rand_hex 16)
# On a fresh card (before_point) the object CREATE makes is 0001.
t_object_session() {
	echo $T_SELECT; t_verify "$pin"
	echo 00E0000011620F80020010A509C10102C20102C4014400
	echo "00D7000116540200005310$DATA"; echo $T_SELECT
}
t_object_checked() {
	# Each data object is either not wholly written (the card marks it
	# incomplete, the module never shows it) or reads back as written.
	local ref
	inspect | grep -Eq '^object [0-9A-F]+ data .* size=16 written=([0-9]|1[0-5]) ' &&
		torn_left=$((torn_left + 1))
	for ref in $(inspect | sed -n 's/^object \([0-9A-F]*\) data .* size=16 written=16.*/\1/p'); do
		printf '%s\n' $T_SELECT "00B1${ref}045402000010" | run_session
		grep -q "^${DATA}9000$" "$WORK/session.out" || half_written=$((half_written + 1))
	done
}
# A key pair is made whole or not at all: as many private keys as public.
t_keys_checked() {
	local listing
	listing=$(inspect)
	[ "$(grep -c '^object [0-9A-F]* private-key' <<<"$listing")" = \
		"$(grep -c '^object [0-9A-F]* public-key' <<<"$listing")" ] || half_written=$((half_written + 1))
}
nothing() { :; }

CRASH_EMU=(--profile-file "$TM_SRCDIR/tests/data/tumar-full.profile" --card "$IMG")
check "--stop-at refuses what is not EVENT:N (N from 1)" bash -c '
	for bad in write write:0 write:-1 write:1x foo:1 :1; do
		"$0" --model kaztoken --stop-at "$bad" --version >/dev/null 2>&1; [ $? = 1 ] || exit 1
	done' "$EMU"
FRESH_PIN=$T_PIN_A
fresh_card
[ "$(last_sw)" = 9000 ] || { not_ok "the Tumar emulator answers over --listen"; tap_done; exit 1; }
t0=$points
for pass in $(seq 1 "$PASSES"); do
	fresh_card
	before_point() { t_before; }
	SESSION=t_wrong_session every_point tries_checked
	SESSION=t_change_session every_point t_pin_checked
	SESSION=t_keygen_session every_point t_keys_checked
	SESSION=t_import_session every_point nothing
	before_point() { fresh_card; }
	SESSION=t_object_session every_point t_object_checked
done
tumar_points=$((points - t0))

# --- LASER (JaCarta PKI) ----------------------------------------------
L_SELECT=00A4040C0CA0000001644C41534552000100
L_USER=80A4080C043F00002000
L_SOPIN=80A4080C043F00001000
l_verify() { local h; h=$(hex "$1"); echo "00200000$(lc "$h")$h"; }
L_PIN=1234567890 L_SO=00000000
# A 1024-bit private KO 0041 (the factory's template ACLs), GENERATE into
# it, then gone again; an attribute-sized EF 0601 written and deleted.
L_KO=00E008002662248A010483020041800200808505050C2000A3860E0000002000FF00000020002000207100
L_GEN=004700000BAC0980010681810301000100
L_EF=00E001001762158A0104830206018002002086080000000000FF0000
L_UPDATE=00D6000020$(printf '%064d' 0 | tr 0 A)
l_before() {
	if [ "$(field user_tries || echo 0)" -lt 5 ]; then
		printf '%s\n' $L_SELECT $L_SOPIN "$(l_verify $L_SO)" $L_USER 802C0000 | run_session
	fi
	tries_before=$(field user_tries)
}
l_wrong_session() {
	echo $L_SELECT; echo $L_USER; for _ in 1 2 3; do l_verify 0000000000; done; echo $L_SELECT
}
l_keygen_session() {
	echo $L_SELECT; echo $L_USER; l_verify "$L_PIN"; echo 80A4080C063F003000300200
	echo $L_KO; echo $L_GEN; echo 80A4080C083F0030003002004100; echo 00E40000; echo $L_SELECT
}
l_file_session() {
	echo $L_SELECT; echo $L_USER; l_verify "$L_PIN"; echo 80A4080C063F003000300100
	echo $L_EF; echo $L_UPDATE; echo 80A4080C083F0030003001060100; echo 00E40000; echo $L_SELECT
}
# A kill can leave KO 0041 or EF 0601 behind; the next session's CREATE
# then answers 6A89 and goes on, which still gives its points.
CRASH_EMU=(--model jacarta-pki --card "$IMG")
FRESH_SELECT=$L_SELECT FRESH_PIN=$L_PIN
fresh_card
[ "$(last_sw)" = 9000 ] || { not_ok "the LASER emulator answers over --listen"; tap_done; exit 1; }
l0=$points
for pass in $(seq 1 "$PASSES"); do
	fresh_card
	before_point() { l_before; }
	SESSION=l_wrong_session every_point tries_checked
	SESSION=l_keygen_session every_point nothing
	SESSION=l_file_session every_point nothing
done
laser_points=$((points - l0))

echo "# $points kill points: $tumar_points on the Tumar applet, $laser_points on LASER"
echo "# by event: $(for e in $EVENTS; do printf '%s %s, ' "$e" "${at[$e]:-0}"; done)"
echo "# $wrong_answered wrong tries answered before a kill; $torn_left kills left an object not wholly written"
check "kill points on the Tumar applet ($tumar_points) and on LASER ($laser_points)" \
	test "$tumar_points" -gt 0 -a "$laser_points" -gt 0
check "no session hung (neither stopped nor done)" test "$hung" = 0
check "after every kill the card image loads" test "$bad_image" = 0
check "a retry counter never rose across a wrong try" test "$counter_up" = 0
check "no wrong try was answered without being on disk first" test "$free_try" = 0
check "kills at answer points came after answered wrong tries ($wrong_answered)" test "$wrong_answered" -gt 0
check "the PIN was always the old or the new one" test "$pin_lost" = 0
check "no object the card calls written reads back otherwise" test "$half_written" = 0
printf '%s\n' $L_SELECT | run_session
check "kills left temporary images ($litter); the next start removed each" \
	test "$litter" -gt 0 -a "$unswept" = 0 -a -z "$(ls "$IMG".tmp.* 2>/dev/null)"
tap_done
