#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# tumar-trace on what a real token's user has — pcscd's APDU log (pcscd -a)
# — with its PINs masked, and replay: a trace from tumar-emu sent again to
# the card, differences reported (GET CHALLENGE must differ).
. "$(dirname "$0")/lib.sh"
private_pcscd_namespace "$@"
TRACE_TOOL=$TM_BUILDDIR/tools/tumar-trace
PCSCD_ARGS=-a start_pcscd || { not_ok "pcscd starts"; tap_done; exit 1; }
start_emu kaztoken kaztoken --trace "$WORK/emu.trace" || { not_ok "card present"; tap_done; exit 1; }
apdu 00A4040007F054554D41520100 00CA00A500 0020008108313233343536373800 0084000008 >/dev/null
sleep 0.3 # pcscd writes its log as it goes

out=$("$TRACE_TOOL" decode "$WORK/pcscd.log" 2>&1)
check "pcscd log: the commands named" \
	bash -c 'grep -q "SELECT (by AID, first or only, FCI)" <<<"$1" && grep -q "GET DATA (card information)" <<<"$1"' _ "$out"
check "pcscd log: the PIN is in pcscd's log in clear..." grep -q "31 32 33 34 35 36 37 38" "$WORK/pcscd.log"
check "...and masked by tumar-trace" \
	bash -c 'grep -q "VERIFY (user PIN)" <<<"$1" && grep -q "8 bytes, secret (masked)" <<<"$1" &&
		! grep -q 3132333435363738 <<<"$1"' _ "$out"
check "pcscd log: decode --json, masked too" \
	bash -c 'out=$("$0" --json decode "$1") && grep -q "\"secret_bytes\":8" <<<"$out" &&
		! grep -q 3132333435363738 <<<"$out" && grep -q "^{\"exchanges\":\[" <<<"$out"' \
	"$TRACE_TOOL" "$WORK/pcscd.log"
check "pcscd log: stats" bash -c '"$0" stats "$1" | grep -Eq "^VERIFY +1 "' "$TRACE_TOOL" "$WORK/pcscd.log"
check "colour only when asked (or on a terminal)" \
	bash -c '"$0" --color=always decode "$1" | grep -q $'"'"'\033\[1m'"'"' &&
		! "$0" decode "$1" | grep -q $'"'"'\033'"'"'' "$TRACE_TOOL" "$WORK/pcscd.log"
check "--color=sometimes is a usage error" bash -c '"$0" --color=sometimes decode "$1"; [ $? -eq 2 ]' \
	"$TRACE_TOOL" "$WORK/pcscd.log"

# A copy: the card's trace grows with each replay.
cp "$WORK/emu.trace" "$WORK/recorded.trace"
# The trace was recorded from power-on: --reset starts the card there.
out=$("$TRACE_TOOL" replay "$WORK/recorded.trace" --reader "$READER" --reset 2>&1) && rc=0 || rc=$?
# The trace also holds opensc-tool's own probing (SELECTs of other
# applets): all of it must answer the same.
check "replay: all answer as in the trace but GET CHALLENGE (exit 1)" \
	bash -c '[ $0 -eq 1 ] && grep -q "GET CHALLENGE *differs" <<<"$1" &&
		grep -Eq "^[0-9]+ sent: [0-9]+ same, 1 differ, 0 failed; 1 skipped" <<<"$1"' "$rc" "$out"
check "replay: the PIN commands are skipped, not sent" grep -q "VERIFY *skipped" <<<"$out"
check "replay --json" \
	bash -c 'out=$("$0" --json replay "$1" --reader "$2" --reset); grep -q "\"differ\":1" <<<"$out"' \
	"$TRACE_TOOL" "$WORK/recorded.trace" "$READER"
# Without --reset the card is where the last replay left it: the applet
# selected, so what the trace has OpenSC probe with nothing selected
# answers otherwise.
check "replay without --reset: the card's state shows" \
	bash -c 'out=$("$0" replay "$1" --reader "$2"); grep -q "GET DATA *differs: trace 6D00" <<<"$out"' \
	"$TRACE_TOOL" "$WORK/recorded.trace" "$READER"
# With the user PIN on a descriptor, the VERIFY is sent too: the session
# replays past its login.
out=$("$TRACE_TOOL" replay "$WORK/recorded.trace" --reader "$READER" --reset --pin-fd 3 3<<<12345678 2>&1)
check "replay --pin-fd: the VERIFY is sent with the PIN, nothing skipped" \
	bash -c 'grep -Eq "^[0-9]+ sent: [0-9]+ same, 1 differ, 0 failed; 0 skipped" <<<"$1" &&
		! grep -q 12345678 <<<"$1"' _ "$out"
out=$("$TRACE_TOOL" replay "$WORK/recorded.trace" --reader "$READER" --reset --pin-fd 3 3<<<1234 2>&1)
check "replay --pin-fd with a PIN of another length: that VERIFY skipped, saying why" \
	grep -q "VERIFY *skipped (the PIN from --pin-fd has 4 bytes, this VERIFY 8)" <<<"$out"
# pcsc-spy's output, of the same replay: pcsc-lite's spy library sits in
# front of tumar-trace's PC/SC calls and writes them to a FIFO that
# pcsc-spy reads.  The PIN passes in clear there too.
SPY_LIB=$(ls /usr/lib/*/libpcscspy.so.0 2>/dev/null | head -n1)
if command -v pcsc-spy >/dev/null && [ -n "$SPY_LIB" ]; then
	mkdir -p "$WORK/spyhome" && mkfifo "$WORK/spyhome/pcsc-spy"
	PYTHONUNBUFFERED=1 pcsc-spy -n "$WORK/spyhome/pcsc-spy" >"$WORK/spy.log" 2>&1 &
	SPY_PID=$!
	PIDS+=("$SPY_PID")
	HOME=$WORK/spyhome LD_PRELOAD=$SPY_LIB ASAN_OPTIONS=verify_asan_link_order=0:detect_leaks=0 \
		"$TRACE_TOOL" replay "$WORK/recorded.trace" --reader "$READER" --reset --pin-fd 3 \
		3<<<12345678 >/dev/null 2>&1
	# pcsc-spy ends when the spied program has closed the FIFO.
	wait_for 100 bash -c '! kill -0 "$1"' _ "$SPY_PID"
	spy=$("$TRACE_TOOL" decode "$WORK/spy.log" 2>&1)
	check "pcsc-spy: the PIN is in its output in clear..." grep -q "31 32 33 34 35 36 37 38" "$WORK/spy.log"
	check "...and tumar-trace reads its transmits, the reader named, the PIN masked, 61xx joined" \
		bash -c 'grep -q "AID: F054554D415201 (Tumar applet)" <<<"$1" && grep -q "^#0 $2 " <<<"$1" &&
			grep -q "VERIFY (user PIN)" <<<"$1" && grep -q "8 bytes, secret (masked)" <<<"$1" &&
			! grep -q 3132333435363738 <<<"$1" && ! grep -q "31 32 33 34 35 36 37 38" <<<"$1" &&
			grep -q "^  > 00 84 00 00  GET CHALLENGE" <<<"$1"' _ "$spy" "$READER"
	check "pcsc-spy: the durations are the calls' own" \
		bash -c '"$0" --json decode "$1" | python3 -c "
import json, sys
ex = json.load(sys.stdin)[\"exchanges\"]
assert len(ex) >= 4 and all(e[\"duration_us\"] > 0 for e in ex), ex
"' "$TRACE_TOOL" "$WORK/spy.log"
else
	not_ok "pcsc-spy and libpcscspy (libpcsclite-dev) are installed"
fi
check "--pin-fd is for replay only, exit 2" \
	bash -c '"$0" decode "$1" --pin-fd 0 </dev/null 2>/dev/null; [ $? -eq 2 ]' "$TRACE_TOOL" "$WORK/emu.trace"
check "replay: no such reader, exit 2" \
	bash -c '"$0" replay "$1" --reader "No reader" 2>/dev/null; [ $? -eq 2 ]' "$TRACE_TOOL" "$WORK/emu.trace"
check "replay without --reader, exit 2" \
	bash -c '"$0" replay "$1" 2>/dev/null; [ $? -eq 2 ]' "$TRACE_TOOL" "$WORK/emu.trace"
# OpenSC's debug log, as a user of OpenSC's tools or module has it: the
# same commands, named, the reader known, the PIN (in clear in the log)
# masked.
OPENSC_DEBUG=9 opensc-tool -r 0 -s 00A4040007F054554D41520100 -s 00CA00A504 \
	-s 0020008108313233343536373800 >/dev/null 2>"$WORK/opensc.log"
osc=$("$TRACE_TOOL" decode "$WORK/opensc.log" 2>&1)
check "OpenSC log: the PIN is in it in clear..." grep -q "31 32 33 34 35 36 37 38" "$WORK/opensc.log"
check "...and tumar-trace reads its APDUs, the reader named, the PIN masked" \
	bash -c 'grep -q "AID: F054554D415201 (Tumar applet)" <<<"$1" && grep -q "^#[0-9]* $2 " <<<"$1" &&
		grep -q "VERIFY (user PIN)" <<<"$1" && grep -q "8 bytes, secret (masked)" <<<"$1" &&
		! grep -q 3132333435363738 <<<"$1" && ! grep -q "31 32 33 34 35 36 37 38" <<<"$1"' _ "$osc" "$READER"
check "OpenSC log: its GET DATA with 61xx and GET RESPONSE joined" \
	bash -c 'sed -n "/GET DATA (card information)/,/^$/p" <<<"$1" | grep -q "C1 (model key).*\"kaztoken\""' _ "$osc"

stop_emu
tap_done
