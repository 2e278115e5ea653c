#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The GOST EDS flow with tumar-tool on a virtual Kaztoken, through the
# real stack: GOST-512 is keygen's default there; requests carry the NCA's
# OIDs and the NCA's signature layout; the test CA issues certificates
# that keep those OIDs; signatures come in both layouts.  Every signature
# is checked by gost-engine's command line, with the key taken from the
# request or certificate itself (its point under TC26's OIDs, built by
# OpenSSL's ASN.1 generator: the mapping any Kazakh verifier does) and the
# NCA's layout turned round by perl: nothing of Tumar's checks Tumar.
. "$(dirname "$0")/lib.sh"
private_pcscd_namespace "$@"
openssl engine gost >/dev/null 2>&1 || skip_all "gost-engine (libengine-gost-openssl) is not installed"
TOOL=$TM_BUILDDIR/tools/tumar-tool
CA=$TM_SRCDIR/scripts/tumar-test-ca.sh
export TUMAR_MODULE=$TM_BUILDDIR/driver/.libs/tumar-pkcs11.so
export TUMAR_TEST_CA_GOST=$TM_BUILDDIR/tools/tumar-test-ca-gost
IIN=900101300017
start_pcscd || { not_ok "pcscd starts"; tap_done; exit 1; }
start_emu kaztoken kaztoken || { not_ok "card present"; tap_done; exit 1; }
export TUMAR_PIN=12345678


# The SubjectPublicKeyInfo of a request or certificate with the NCA's
# 512-bit key OID: the SEQUENCE two lines above the OID's.
spki_of() { # der
	local o h l
	read -r o h l < <(openssl asn1parse -inform DER -in "$1" | grep -B2 ":1.2.398.3.10.1.1.2.2$" |
		head -1 | sed -E 's/^ *([0-9]+):d=[0-9]+ +hl= *([0-9]+) l= *([0-9]+).*/\1 \2 \3/')
	bytes "$1" "$o" $((h + l))
}

# A request or certificate whose GOST signature (the NCA's layout) over
# its signed part verifies with the key in it, after the mapping.
request_signed_by_its_key() { # der bits dir
	mkdir -p "$3"
	split_signed "$1" "$2" "$3" &&
		gost_spki_pem "$2" "$(cat "$3/point")" "$3/key.pem" &&
		reverse <"$3/sig" >"$3/sig.rfc" &&
		gost_verifies "$2" "$3/key.pem" "$3/sig.rfc" "$3/tbs" &&
		! gost_verifies "$2" "$3/key.pem" "$3/sig" "$3/tbs" # as written: the NCA's, not RFC's
}
export -f run has elements spki_of bytes hex reverse split_signed gost_verifies request_signed_by_its_key gost gost_spki_pem
export TOOL WORK CA IIN

check "keygen: GOST-512 is a Kaztoken's default" \
	bash -c 'run 0 "$TOOL" keygen --purpose sign --json && has "\"label\":\"GOST512\"" && has "\"alg\":\"gost512\""'
check "keygen: --alg gost256 for authentication" \
	bash -c 'run 0 "$TOOL" keygen --purpose auth --alg gost256 && has "Key pair AUTH_GOST256 generated"'
check "keygen: an RSA pair beside them" \
	bash -c 'run 0 "$TOOL" keygen --purpose sign --alg rsa2048 && has "Key pair RSA generated"'

check "csr: the GOST key is the signing purpose's first choice" \
	bash -c 'run 0 "$TOOL" csr --purpose sign --cn "IVANOV IVAN" --iin $IIN -o "$WORK/sign.csr" &&
		has "Request for the GOST512 key"'
check "csr --alg gost256 --purpose auth" \
	bash -c 'run 0 "$TOOL" csr --purpose auth --alg gost256 --cn "IVANOV IVAN" --iin $IIN -o "$WORK/auth.csr"'
for f in sign auth; do
	openssl req -in "$WORK/$f.csr" -outform DER -out "$WORK/$f.csr.der" 2>/dev/null
done
check "csr: the NCA's OIDs (key, parameters, Streebog; signature with NULL)" \
	bash -c 'out=$(openssl asn1parse -inform DER -in "$WORK/sign.csr.der") &&
		has ":1.2.398.3.10.1.1.2.2$" && has ":1.2.398.3.10.1.1.2.2.1$" && has ":1.2.398.3.10.1.3.3$" &&
		has ":1.2.398.3.10.1.1.2.3.2$" && has "d=2 +hl=2 l= *0 prim: NULL"'
check "csr: GOST-512 request verified by gost-engine (NCA layout, after the OID mapping)" \
	request_signed_by_its_key "$WORK/sign.csr.der" 512 "$WORK/v-sign"
check "csr: GOST-256 request verified by gost-engine" \
	request_signed_by_its_key "$WORK/auth.csr.der" 256 "$WORK/v-auth"
check "csr: a GOST authentication key asks for keyAgreement" \
	bash -c 'out=$(openssl req -in "$WORK/auth.csr" -noout -text 2>&1) && has "Key Agreement" &&
		! grep -q "Key Encipherment" <<<"$out"'

check "test CA: init" "$CA" init "$WORK/ca"
check "test CA: issues the GOST-512 signing certificate" \
	"$CA" issue "$WORK/ca" "$WORK/sign.csr" "$WORK/sign.pem" --purpose sign
check "test CA: issues the GOST-256 authentication certificate" \
	"$CA" issue "$WORK/ca" "$WORK/auth.csr" "$WORK/auth.pem" --purpose auth
check "test CA: without its GOST helper it says what it needs" \
	bash -c 'run 2 env -u TUMAR_TEST_CA_GOST "$CA" issue "$WORK/ca" "$WORK/sign.csr" "$WORK/x.pem" --purpose sign &&
		has "TUMAR_TEST_CA_GOST"'
check "test CA: a request whose signature is broken is refused" \
	bash -c 'cp "$WORK/sign.csr.der" "$WORK/bad.der" && n=$(stat -c %s "$WORK/bad.der") &&
		printf "\x55" | dd of="$WORK/bad.der" bs=1 seek=$((n - 5)) conv=notrunc 2>/dev/null &&
		openssl req -inform DER -in "$WORK/bad.der" -out "$WORK/bad.csr" 2>/dev/null;
		run 1 "$CA" issue "$WORK/ca" "$WORK/bad.csr" "$WORK/bad.pem" --purpose sign &&
		has "signature" && test ! -e "$WORK/bad.pem"'
openssl x509 -in "$WORK/sign.pem" -outform DER -out "$WORK/sign.der" 2>/dev/null
check "certificate: the request's SubjectPublicKeyInfo as it was, NCA OIDs and all" \
	bash -c 'test "$(spki_of "$WORK/sign.der" | wc -c)" = 175 &&
		cmp <(spki_of "$WORK/sign.csr.der") <(spki_of "$WORK/sign.der")'
# `openssl verify` cannot build a chain for a key it cannot read (the
# NCA's own GOST certificates meet the same): the CA's signature is
# checked directly.
check "certificate: the test CA's RSA signature over it verifies" \
	bash -c 'mkdir -p "$WORK/v-cert" && split_signed "$WORK/sign.der" 512 "$WORK/v-cert" &&
		openssl x509 -in "$WORK/ca/ca.pem" -pubkey -noout >"$WORK/ca.pub" &&
		openssl dgst -sha256 -verify "$WORK/ca.pub" -signature "$WORK/v-cert/sig" "$WORK/v-cert/tbs"'
check "info: a GOST R 34.10-2015 512 key, signing, individual" \
	bash -c 'run 0 "$TOOL" info "$WORK/sign.pem" && has "Key +GOST R 34.10-2015 512" &&
		has "Name +IVANOV IVAN" && has "nonRepudiation"'
check "install-cert: next to the GOST-512 key" \
	bash -c 'run 0 "$TOOL" install-cert "$WORK/sign.pem" && has "next to the GOST512 key"'
check "install-cert: next to the GOST-256 key" \
	bash -c 'run 0 "$TOOL" install-cert "$WORK/auth.pem" && has "next to the AUTH_GOST256 key"'
check "install-cert: a GOST certificate for another key is refused" \
	bash -c 'run 2 "$TOOL" install-cert "$TM_SRCDIR/tests/data/kz-gost/test_gost512.cer.pem" &&
		has "for another key"'
check "expiry: both GOST certificates" \
	bash -c 'run 0 "$TOOL" expiry && has "^GOST512 +IVANOV IVAN +ends" && has "^AUTH_GOST256 IVANOV IVAN"'

echo "Өтініш: a GOST-signed document" >"$WORK/doc"
check "sign: the NCA's layout by default" \
	bash -c 'run 0 "$TOOL" sign --json --cert-out "$WORK/signer.pem" -o "$WORK/doc.sig" "$WORK/doc" &&
		has "\"layout\":\"nca\"" && has "\"key_label\":\"GOST512\"" &&
		has "\"algorithm\":\"gost2015-512-streebog512\"" && test "$(stat -c %s "$WORK/doc.sig")" = 128'
openssl x509 -in "$WORK/signer.pem" -outform DER -out "$WORK/signer.der" 2>/dev/null
mkdir -p "$WORK/v-doc"
split_signed "$WORK/signer.der" 512 "$WORK/v-doc" 2>/dev/null
gost_spki_pem 512 "$(cat "$WORK/v-doc/point")" "$WORK/v-doc/key.pem" 2>/dev/null
check "sign: gost-engine verifies it, reversed, with the certificate's key" \
	bash -c 'reverse <"$WORK/doc.sig" >"$WORK/doc.rfc" && gost_verifies 512 "$WORK/v-doc/key.pem" "$WORK/doc.rfc" "$WORK/doc"'
check "sign: not as it stands (r || s little-endian is not RFC 4491's)" \
	bash -c '! gost_verifies 512 "$WORK/v-doc/key.pem" "$WORK/doc.sig" "$WORK/doc"'
check "sign --layout rfc4491: gost-engine verifies it as it stands" \
	bash -c 'run 0 "$TOOL" sign --layout rfc4491 --pubkey-out "$WORK/tool-key.pem" -o "$WORK/doc.rsig" "$WORK/doc" &&
		has "layout rfc4491" && gost_verifies 512 "$WORK/v-doc/key.pem" "$WORK/doc.rsig" "$WORK/doc"'
check "sign --pubkey-out: the certificate's key under TC26's OIDs" \
	bash -c 'cmp <(openssl pkey -engine gost -pubin -in "$WORK/tool-key.pem" -outform DER 2>/dev/null) \
		<(openssl pkey -engine gost -pubin -in "$WORK/v-doc/key.pem" -outform DER 2>/dev/null)'
check "sign --purpose auth: the GOST-256 key, Streebog-256" \
	bash -c 'run 0 "$TOOL" sign --purpose auth --layout rfc4491 --pubkey-out "$WORK/auth-key.pem" \
		-o "$WORK/doc.asig" "$WORK/doc" && has "AUTH_GOST256" &&
		gost_verifies 256 "$WORK/auth-key.pem" "$WORK/doc.asig" "$WORK/doc"'
check "sign --alg rsa2048: the RSA key has no certificate, and says so" \
	bash -c 'run 2 "$TOOL" sign --alg rsa2048 -o "$WORK/x.sig" "$WORK/doc" && has "no RSA key with a valid certificate"'
check "sign --layout: only nca or rfc4491" \
	bash -c 'run 2 "$TOOL" sign --layout le -o "$WORK/x.sig" "$WORK/doc"'

check "reissue: a new GOST-512 key and GOST512.csr with the same subject" \
	bash -c 'mkdir -p "$WORK/re" && run 0 "$TOOL" reissue --purpose sign --out-dir "$WORK/re" &&
		has "New GOST512 key" && openssl req -in "$WORK/re/GOST512.csr" -outform DER -out "$WORK/re/r.der" 2>/dev/null &&
		request_signed_by_its_key "$WORK/re/r.der" 512 "$WORK/v-re" &&
		! cmp -s "$WORK/v-re/point" "$WORK/v-sign/point" &&
		openssl req -in "$WORK/re/GOST512.csr" -noout -subject 2>/dev/null | grep -q "IIN900101300017"'
tap_done
