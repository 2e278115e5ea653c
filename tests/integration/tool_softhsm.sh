#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# tumar-tool with another vendor's module: SoftHSM2, which gives a new
# key no CKA_ID and takes a certificate only with CKA_SUBJECT.  keygen
# gives the pair the ID Tumar's module and OpenSC would (SHA-1 of the
# modulus),
# install-cert sends CKA_ID, CKA_LABEL, CKA_SUBJECT, CKA_ISSUER and
# CKA_SERIAL_NUMBER, and pkcs11-tool sees the three objects paired; the
# token's signature verifies with the certificate; keys and delete work.
. "$(dirname "$0")/lib.sh"
SOFTHSM=/usr/lib/softhsm/libsofthsm2.so
[ -f "$SOFTHSM" ] || skip_all "softhsm2 is not installed"
command -v softhsm2-util >/dev/null || skip_all "softhsm2-util is not installed"
TOOL=$TM_BUILDDIR/tools/tumar-tool
CA=$TM_SRCDIR/scripts/tumar-test-ca.sh
mkdir -p "$WORK/tokens"
printf 'directories.tokendir = %s\nobjectstore.backend = file\n' "$WORK/tokens" >"$WORK/softhsm2.conf"
export SOFTHSM2_CONF=$WORK/softhsm2.conf
softhsm2-util --init-token --free --label "Soft" --pin Tumar2026 --so-pin 12345678 >/dev/null ||
	{ not_ok "SoftHSM2 token made"; tap_done; exit 1; }
export TUMAR_MODULE=$SOFTHSM TUMAR_PIN=Tumar2026
unset TUMAR_SO_PIN TUMAR_NEW_PIN
P11="pkcs11-tool --module $SOFTHSM --token-label Soft --login --pin Tumar2026"
export -f run has lacks
export TOOL WORK P11

check "list: the SoftHSM2 token, with its URI" \
	bash -c 'run 0 "$TOOL" list && has "token +Soft" && has "URI +pkcs11:.*token=Soft"'
check "keygen on SoftHSM2" bash -c 'run 0 "$TOOL" keygen --purpose sign --alg rsa2048'
ID=$($P11 -O 2>/dev/null | awk '/^Private Key Object/{p=1} p && /ID:/{print $2; exit}')
export ID
# SHA-1 of the public key's modulus as the token gives the key.
modulus_sha1() {
	$P11 --read-object --type pubkey --id "$ID" 2>/dev/null |
		openssl rsa -pubin -inform DER -modulus -noout | sed 's/^Modulus=//' |
		perl -ne 'chomp; print pack("H*", $_)' | sha1sum | cut -c1-40
}
export -f modulus_sha1
check "keygen: both halves carry the SHA-1 of the public key as CKA_ID" \
	bash -c '[ ${#ID} = 40 ] && [ "$($P11 -O --type pubkey 2>/dev/null | grep -c "ID: *$ID")" = 1 ] &&
		[ "$(modulus_sha1)" = "$ID" ]'
"$TOOL" csr --purpose sign --cn "IVANOV IVAN" --iin 900101300017 -o "$WORK/r.csr" >/dev/null
"$CA" init "$WORK/ca" >/dev/null 2>&1
"$CA" issue "$WORK/ca" "$WORK/r.csr" "$WORK/r.pem" --purpose sign >/dev/null 2>&1
check "install-cert on SoftHSM2 (it wants CKA_SUBJECT)" bash -c 'run 0 "$TOOL" install-cert "$WORK/r.pem"'
check "the certificate: the key's ID and label, its subject" \
	bash -c 'out=$($P11 -O --type cert 2>&1) && has "label: +RSA" && has "ID: +$ID" && has "subject: +DN: .*IVANOV IVAN"'
check "keys: the pair with its certificate" \
	bash -c 'run 0 "$TOOL" keys --login && has "^RSA  rsa2048  key pair" && has "cert +IVANOV IVAN"'
echo document >"$WORK/doc"
check "sign: verifies with the certificate's key" \
	bash -c 'run 0 "$TOOL" sign -o "$WORK/doc.sig" --cert-out "$WORK/c.pem" "$WORK/doc" &&
		openssl x509 -in "$WORK/c.pem" -pubkey -noout >"$WORK/k.pem" &&
		openssl dgst -sha256 -verify "$WORK/k.pem" -signature "$WORK/doc.sig" "$WORK/doc"'
check "delete: the three objects go" \
	bash -c 'run 0 "$TOOL" delete --yes --id $ID && [ -z "$($P11 -O 2>/dev/null | grep "Object;")" ]'
tap_done
