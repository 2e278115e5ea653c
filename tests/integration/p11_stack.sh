#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# tumar-pkcs11.so as applications use it, through the real stack, on a
# Kaztoken and a JaCarta PKI (LASER) at once: threads signing on one
# token and on two, each card pulled during a signing loop and put back
# and reset by another application, and OpenSSL's pkcs11 engine making a
# CSR that OpenSSL verifies.
. "$(dirname "$0")/lib.sh"
private_pcscd_namespace "$@"
MODULE=$TM_BUILDDIR/driver/.libs/tumar-pkcs11.so
CLIENT=$TM_BUILDDIR/tests/integration/p11-client
[ -f "$MODULE" ] || { not_ok "the module is built"; tap_done; exit 1; }
start_pcscd || { not_ok "pcscd starts"; tap_done; exit 1; }
SAN_ENV=$(sanitizer_env "$MODULE")
p11() { env $SAN_ENV pkcs11-tool --module "$MODULE" "$@"; }
# p11-client is built like the module (instrumented in a sanitizer
# build): it carries its own runtime and needs no preload.
client() { "$CLIENT" "$MODULE" "$@"; }

start_emu first kaztoken || { not_ok "first token present"; tap_done; exit 1; }
"$EMU" --model jacarta-pki --card "$WORK/second.img" --vpcd "localhost:$((PORT + 1))" \
	--control "$WORK/second.ctl" >"$WORK/second.log" 2>&1 &
PIDS+=($!)
wait_for 100 bash -c 'opensc-tool -l 2>/dev/null | grep -Eq "^1 +Yes"'
# Change the factory PINs first: nothing below should run on a factory PIN.
p11 --slot 0 --change-pin --pin 12345678 --new-pin Tumar2026 >/dev/null 2>&1
p11 --slot 1 --change-pin --pin 1234567890 --new-pin Tumar2026 >/dev/null 2>&1
check "RSA-2048 key on token 1" p11 --slot 0 --login --pin Tumar2026 --keypairgen --key-type rsa:2048 --label RSA --id 01
check "RSA-2048 key on token 2" p11 --slot 1 --login --pin Tumar2026 --keypairgen --key-type rsa:2048 --label RSA --id 01

out=$(client Tumar2026 threads 4 200 0 2>&1)
echo "# $out"
check "4 threads x 200 signatures on one token, every one verified" grep -q "verified=800 bad=0 failed=0" <<<"$out"
out=$(client Tumar2026 threads 4 200 0 1 2>&1)
echo "# $out"
check "4 threads x 200 signatures on two tokens, every one verified" grep -q "verified=800 bad=0 failed=0" <<<"$out"

# Pull the card during a signing loop, then put it back; then another
# application resets it.  On both tokens: the Kaztoken (the Tumar applet)
# and the JaCarta PKI (LASER).
in_reader() { opensc-tool -l 2>/dev/null | grep -Eq "^$1 +Yes"; }
pull_and_reset() { # SLOT CONTROL-SOCKET NAME
	local slot=$1 ctl=$2 name=$3 out
	client Tumar2026 loop 6 "$slot" >"$WORK/loop.out" 2>&1 &
	LOOP=$!
	sleep 2
	"$EMU" ctl "$ctl" remove >/dev/null
	sleep 1.5
	"$EMU" ctl "$ctl" insert >/dev/null
	wait "$LOOP"
	wait_for 100 in_reader "$slot"
	out=$(cat "$WORK/loop.out")
	echo "# $out"
	check "$name: signing worked before the card was pulled" grep -Eq "before=[1-9]" <<<"$out"
	# CKR_DEVICE_REMOVED (0x32), CKR_SESSION_HANDLE_INVALID (0xB3), CKR_TOKEN_NOT_PRESENT (0xE0)
	check "$name: the pull gave removal errors, nothing else" \
		bash -c 'grep -Eq "errors=[1-9]" <<<"$1" && ! grep -Eq "codes=.*0x(5|6|30)[^0-9A-F]" <<<"$1" &&
			 grep -Eq "codes=(0x32|0xB3|0xE0)" <<<"$1"' _ "$out"
	check "$name: signing works again once the card is back" grep -Eq "after=[1-9]" <<<"$out"

	# Another application resets the card: our login is gone, cleanly;
	# the session stays, a new login signs again.
	rm -f "$WORK/go" && mkfifo "$WORK/go"
	client Tumar2026 reset "$slot" <"$WORK/go" >"$WORK/reset.out" 2>&1 &
	RESETTER=$!
	exec 3>"$WORK/go"
	wait_for 100 grep -q ready "$WORK/reset.out"
	opensc-tool -r "$slot" --reset warm >/dev/null 2>&1
	echo go >&3
	exec 3>&-
	wait "$RESETTER"
	out=$(cat "$WORK/reset.out")
	echo "# $out"
	check "$name: a reset by another application: CKR_USER_NOT_LOGGED_IN, then a new login signs" \
		grep -q "after-reset=0x101 relogin=0x0 sign=0x0" <<<"$out"
}
pull_and_reset 0 "$WORK/first.ctl" kaztoken
pull_and_reset 1 "$WORK/second.ctl" jacarta-pki

# The driver's APDU trace: the PIN is never in it.
rm -f "$WORK/driver.trace"
env TUMAR_TRACE="$WORK/driver.trace" $SAN_ENV pkcs11-tool --module "$MODULE" --slot 0 \
	--login --pin Tumar2026 -O >/dev/null 2>&1
check "TUMAR_TRACE: the VERIFY is there as its length only" \
	bash -c 'grep -q " s 00200081\*9 9000" "$1" && ! grep -qi "54756D617232303236" "$1" &&
		 ! grep -q Tumar2026 "$1"' _ "$WORK/driver.trace"
check "TUMAR_TRACE is created 0600" test "$(stat -c %a "$WORK/driver.trace")" = 600
# A private data object's value: written and read back, in no trace.
printf 'PRIVATEVALUE42' >"$WORK/private.bin"
rm -f "$WORK/driver.trace"
env TUMAR_TRACE="$WORK/driver.trace" $SAN_ENV pkcs11-tool --module "$MODULE" --slot 0 \
	--login --pin Tumar2026 --write-object "$WORK/private.bin" --type data --label secret \
	--private >/dev/null 2>&1
env TUMAR_TRACE="$WORK/driver.trace" $SAN_ENV pkcs11-tool --module "$MODULE" --slot 0 \
	--login --pin Tumar2026 --read-object --type data --label secret \
	-o "$WORK/private.out" >/dev/null 2>&1
check "a private data object reads back" cmp "$WORK/private.bin" "$WORK/private.out"
check "TUMAR_TRACE: its value went both ways as its length only" \
	bash -c 'grep -Eq " s 00D7[0-9A-F]{4}\*" "$1" && grep -Eq " p 00B1[0-9A-F]+ \*14:9000" "$1" &&
		 ! grep -qi "5052495641544556414C55453432" "$1"' _ "$WORK/driver.trace"
check "TUMAR_TRACE: the directory read after login (private objects) is its length only" \
	grep -Eq " p 00CA00E1[0-9A-F]* \*[0-9]+:9000" "$WORK/driver.trace"

# OpenSSL through libp11's pkcs11 engine: a CSR signed on the card.
if engine_conf "$WORK/openssl.cnf" "$MODULE"; then
	export OPENSSL_CONF=$WORK/openssl.cnf
	KEY="pkcs11:token=Kaztoken;object=RSA;type=private;pin-value=Tumar2026"
	check "openssl req -engine pkcs11: a CSR signed by the on-card key" \
		env $SAN_ENV openssl req -new -engine pkcs11 -keyform engine -key "$KEY" \
		-subj "/CN=TEST USER/serialNumber=IIN123456789012/C=KZ" -out "$WORK/req.pem"
	check "openssl req -verify accepts it" openssl req -verify -noout -in "$WORK/req.pem"
	echo "document" >"$WORK/doc"
	check "openssl dgst -sign with the engine" \
		env $SAN_ENV openssl dgst -sha256 -engine pkcs11 -keyform engine -sign "$KEY" \
		-out "$WORK/doc.sig" "$WORK/doc"
	openssl req -in "$WORK/req.pem" -pubkey -noout >"$WORK/req-pub.pem"
	check "openssl dgst -verify with the CSR's public key" \
		openssl dgst -sha256 -verify "$WORK/req-pub.pem" -signature "$WORK/doc.sig" "$WORK/doc"
	unset OPENSSL_CONF
else
	not_ok "libengine-pkcs11-openssl is installed"
fi
tap_done
