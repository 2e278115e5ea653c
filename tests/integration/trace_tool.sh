#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# tumar-trace on a real trace from tumar-emu: commands named, secrets
# masked, TLV trees drawn, statistics counted; broken and foreign files
# give a clear error, never a crash.
. "$(dirname "$0")/lib.sh"
TRACE_TOOL=$TM_BUILDDIR/tools/tumar-trace
PORT=$("$FREE_PORT")
"$EMU" --model kaztoken --card "$WORK/card.img" --listen "$PORT" --trace "$WORK/t.log" >/dev/null 2>&1 &
PIDS+=($!)
"$VPCD_CLIENT" "$PORT" >/dev/null <<EOA
00A4040007F054554D41520100
0020008108 3132333435363738
00CA00E100
0020008108 3030303030303030
0020008108 3132333435363738
00E0000011620F80020006A509C10102C20101C4014400
00D700010C540200005306534543524554
00B10001045402000000
00CA00E100
EOA
out=$("$TRACE_TOOL" decode "$WORK/t.log" 2>&1)
# --listen PORT binds 127.0.0.1 only: the link has no authentication.
check "--listen PORT listens on 127.0.0.1" listening "$PORT"
check "... and not on every interface" bash -c '
	p=$(printf %04X "$1")
	! grep -qiE "^ *[0-9]+: 0{8}:$p 0{8}:0000 0A " /proc/net/tcp &&
	! grep -qiE "^ *[0-9]+: 0{32}:$p 0{32}:0000 0A " /proc/net/tcp6' _ "$PORT"
check "decode names the commands" \
	bash -c 'grep -q "SELECT (by AID)" <<<"$1" && grep -q "GET DATA (object directory)" <<<"$1"' _ "$out"
check "decode draws the FCI as a TLV tree" bash -c 'grep -Eq "^ +84: F054554D415201" <<<"$1"' _ "$out"
check "decode explains status words" grep -q "63C9 COUNTER: .*9 tries left" <<<"$out"
check "a PIN is masked, never shown" \
	bash -c 'grep -q "8 bytes, secret" <<<"$1" && ! grep -q 3132333435363738 <<<"$1"' _ "$out"
check "a private object's value, written and read, is its length only" \
	bash -c 'grep -q "data: 6 bytes, private (masked)" <<<"$1" &&
		 grep -q "data: 12 bytes, secret" <<<"$1" && ! grep -qi 534543524554 "$2"' _ "$out" "$WORK/t.log"
check "the directory with a private object in it is its length only" \
	grep -Eq " p 00CA00E1[0-9A-F]* \*[0-9]+:9000" "$WORK/t.log"
check "the emulator's trace is created 0600" test "$(stat -c %a "$WORK/t.log")" = 600
stats=$("$TRACE_TOOL" stats "$WORK/t.log" 2>&1)
check "stats counts APDUs per command" bash -c 'grep -Eq "^VERIFY +3 " <<<"$1" && grep -Eq "^total +9 " <<<"$1"' _ "$stats"
printf 'TM1 0 2026-11-21T03:23:00.000000Z 1 - - 00A4 9000\nnot a trace line\n' >"$WORK/bad.log"
"$TRACE_TOOL" decode "$WORK/bad.log" >"$WORK/bad.out" 2>&1
check "a broken trace line: exit 1 and its line number" \
	bash -c '[ $1 -eq 1 ] && grep -q "bad.log:1: not a valid trace line" "$2"' _ $? "$WORK/bad.out"
head -c 4096 /dev/urandom >"$WORK/random.bin"
"$TRACE_TOOL" decode "$WORK/random.bin" >/dev/null 2>&1
rc=$?
check "random bytes: no crash (exit 1: broken lines, or 3: no APDUs)" bash -c '[ "$1" = 1 ] || [ "$1" = 3 ]' _ $rc
printf 'hello\nthis is not a trace\n' >"$WORK/none.log"
for verb in decode stats; do
	"$TRACE_TOOL" $verb "$WORK/none.log" >/dev/null 2>"$WORK/none.err"
	check "$verb: an input with no APDUs says so and exits 3" \
		bash -c '[ "$1" = 3 ] && grep -q "none.log: no APDUs in it (2 lines)" "$2"' _ $? "$WORK/none.err"
done
"$TRACE_TOOL" --json decode - </dev/null >/dev/null 2>"$WORK/none.err"
check "an empty standard input: exit 3 as well" bash -c '[ "$1" = 3 ] && grep -q "no APDUs" "$2"' _ $? "$WORK/none.err"
"$TRACE_TOOL" decode "$WORK/no-such-file" >/dev/null 2>&1
check "a missing file: exit 2" test $? -eq 2
check "--help reads well" bash -c '"$1" --help | grep -q "decode FILE"' _ "$TRACE_TOOL"
tap_done
