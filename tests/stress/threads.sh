#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Threads at scale through the real stack: 8 threads, each in its own
# session, sign over one token and over two (a Kaztoken and a JaCarta PKI
# over LASER), every signature verified with OpenSSL (p11-client threads).
# The same runs under ThreadSanitizer through the in-process cards in
# tests/unit/test_p11_threads (CI's thread build).
#
# TM_THREAD_SIGNATURES a thread: 50 in make check, 1,000 under make stress.
. "$(dirname "$0")/../integration/lib.sh"
private_pcscd_namespace "$@"
module_stack
COUNT=${TM_THREAD_SIGNATURES:-50}
[ "${TM_STRESS_LONG:-0}" = 1 ] && COUNT=${TM_THREAD_SIGNATURES:-1000}
CLIENT=$TM_BUILDDIR/tests/integration/p11-client
# p11-client is built like the module and carries its own sanitizer runtime.
client() { "$CLIENT" "$MODULE" "$@"; }

start_emu first kaztoken || { not_ok "first token present"; tap_done; exit 1; }
"$EMU" --model jacarta-pki --card "$WORK/second.img" --vpcd "localhost:$((PORT + 1))" \
	>"$WORK/second.log" 2>&1 &
PIDS+=($!)
wait_for 100 bash -c 'opensc-tool -l 2>/dev/null | grep -Eq "^1 +Yes"' || not_ok "second token present"
p11 --slot 0 --change-pin --pin 12345678 --new-pin Tumar2026 >/dev/null 2>&1
p11 --slot 1 --change-pin --pin 1234567890 --new-pin Tumar2026 >/dev/null 2>&1
check "RSA-2048 key on the Kaztoken" p11 --slot 0 --login --pin Tumar2026 --keypairgen --key-type rsa:2048 --id 01
check "RSA-2048 key on the JaCarta" p11 --slot 1 --login --pin Tumar2026 --keypairgen --key-type rsa:2048 --id 01

total=$((8 * COUNT))
out=$(client Tumar2026 threads 8 "$COUNT" 0 2>&1)
echo "# one token: $out"
check "8 threads x $COUNT signatures on one token, every one verified" \
	grep -q "verified=$total bad=0 failed=0" <<<"$out"
out=$(client Tumar2026 threads 8 "$COUNT" 0 1 2>&1)
echo "# two tokens: $out"
check "8 threads x $COUNT signatures over two tokens, every one verified" \
	grep -q "verified=$total bad=0 failed=0" <<<"$out"
tap_done
