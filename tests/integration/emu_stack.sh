#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# tumar-emu through the real stack: a private pcscd, vsmartcard's vpcd and
# the emulator, driven by independent clients (OpenSC's opensc-tool, and
# pcsc-flow over libpcsclite), signatures checked by OpenSSL's command
# line.  Every model; then removal, faults, traces and a vpcd restart.
. "$(dirname "$0")/lib.sh"
private_pcscd_namespace "$@"
start_pcscd || { not_ok "pcscd starts"; tap_done; exit 1; }

# ATRs as design.md §4 gives them (the pcsc-tools list), not as the
# emulator's table says: an independent source.
declare -A ATR=(
	[kaztoken]="3b:88:01:4b:41:5a:54:4f:4b:45:4e:82"
	[etoken-pro-72k]="3b:d5:18:00:81:31:3a:7d:80:73:c8:21:10:30"
	[jacarta-pki]="3b:dc:18:ff:81:91:fe:1f:c3:80:73:c8:21:13:66:01:06:11:59:00:01:28"
	[akey]="3b:8a:01:54:55:4d:41:52:2d:41:4b:45:59:ef"
	[kz-idcard]="3b:fa:18:00:ff:80:31:fe:45:00:31:80:73:94:41:00:00:90:00:90"
	[tumar-full]="3b:8a:01:54:55:4d:41:52:2d:46:55:4c:4c:ea"
)
declare -A PIN=([kaztoken]=12345678 [etoken-pro-72k]=1234567890 [jacarta-pki]=1234567890
	[akey]=1234567890 [kz-idcard]=135790 [tumar-full]=1234567890)
SELECT=00A4040007F054554D41520100
# JaCarta PKI speaks LASER (jacarta-laser.md): its application, then the
# user PIN's KO 3F00/0020, and VERIFY with P2 00, "the selected KO".
LASER_STATUS="-s 00A4040C0CA0000001644C41534552000100 -s 80A4080C043F00002000 -s 00200000"

sign_and_verify() { # model alg
	local dir=$WORK/$1-$2
	mkdir -p "$dir" && echo "EDS test document for $1" >"$dir/msg"
	"$PCSC_FLOW" "$READER" "${PIN[$1]}" "$dir" "$2" &&
		openssl dgst -sha256 -verify "$dir/pub.pem" -signature "$dir/sig.bin" "$dir/msg"
}

# tumar-full: the Tumar applet's test token, for its EC keys.
for model in kaztoken etoken-pro-72k jacarta-pki akey kz-idcard tumar-full; do
	extra=()
	[ "$model" = kz-idcard ] && extra=(--user-pin "${PIN[$model]}")
	if ! start_emu "$model" "$model" "${extra[@]}"; then
		not_ok "$model: the card appears in the reader"
		continue
	fi
	check "$model: opensc-tool reads the model's ATR" \
		test "$(opensc-tool -r 0 -a 2>&1)" = "${ATR[$model]}"
	status="-s $SELECT -s 00200081"
	[ "$model" = jacarta-pki ] && status=$LASER_STATUS
	check "$model: SELECT, then VERIFY status without a try" \
		bash -c "out=\$(opensc-tool -r 0 $status 2>&1) &&
			 grep -q 'SW1=0x90' <<<\"\$out\" && grep -q 'SW1=0x63, SW2=0xC' <<<\"\$out\""
	# pcsc-flow speaks the Tumar applet; LASER's keys are p11_laser.sh's.
	[ "$model" = jacarta-pki ] ||
		check "$model: on-card RSA-2048 key signs; openssl verifies" sign_and_verify "$model" rsa
	if [ "$model" = tumar-full ]; then
		check "$model: on-card P-256 key signs ECDSA; openssl verifies" \
			sign_and_verify "$model" ec
	fi
	stop_emu
done

# --inspect reads the model from a LASER image too: its file tree, each
# PIN KO's tries, no PIN value.
check "jacarta-pki: --inspect (no --model) lists the files and the user PIN's KO" bash -c '
	out=$("$0" --card "$1/jacarta-pki.img" --inspect) &&
	grep -q "^model=jacarta-pki .*applet=laser" <<<"$out" &&
	grep -q "^file 3F00/0020 ko size=[0-9]* lcs=[0-9A-F]* pin tries_left=10 of 10 factory$" <<<"$out" &&
	grep -q "^file 3F00/3000/C000 ef .*name=\"TokenInfo\"" <<<"$out" && ! grep -q 1234567890 <<<"$out"' \
	"$EMU" "$WORK"
# A fresh emulator for the tester's controls.
start_emu tester kaztoken --trace "$WORK/trace.log"
CTL=("$EMU" ctl "$WORK/tester.ctl")
removed() { "${CTL[@]}" remove >/dev/null && wait_for 50 card_absent; }
inserted() { "${CTL[@]}" insert >/dev/null && wait_for 100 card_present; }
challenge_fault_once() {
	"${CTL[@]}" fault sw 84 6F00 1 >/dev/null || return 1
	local out
	out=$(apdu 0084000008 0084000008)
	grep -q 'SW1=0x6F, SW2=0x00' <<<"$out" && grep -q 'SW1=0x90' <<<"$out"
}
check "status over the control socket" \
	bash -c '"$@" status | grep -q "ok inserted model=kaztoken"' _ "${CTL[@]}"
check "remove: the reader is empty, the emulator still runs" removed
check "insert: the card is back without a restart" inserted
check "fault sw: GET CHALLENGE answers 6F00 once, then 9000" challenge_fault_once
check "a bad control command is refused" bash -c '! "$@" fault sw zz' _ "${CTL[@]}"
# Faults that match INS and P1P2 and start at the Nth such command, and
# say so; status lists what is armed, in words and as JSON.
sws() { grep -o 'SW1=0x[0-9A-F]*, SW2=0x[0-9A-F]*' | tr -d ' ' | tr '\n' ' '; }
nth_fault() {
	"${CTL[@]}" fault sw 84 6A86 p1p2=0000 nth=2 count=1 | grep -qx \
		"ok fault [0-9]* armed: answers 6A86 to INS 84 P1P2 0000, from the 2nd such command from now, once" ||
		return 1
	test "$(apdu 0084000008 0084000008 0084000008 | sws)" = \
		"SW1=0x90,SW2=0x00 SW1=0x6A,SW2=0x86 SW1=0x90,SW2=0x00 "
}
check "fault sw p1p2= nth=: the reply says what is armed; only the 2nd GET CHALLENGE fails" nth_fault
listed_faults() {
	local out
	"${CTL[@]}" fault delay 1 ins=B0 >/dev/null && "${CTL[@]}" fault tear ins=D6 nth=5 >/dev/null &&
		out=$("${CTL[@]}" status) || return 1
	grep -q '^ok inserted .* faults=2$' <<<"$out" &&
		grep -q '^fault [0-9]*: adds 1 ms to INS B0, from the next one, every time$' <<<"$out" &&
		grep -q '^fault [0-9]*: tears power during INS D6, from the 5th such command from now, once$' <<<"$out"
}
check "status lists the armed faults" listed_faults
json_faults() {
	"${CTL[@]}" status --json | sed 's/^ok //' | python3 -c '
import json, sys
s = json.load(sys.stdin)
f = s["faults"]
assert s["model"] == "kaztoken" and s["vpcd"] == "connected" and s["inserted"] is True, s
assert [x["kind"] for x in f] == ["delay", "tear"], f
assert f[0]["ins"] == "B0" and f[0]["delay_ms"] == 1 and f[0]["count"] is None, f
assert f[1]["ins"] == "D6" and f[1]["skip"] == 4 and f[1]["count"] == 1, f'
}
check "status --json: the same faults as JSON" json_faults
clear_one() {
	local id
	id=$("${CTL[@]}" fault list | sed -n 's/^fault \([0-9]*\): tears.*/\1/p')
	[ -n "$id" ] && "${CTL[@]}" fault clear "$id" | grep -qx "ok fault $id cleared" &&
		"${CTL[@]}" fault list | grep -q "^ok 1 fault armed" &&
		"${CTL[@]}" fault clear | grep -qx "ok 1 fault cleared" &&
		"${CTL[@]}" status | grep -q 'faults=0$'
}
check "fault clear ID clears that one; fault clear the rest" clear_one
"$PCSC_FLOW" "$READER" 12345678 "$WORK" rsa >/dev/null 2>&1 </dev/null || true
check "trace: the VERIFY is there, its PIN is not" \
	bash -c "grep -q ' s 00200081\*8 9000' '$WORK/trace.log' &&
		 ! grep -q 3132333435363738 '$WORK/trace.log' && ! grep -q 12345678 '$WORK/trace.log'"
check "trace: every line is a TM1 line" bash -c "! grep -v '^TM1 ' '$WORK/trace.log'"

# A control client that sends a byte every half second and never ends
# its line holds up nothing: the card answers meanwhile, and the client
# is told its request took too long (a bound on the request, not a byte).
"$TM_BUILDDIR/tests/integration/ctl-trickle" "$WORK/tester.ctl" >"$WORK/trickle.out" 2>&1 &
TRICKLE=$!
PIDS+=("$TRICKLE")
wait_for 100 grep -q connected "$WORK/trickle.out"
check "the card answers while a slow control client trickles" \
	bash -c "opensc-tool -r 0 -s $SELECT -s 0084000008 2>&1 | grep -c 'SW1=0x90' | grep -qx 2"
wait_for 300 bash -c '! kill -0 "$1" 2>/dev/null' _ "$TRICKLE"
check "... and the slow client is told its request took too long" \
	grep -q "took too long" "$WORK/trickle.out"
check "the control socket serves the next client" \
	bash -c '"$@" status | grep -q "ok inserted"' _ "${CTL[@]}"

# Two tokens at once: one process each, on vpcd's second reader too.
"$EMU" --model jacarta-pki --card "$WORK/second.img" --vpcd "localhost:$((PORT + 1))" \
	>"$WORK/second.log" 2>&1 &
PIDS+=($!)
second_present() { opensc-tool -l 2>/dev/null | grep -Eq "^1 +Yes"; }
check "a second token in reader 1, beside the first" wait_for 100 second_present
check "each reader answers with its own model's ATR" bash -c \
	'test "$(opensc-tool -r 1 -a 2>&1)" = "${1}" && test "$(opensc-tool -r 0 -a 2>&1)" = "${2}"' \
	_ "${ATR[jacarta-pki]}" "${ATR[kaztoken]}"

# A third emulator on the first's port: TCP lets it into vpcd's listen
# backlog, but vpcd serves one card per port, so it is not "connected"
# (only vpcd's first frame says a card is in) until the first one goes.
check "the first token: vpcd took it, and status says connected" \
	bash -c '"$@" status | grep -q vpcd=connected && grep -q "vpcd took the card" "$0"' \
	"$WORK/tester.log" "${CTL[@]}"
"$EMU" --model akey --card "$WORK/third.img" --vpcd "localhost:$PORT" --control "$WORK/third.ctl" \
	>"$WORK/third.log" 2>&1 &
THIRD=$!
PIDS+=("$THIRD")
THIRD_CTL=("$EMU" ctl "$WORK/third.ctl")
wait_for 100 bash -c '"$@" status | grep -q vpcd=connecting' _ "${THIRD_CTL[@]}"
check "a token on a port another holds: connecting, never called connected" \
	bash -c '"$@" status | grep -q vpcd=connecting && grep -q "waiting for vpcd to take the card" "$0" &&
		! grep -q "vpcd took the card" "$0" && opensc-tool -r 0 -a | grep -qi "3b:88:01"' \
	"$WORK/third.log" "${THIRD_CTL[@]}"
kill "$THIRD"
wait "$THIRD" 2>/dev/null

# vpcd goes away with pcscd; the emulator reconnects when it is back.
stop_pcscd
wait_for 30 bash -c '"$@" status | grep -q vpcd=waiting' _ "${CTL[@]}"
start_pcscd "$PORT"
check "after pcscd restarts, the emulator reconnects by itself" wait_for 100 card_present
check "and answers" bash -c "opensc-tool -r 0 -s $SELECT | grep -q 'SW1=0x90'"
tap_done
