#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# make bench's script, with few samples: it runs, prints every figure
# and the targets, and writes its JSON.  No time is asserted here (the
# benchmark reports times; docs/performance.md explains them); the APDU
# counts it prints are the ones the unit tests assert.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || skip_all "needs root for a private pcscd (unshare --mount)"
[ -f /usr/lib/softhsm/libsofthsm2.so ] || skip_all "softhsm2 is not installed"
command -v unshare >/dev/null || skip_all "unshare is not installed"
out=$(TM_BENCH_ARGS=--quick TM_BENCH_JSON=$WORK/bench.json bash "$TM_SRCDIR/scripts/bench.sh" 2>&1) && rc=0 || rc=$?
check "bench.sh runs to the end" bash -c '[ $0 -eq 0 ] || { echo "$1" | tail -20; false; }' "$rc" "$out"
for row in "GET CHALLENGE via PC/SC: card" "echo card (floor)" "C_Initialize -> C_Login" \
	"C_Sign RSA-2048 SHA256_RSA_PKCS" "C_SignInit/Update/Final" "C_Sign ECDSA P-256" \
	"2 tokens x 2 threads" "C_GenerateKeyPair RSA-2048" "OpenSSL ECDSA P-256" \
	"C_Sign GOST-512 (CKM_GOSTR3410_512)" "C_GenerateKeyPair GOST-512" \
	"gost-engine GOST-512 sign (reference)"; do
	check "a figure for $row" grep -qF "$row" <<<"$out"
done
check "the APDU counts: steady-state C_Sign 1, cached calls 0" \
	bash -c 'grep -Eq "^APDUs: steady-state C_Sign +1 " <<<"$0" &&
		grep -Eq "^APDUs: 70 x C_GetMechanismInfo +0 " <<<"$0"' "$out"
main=$(sed '/^tumar-bench: JaCarta PKI over LASER/,$d' <<<"$out")
laser=$(sed -n '/^tumar-bench: JaCarta PKI over LASER/,$p' <<<"$out")
check "every target has a verdict" \
	bash -c '[ $(grep -cE " (met|MISSED|not measured)$" <<<"$0") -eq 9 ]' "$main"
check "the GOST-512 target: C_Sign against the floor and gost-engine" \
	grep -qE "^GOST-512 C_Sign / \(floor round trip \+ gost-engine's signature\) .* (met|MISSED)$" <<<"$main"
check "LASER vs the Tumar applet: a C_Sign RSA-2048 figure with its ratio" \
	grep -qF "C_Sign RSA-2048 SHA256_RSA_PKCS" <<<"$laser"
check "LASER: steady-state C_Sign is 1 APDU" grep -Eq "^APDUs: steady-state C_Sign +1 " <<<"$laser"
check "the LASER JSON names both" bash -c 'grep -q "\"a\":\"laser\"" "$0" &&
	grep -q "\"b\":\"tumar-applet\"" "$0"' "$WORK/bench-laser.json"
check "the JSON has the figures and the targets" \
	bash -c 'grep -q "\"figures\":\[" "$0" && grep -q "\"targets\":\[" "$0" &&
		grep -q "\"b\":\"softhsm2\"" "$0"' "$WORK/bench.json"
tap_done
