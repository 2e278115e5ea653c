#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# GOST R 34.10-2015 keys made on a Kaztoken through the real stack, and
# checked by someone else's code: OpenSC's pkcs11-tool makes the key pair
# (its GOSTR3410-2012-512:A and -256:A, TC26 parameter set A) and signs;
# the public key it prints (CKA_VALUE) becomes a SubjectPublicKeyInfo by
# OpenSSL's own DER generator; gost-engine's command line reads it and
# verifies the signatures: Streebog hashed by the module
# (GOSTR3410-WITH-GOSTR3411-12-*) and a digest made by gost-engine signed
# with the raw mechanism (CKM_GOSTR3410_512 by its number, 0xD4321006).
. "$(dirname "$0")/lib.sh"
private_pcscd_namespace "$@"
module_stack
openssl engine gost >/dev/null 2>&1 || skip_all "gost-engine (libengine-gost-openssl) is not installed"

PIN=12345678
declare -A ID=([512]=51 [256]=52)
declare -A RAW=([512]=0xD4321006 [256]=GOSTR3410)


# The CKA_VALUE pkcs11-tool prints for the public key with this ID (hex;
# pkcs11-tool 0.23 lists every object whatever --id says).
public_value() { # id
	p11 --list-objects --type pubkey 2>/dev/null |
		awk -v id="$1" '/^Public Key Object/ { v = ""; on = 0; next }
		     /VALUE:/ { on = 1; sub(/.*VALUE: */, ""); v = v $0; next }
		     on && /^ +[0-9a-f]+$/ { gsub(/ /, ""); v = v $0; next }
		     { on = 0 }
		     /^ +ID: / && $2 == id { print v; exit }'
}

start_emu kaztoken kaztoken || { not_ok "kaztoken: card present"; tap_done; exit 1; }
mechs=$(p11 -M 2>&1)
for m in GOSTR3410-512-KEY-PAIR-GEN GOSTR3410-KEY-PAIR-GEN GOSTR3410_512 GOSTR3410 \
	GOSTR3410-WITH-GOSTR3411-12-512 GOSTR3410-WITH-GOSTR3411-12-256; do
	check "-M lists $m" grep -q "^ *$m," <<<"$mechs"
done
check "-M gives GOST-512's key size" grep -q "GOSTR3410_512, keySize={512,512}, hw, sign, verify" <<<"$mechs"

echo "a document to sign with GOST" >"$WORK/msg"
for bits in 512 256; do
	id=${ID[$bits]} d=$WORK/g$bits
	mkdir -p "$d"
	out=$(p11 --login --pin $PIN --keypairgen --key-type "GOSTR3410-2012-$bits:A" --id "$id" \
		--label "GOST$bits" 2>&1)
	check "GOST-$bits: key pair generated on the card" grep -q "Key pair generated" <<<"$out"
	check "GOST-$bits: pkcs11-tool names the key type" grep -q "Private Key Object; GOSTR3410-2012-$bits" <<<"$out"
	value=$(public_value "$id")
	check "GOST-$bits: CKA_VALUE is the point, $((bits / 4)) bytes" test "${#value}" = $((bits / 2))
	check "GOST-$bits: gost-engine reads the key (parameter set A)" gost_spki_pem "$bits" "$value" "$d/pub.pem"
	check "GOST-$bits: gost-engine names its parameter set" \
		bash -c 'openssl pkey -engine gost -pubin -in "$1" -text -noout 2>&1 |
			grep -q "Parameter set: GOST R 34.10-2012 ($2 bit) ParamSet A"' _ "$d/pub.pem" "$bits"

	# Streebog on the host, the signature on the card.
	mech=GOSTR3410-WITH-GOSTR3411-12-$bits
	check "GOST-$bits: $mech signs" \
		p11 --login --pin $PIN --sign --id "$id" -m "$mech" -i "$WORK/msg" -o "$d/sig"
	check "GOST-$bits: the signature is $((bits / 4)) bytes" test "$(stat -c %s "$d/sig")" = $((bits / 4))
	check "GOST-$bits: pkcs11-tool verifies it" \
		p11 --verify --id "$id" -m "$mech" -i "$WORK/msg" --signature-file "$d/sig"
	check "GOST-$bits: gost-engine verifies it" \
		bash -c 'openssl dgst -engine gost -md_gost12_$1 -verify "$2" -signature "$3" "$4" 2>&1 | grep -q "Verified OK"' \
		_ "$bits" "$d/pub.pem" "$d/sig" "$WORK/msg"
	echo "another document" >"$d/other"
	check "GOST-$bits: gost-engine refuses it for another document" \
		bash -c '! openssl dgst -engine gost -md_gost12_$1 -verify "$2" -signature "$3" "$4" 2>&1 | grep -q "Verified OK"' \
		_ "$bits" "$d/pub.pem" "$d/sig" "$d/other"

	# The raw mechanism over gost-engine's digest.
	gost dgst -md_gost12_$bits -binary -out "$d/digest" "$WORK/msg" >/dev/null
	check "GOST-$bits: ${RAW[$bits]} signs gost-engine's digest" \
		p11 --login --pin $PIN --sign --id "$id" -m "${RAW[$bits]}" -i "$d/digest" -o "$d/rawsig"
	check "GOST-$bits: gost-engine verifies the raw signature" \
		bash -c 'openssl pkeyutl -engine gost -verify -pubin -inkey "$1" -in "$2" -sigfile "$3" 2>&1 | grep -q "Verified Successfully"' \
		_ "$d/pub.pem" "$d/digest" "$d/rawsig"
done
tap_done
