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
00CA00A504
00C0000000
10E0000008620F80020006A509
00E0000009C10102C20101C4014400
EOA
out=$("$TRACE_TOOL" decode "$WORK/t.log" 2>&1)
# --listen PORT binds 127.0.0.1 only: the link has no authentication.
check "--listen PORT listens on 127.0.0.1" listening "$PORT"
check "... and not on every interface" bash -c '
	p=$(printf %04X "$1")
	! grep -qiE "^ *[0-9]+: 0{8}:$p 0{8}:0000 0A " /proc/net/tcp &&
	! grep -qiE "^ *[0-9]+: 0{32}:$p 0{32}:0000 0A " /proc/net/tcp6' _ "$PORT"
check "decode names the commands" \
	bash -c 'grep -q "SELECT (by AID, first or only, FCI)" <<<"$1" && grep -q "GET DATA (object directory)" <<<"$1"' _ "$out"
check "decode names the AID" grep -q "AID: F054554D415201 (Tumar applet)" <<<"$out"
check "decode draws the FCI as a TLV tree, the Tumar applet's tags named, text beside" \
	bash -c 'grep -Eq "^ +84 \(AID\): F054554D415201$" <<<"$1" &&
		grep -Eq "^ +C1 \(model key\): 6B617A746F6B656E  \"kaztoken\"$" <<<"$1" &&
		grep -Eq "^ +C1 \(tries left\): 0[0-9A]$" <<<"$1"' _ "$out"
# GET DATA with Le 4 is answered 4 bytes and 61xx; the GET RESPONSE
# brings the rest: one exchange, the whole card information.
check "61xx and its GET RESPONSE decode as one exchange" \
	bash -c 'grep -q "^  > 00 CA 00 A5  GET DATA (card information)" <<<"$1" &&
		grep -q "(joined: 1 more APDU, #9 to #10" <<<"$1" &&
		sed -n "/#9 /,/^$/p" <<<"$1" | grep -q "C9 (manufacturer).*\"Kaztoken LLP\"" &&
		! grep -q "^  > 00 C0 " <<<"$1"' _ "$out"
check "a chained CREATE FILE decodes as one command, its FCP whole" \
	bash -c 'sed -n "/#11 /,/^$/p" <<<"$1" >"$2/chain.out"
		grep -q "CREATE FILE" "$2/chain.out" && grep -q "joined: 1 more APDU, #11 to #12" "$2/chain.out" &&
		grep -q "data: 17 bytes" "$2/chain.out" && grep -Eq "^ +C1 \(class\): 02$" "$2/chain.out" &&
		! grep -q "chained: more of this command" "$2/chain.out"' _ "$out" "$WORK"
raw=$("$TRACE_TOOL" --raw decode "$WORK/t.log" 2>&1)
check "--raw shows each APDU: the GET RESPONSE, and the chain's first piece as chained" \
	bash -c 'grep -q "GET RESPONSE" <<<"$1" && grep -q "chained: more of this command follows" <<<"$1" &&
		[ "$(grep -c "^#" <<<"$1")" = 13 ]' _ "$raw"
check "durations are measured in microseconds (not all whole milliseconds, some not 0)" \
	awk '$1 == "TM1" { n++; if ($4 % 1000) frac++; if ($4 > 0) pos++ }
		END { exit !(n >= 13 && frac > 0 && pos > 0) }' "$WORK/t.log"
# Two programs appending to one TUMAR_TRACE file: numbering runs on.
cat "$WORK/t.log" "$WORK/t.log" >"$WORK/two.log"
two=$("$TRACE_TOOL" decode "$WORK/two.log" 2>&1)
check "a second process's trace: a separator, and numbers that run on" \
	bash -c 'grep -q "^--- process 2: its own numbers start again ---" <<<"$1" &&
		grep -q "^#13 (process 2, seq 0) " <<<"$1" && ! grep -q "^#0 (process" <<<"$1"' _ "$two"
check "decode --json: the TLV tree, names and text, and the process" \
	bash -c '"$0" --json decode "$1" | python3 -c "
import json, sys
ex = json.load(sys.stdin)[\"exchanges\"]
gd = [e for e in ex if e[\"command\"][\"p1p2\"] == \"card information\"][0]
assert gd[\"joined\"] == 1 and gd[\"process\"] == 1, gd
a5 = gd[\"response\"][\"tlv\"][0]
assert a5[\"tag\"] == \"A5\" and a5[\"name\"] == \"card information\", a5
c1 = [c for c in a5[\"children\"] if c[\"tag\"] == \"C1\"][0]
assert c1 == {\"tag\": \"C1\", \"name\": \"model key\", \"value\": \"6B617A746F6B656E\", \"text\": \"kaztoken\"}, c1
sel = ex[0][\"command\"]
assert sel[\"aid_name\"] == \"Tumar applet\", sel
"' "$TRACE_TOOL" "$WORK/t.log"
# A signature command as a PKCS#1 v1.5 signer sends it: the DigestInfo
# (SHA-256) inside is named.
di=3031300D060960864801650304020105000420$(printf '%064d' 0 | tr 0 A)
printf 'TM1 0 2026-12-03T10:00:00.000000Z 1200 - - 002A9E9A33%s00 9000\n' "$di" >"$WORK/pso.log"
check "the DigestInfo inside a PSO: its hash named, its digest shown" \
	bash -c '"$0" decode "$1" | grep -q "DigestInfo: SHA256 (2.16.840.1.101.3.4.2.1), digest 32 bytes: A\{64\}"' \
	"$TRACE_TOOL" "$WORK/pso.log"
check "data that is no TLV: 16 bytes a line with the printable ones beside" \
	bash -c 'printf "TM1 0 2026-12-03T10:00:00.000000Z 1 - - 00D6000014%s 9000\n" \
		"48656C6C6F2C20546F6B656E212000FF0102030405" >"$1/dump.log"
		"$0" decode "$1/dump.log" | grep -Fq "0000  48 65 6C 6C 6F 2C 20 54 6F 6B 65 6E 21 20 00 FF  |Hello, Token! ..|"' \
	"$TRACE_TOOL" "$WORK"
check "a binary file that starts with 00 (LASER's cardcf): bytes, not TLVs made of its padding" \
	bash -c 'printf "TM1 0 2026-12-03T10:00:00.000000Z 1 - - 00B0000008 00060003010001009000\n" >"$1/cf.log"
		"$0" decode "$1/cf.log" | grep -Fq "0000  00 06 00 03 01 00 01 00 "' \
	"$TRACE_TOOL" "$WORK"
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
check "stats counts APDUs per command (each APDU, none joined)" \
	bash -c 'grep -Eq "^VERIFY +3 " <<<"$1" && grep -Eq "^GET RESPONSE +1 " <<<"$1" && grep -Eq "^total +13 " <<<"$1"' _ "$stats"
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
