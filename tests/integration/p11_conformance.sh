#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# PKCS#11 conformance through the real stack, as others' clients see it,
# on both applets: JaCarta PKI over LASER and the Tumar applet's test
# token (tests/data/tumar-full.profile, which has EC).  pkcs11-tool's own
# tests (--test-ec: key pair generation, signing, attributes changed, each
# half destroyed on its own; --test on RSA); NSS's pk12util importing an
# RSA (and, where the token has EC, an EC) PKCS#12 file, NSS signing with
# the imported key and OpenSSL verifying with the certificate;
# pkcs11-tool --write-object and p11tool --write of private keys; session
# key pairs gone from the card when the process ends.
. "$(dirname "$0")/lib.sh"
private_pcscd_namespace "$@"
module_stack
PIN=1234567890

if command -v pk12util >/dev/null && command -v certutil >/dev/null; then
	NSSDB=$WORK/nssdb
	mkdir -p "$NSSDB" && certutil -N -d "sql:$NSSDB" --empty-password
	# NSS reads the module as any other (under ASan: the runtime first).
	if [ -n "$SAN_ENV" ]; then
		nss() { env $SAN_ENV "$@"; }
	else
		nss() { "$@"; }
	fi
	nss modutil -dbdir "sql:$NSSDB" -add Tumar -libfile "$MODULE" -force >/dev/null 2>&1
	echo "$PIN" >"$WORK/pin"
	echo "p12pass" >"$WORK/p12pass"
else
	not_ok "pk12util and certutil (libnss3-tools) are installed"
fi

for MODEL in jacarta-pki tumar-full; do
if ! start_emu "$MODEL" "$MODEL"; then
	not_ok "$MODEL present"
	continue
fi
ALGS=rsa
[ "$MODEL" = tumar-full ] && ALGS="rsa ec"

# 1. pkcs11-tool's own tests, in a read-write session: each generates a
# key pair, signs and verifies; --test-ec also sets CKA_SUBJECT on the
# public key, and destroys the private key and then the public key.
# One warning is the test's own: C_SignFinal after a C_Sign that answered
# CKR_BUFFER_TOO_SMALL is a single/multi-part mix-up, CKR_OPERATION_ACTIVE
# (PKCS#11 2.40 §5.11; pkcs11-tool's comment says cards differ there and
# begins again with C_SignInit).  Any other warning or error fails.
if [ "$MODEL" = tumar-full ]; then
out=$(p11 --login --pin $PIN --test-ec --session-rw --id 0A --key-type EC:prime256v1 2>&1)
rc=$?
check "$MODEL: pkcs11-tool --test-ec --session-rw passes" bash -c '
	[ "$2" = 0 ] && grep -q "Deleting the private and the public key again" <<<"$1" &&
	grep -q "==> OK" <<<"$1" &&
	! grep -v "C_SignFinal failed: rv = CKR_OPERATION_ACTIVE" <<<"$1" | grep -Eiq "warning|error|fail|ERR"
	' _ "$out" "$rc"
out=$(p11 --login --pin $PIN -O 2>&1)
check "$MODEL: --test-ec leaves no key behind" bash -c '! grep -q "Key Object" <<<"$1"' _ "$out"
else
	out=$(p11 --login --pin $PIN --test 2>&1)
	rc=$?
	check "$MODEL: pkcs11-tool --test passes" bash -c '
		[ "$2" = 0 ] && grep -q "No errors" <<<"$1"' _ "$out" "$rc"
fi

# 2. PKCS#12 files made by OpenSSL, imported with NSS's pk12util.
if [ -n "${NSSDB:-}" ]; then
	TOKEN=$(nss modutil -dbdir "sql:$NSSDB" -list Tumar 2>/dev/null |
		sed -n 's/^ *Token Name: *//p' | head -n 1 | sed 's/ *$//')
	for alg in $ALGS; do
		if [ $alg = rsa ]; then
			openssl req -x509 -newkey rsa:2048 -nodes -keyout "$WORK/$alg.key" -subj "/CN=IMPORT RSA" \
				-days 30 -out "$WORK/$alg.crt" 2>/dev/null
		else
			openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
				-keyout "$WORK/$alg.key" -subj "/CN=IMPORT EC" -days 30 -out "$WORK/$alg.crt" 2>/dev/null
		fi
		openssl pkcs12 -export -inkey "$WORK/$alg.key" -in "$WORK/$alg.crt" -name "imported-$alg" \
			-passout file:"$WORK/p12pass" -out "$WORK/$alg.p12"
		check "$MODEL: pk12util -i imports the $alg PKCS#12 file onto the token" \
			nss pk12util -d "sql:$NSSDB" -h "$TOKEN" -i "$WORK/$alg.p12" -k "$WORK/pin" -w "$WORK/p12pass"
		# NSS signs with the imported key on the card (its own
		# self-signed certificate trusted in NSS's database, as S/MIME
		# wants) ...
		nss certutil -M -d "sql:$NSSDB" -n "$TOKEN:imported-$alg" -t "CT,C,C" -h "$TOKEN" \
			-f "$WORK/pin" >/dev/null 2>&1
		echo "document signed by NSS with the $alg key" >"$WORK/$alg.msg"
		check "$MODEL: NSS signs with the imported $alg key on the card" \
			nss cmsutil -S -d "sql:$NSSDB" -f "$WORK/pin" -N "$TOKEN:imported-$alg" -H SHA256 \
			-i "$WORK/$alg.msg" -o "$WORK/$alg.p7s"
		# ... and OpenSSL verifies it with the certificate it made.
		check "$MODEL: OpenSSL verifies NSS's $alg signature with the certificate" \
			openssl cms -verify -binary -inform DER -in "$WORK/$alg.p7s" -certfile "$WORK/$alg.crt" \
			-CAfile "$WORK/$alg.crt" -out "$WORK/$alg.out"
		check "$MODEL: the signed content is the document" cmp "$WORK/$alg.msg" "$WORK/$alg.out"
	done
	out=$(p11 --login --pin $PIN -O 2>&1)
	check "$MODEL: the imported keys are on the token, not local" bash -c '
		[ "$(grep -c "Private Key Object" <<<"$1")" -eq "$2" ] &&
		! grep -A12 "Private Key Object" <<<"$1" | grep -q "Access: *.*local"' _ "$out" "$(wc -w <<<"$ALGS")"
fi

# 3. pkcs11-tool --write-object of a private key (DER), and the key signs.
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -outform DER -out "$WORK/w.der" 2>/dev/null
openssl pkey -inform DER -in "$WORK/w.der" -pubout -out "$WORK/w.pub"
check "$MODEL: pkcs11-tool --write-object --type privkey" \
	p11 --login --pin $PIN --write-object "$WORK/w.der" --type privkey --id 77 --label written
echo "written key" >"$WORK/w.msg"
p11 --login --pin $PIN --sign --id 77 -m SHA256-RSA-PKCS -i "$WORK/w.msg" -o "$WORK/w.sig" >/dev/null 2>&1
check "$MODEL: the written key signs, and OpenSSL verifies" \
	openssl dgst -sha256 -verify "$WORK/w.pub" -signature "$WORK/w.sig" "$WORK/w.msg"

# 4. GnuTLS's p11tool writes a private (EC) key through p11-kit's URI.
if [ "$MODEL" != tumar-full ]; then
	:
elif command -v p11tool >/dev/null && [ -z "$SAN_ENV" ]; then
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$WORK/g.pem" 2>/dev/null
	URL=$(p11tool --provider "$MODULE" --list-tokens 2>/dev/null | sed -n 's/^[[:space:]]*URL:[[:space:]]*//p' | head -n 1)
	check "$MODEL: p11tool --write --load-privkey" env GNUTLS_PIN=$PIN \
		p11tool --provider "$MODULE" --login --write --load-privkey "$WORK/g.pem" --label gnutls "$URL"
	out=$(p11 --login --pin $PIN -O 2>&1)
	check "$MODEL: p11tool's key is on the token" grep -q "label: *gnutls" <<<"$out"
else
	# As in p11_kit.sh: GnuTLS's tools do not exit under a preloaded ASan.
	ok "$MODEL: p11tool --write --load-privkey # SKIP no p11tool, or the sanitizer build"
fi

# 5. A session key pair leaves the card with the process that made it,
# even when that process is killed: the next process that binds the card
# deletes it, before any login.  The card itself is asked (its
# image, read with tumar-emu --inspect): the module would hide another
# process's session keys in any case.  (The Tumar applet's temporary
# objects; LASER has none: the driver refuses CKA_TOKEN false there.)
mapfile -t FULL < <(emu_model_opts tumar-full)
temporaries() { "$EMU" "${FULL[@]}" --card "$WORK/tumar-full.img" --inspect | sed -n 's/.* temporary=\([0-9]*\).*/\1/p'; }
if [ "$MODEL" = tumar-full ]; then
(exec env ASAN_OPTIONS=detect_leaks=0 "$TM_BUILDDIR/tests/integration/p11-client" "$MODULE" $PIN \
	session-key "$WORK/made" 0 >"$WORK/sk.log" 2>&1) &
SK=$!
PIDS+=("$SK")
if wait_for 600 test -f "$WORK/made"; then
	check "the session key pair is on the card while its process runs" \
		test "$(temporaries)" -ge 1
	kill -9 "$SK" 2>/dev/null
	wait "$SK" 2>/dev/null
	check "the killed process's session keys are still on the card" test "$(temporaries)" -ge 1
	p11 -L >/dev/null 2>&1
	check "the next bind deletes them" test "$(temporaries)" -eq 0
else
	not_ok "the session key pair is made"
	sed 's/^/# /' "$WORK/sk.log"
fi
fi
stop_emu
done

# 6. A model whose cards take no imported keys: pk12util fails, and the
# token holds nothing afterwards -- no key, no orphan certificate.
if [ -n "${NSSDB:-}" ] && start_emu kaztoken kaztoken; then
	echo 12345678 >"$WORK/kzpin"
	KZ=$(nss modutil -dbdir "sql:$NSSDB" -list Tumar 2>/dev/null |
		sed -n 's/^ *Token Name: *//p' | head -n 1 | sed 's/ *$//')
	out=$(env $SAN_ENV pk12util -d "sql:$NSSDB" -h "$KZ" -i "$WORK/rsa.p12" -k "$WORK/kzpin" \
		-w "$WORK/p12pass" 2>&1)
	check "pk12util onto a Kaztoken is refused at the key" \
		grep -q "UNABLE_TO_IMPORT_KEY" <<<"$out"
	out=$(p11 --login --pin 12345678 -O 2>&1)
	check "the refused import left nothing on the Kaztoken" bash -c '! grep -qi "object" <<<"$1"' _ "$out"
fi
tap_done
