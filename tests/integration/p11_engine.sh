#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# OpenSSL's pkcs11 engine (libp11) on two tokens at once: a JaCarta PKI
# (over LASER) holding an RSA key and the Tumar applet's test token
# (tests/data/tumar-full.profile) holding an EC key.  `-engine pkcs11` makes the engine OpenSSL's default for EC too, so
# the module must decode the token's EC keys without asking OpenSSL's
# defaults: here every command is run with it -- requests, signatures, a
# decryption and a TLS handshake with client authentication, RSA and EC.
. "$(dirname "$0")/lib.sh"
private_pcscd_namespace "$@"
MODULE=$TM_BUILDDIR/driver/.libs/tumar-pkcs11.so
[ -f "$MODULE" ] || { not_ok "the module is built"; tap_done; exit 1; }
engine_conf "$WORK/openssl.cnf" "$MODULE" || skip_all "libengine-pkcs11-openssl is not installed"
start_pcscd || { not_ok "pcscd starts"; tap_done; exit 1; }
SAN_ENV=$(sanitizer_env "$MODULE")
p11() { env $SAN_ENV pkcs11-tool --module "$MODULE" "$@"; }
# OpenSSL with the engine configured; the module loaded into it.
ossl() { env OPENSSL_CONF="$WORK/openssl.cnf" $SAN_ENV openssl "$@"; }

start_emu first jacarta-pki || { not_ok "token present"; tap_done; exit 1; }
mapfile -t FULL < <(emu_model_opts tumar-full)
"$EMU" "${FULL[@]}" --card "$WORK/second.img" --vpcd "localhost:$((PORT + 1))" \
	>"$WORK/second.log" 2>&1 &
PIDS+=($!)
wait_for 100 bash -c 'opensc-tool -l 2>/dev/null | grep -Eq "^1 +Yes"' ||
	{ not_ok "second token present"; tap_done; exit 1; }
declare -A TOKEN=([RSA]="JaCarta PKI" [EC]="Tumar Full")
for key in RSA EC; do
	p11 --token-label "${TOKEN[$key]}" --change-pin --pin 1234567890 --new-pin Tumar2026 >/dev/null 2>&1
done
check "an RSA-2048 key on the JaCarta" p11 --token-label "${TOKEN[RSA]}" \
	--login --pin Tumar2026 --keypairgen --key-type rsa:2048 --label RSA --id 01
check "an EC P-256 key on the Tumar applet's token" p11 --token-label "${TOKEN[EC]}" \
	--login --pin Tumar2026 --keypairgen --key-type EC:prime256v1 --label EC --id 02

uri() { echo "pkcs11:token=${TOKEN[$1]// /%20};object=$1;type=private;pin-value=Tumar2026"; }
echo "document to sign" >"$WORK/doc"
# A test CA and a server certificate, all in software.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$WORK/ca.key" \
	-subj "/CN=Tumar Test CA" -days 2 -out "$WORK/ca.pem" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$WORK/server.key" \
	-subj "/CN=127.0.0.1" -out "$WORK/server.csr" 2>/dev/null
openssl x509 -req -in "$WORK/server.csr" -CA "$WORK/ca.pem" -CAkey "$WORK/ca.key" \
	-CAcreateserial -days 2 -out "$WORK/server.pem" 2>/dev/null

for key in RSA EC; do
	k=$(uri "$key")
	check "$key: openssl req -engine pkcs11 makes a request signed on the card" \
		ossl req -new -engine pkcs11 -keyform engine -key "$k" -subj "/CN=TEST $key/C=KZ" \
		-out "$WORK/$key.csr"
	check "$key: openssl req -verify accepts it" openssl req -verify -noout -in "$WORK/$key.csr"
	openssl req -in "$WORK/$key.csr" -pubkey -noout >"$WORK/$key.pub" 2>/dev/null
	check "$key: openssl dgst -sign -engine pkcs11" \
		ossl dgst -sha256 -engine pkcs11 -keyform engine -sign "$k" -out "$WORK/$key.sig" "$WORK/doc"
	check "$key: the signature verifies with the request's public key" \
		openssl dgst -sha256 -verify "$WORK/$key.pub" -signature "$WORK/$key.sig" "$WORK/doc"
	openssl x509 -req -in "$WORK/$key.csr" -CA "$WORK/ca.pem" -CAkey "$WORK/ca.key" \
		-CAcreateserial -days 2 -out "$WORK/$key.pem" 2>/dev/null
done

printf 'a key-transport secret' >"$WORK/secret"
openssl pkeyutl -encrypt -pubin -inkey "$WORK/RSA.pub" -in "$WORK/secret" -out "$WORK/secret.ct"
check "RSA: openssl pkeyutl -decrypt -engine pkcs11 gives the secret back" \
	bash -c '"$@" && cmp -s "$0.ct.out" "$0"' "$WORK/secret" \
	env OPENSSL_CONF="$WORK/openssl.cnf" $SAN_ENV openssl pkeyutl -decrypt -engine pkcs11 \
	-keyform engine -inkey "$(uri RSA)" -in "$WORK/secret.ct" -out "$WORK/secret.ct.out"

# TLS on 127.0.0.1: s_server demands a client certificate (-Verify 1),
# s_client authenticates with the key on the card.
handshake() { # KEY
	local port server rc
	port=$("$FREE_PORT") || return 1
	# Its input: a FIFO that never ends (at EOF s_server drops the client).
	rm -f "$WORK/server.in" && mkfifo "$WORK/server.in" && exec 4<>"$WORK/server.in"
	openssl s_server -accept "127.0.0.1:$port" -cert "$WORK/server.pem" -key "$WORK/server.key" \
		-CAfile "$WORK/ca.pem" -Verify 1 -verify_return_error -naccept 1 \
		>"$WORK/server-$1.out" 2>&1 <&4 &
	server=$!
	PIDS+=("$server")
	wait_for 100 listening "$port" || return 1
	echo "hello from the card" | ossl s_client -connect "127.0.0.1:$port" -engine pkcs11 \
		-keyform engine -key "$(uri "$1")" -cert "$WORK/$1.pem" -CAfile "$WORK/ca.pem" \
		-verify_return_error >"$WORK/client-$1.out" 2>&1
	rc=$?
	# A client that never connected leaves the server waiting.
	[ "$rc" = 0 ] || kill "$server" 2>/dev/null
	wait "$server"
	exec 4<&-
	[ "$rc" = 0 ] && grep -q "hello from the card" "$WORK/server-$1.out" &&
		grep -q "CN = TEST $1" "$WORK/server-$1.out" && return 0
	head -n 30 "$WORK/server-$1.out" "$WORK/client-$1.out"
	return 1
}
for key in RSA EC; do
	check "$key: s_client -engine pkcs11 <-> s_server -Verify 1: client authenticated by the card" \
		handshake "$key"
done
tap_done
