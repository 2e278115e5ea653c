#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# tumar-tool import of key stores in the NCA's format, through the real
# stack, onto the test token that takes imported keys: a GOST-512 store
# made by OpenSSL from a gost-engine key with its OIDs the NCA's (the
# scalar as an OCTET STRING), a GOST-256 one with gost-engine's bare
# scalar, and an RSA one from the openssl command (SHA-1 MAC, 3DES key
# bag, RC2-40 certificate bag).  The keys then sign on the token, and
# gost-engine's and OpenSSL's command lines verify with the key the store
# was made from and with the certificate's key.  Wrong passwords and PINs
# write nothing; a token that makes its keys only takes none.
. "$(dirname "$0")/lib.sh"
private_pcscd_namespace "$@"
openssl engine gost >/dev/null 2>&1 || skip_all "gost-engine (libengine-gost-openssl) is not installed"
TOOL=$TM_BUILDDIR/tools/tumar-tool
MAKE_P12=$TM_BUILDDIR/tests/integration/make-nca-p12
CA=$TM_SRCDIR/scripts/tumar-test-ca.sh
export TUMAR_MODULE=$TM_BUILDDIR/driver/.libs/tumar-pkcs11.so
export TUMAR_TEST_CA_GOST=$TM_BUILDDIR/tools/tumar-test-ca-gost
start_pcscd || { not_ok "pcscd starts"; tap_done; exit 1; }
start_emu full tumar-full || { not_ok "card present"; tap_done; exit 1; }
export TUMAR_PIN=1234567890
# pkcs11-tool is not built with the sanitizers that an ASan module needs.
P11TOOL="env $(sanitizer_env "$TUMAR_MODULE") pkcs11-tool"
objects() { $P11TOOL --module "$TUMAR_MODULE" --login --pin "$TUMAR_PIN" -O 2>/dev/null | grep -c "Object;"; }
export -f run has lacks objects gost gost_verifies reverse
export TOOL WORK P11TOOL

# The stores: keys, requests, certificates from the test CA, then PKCS#12.
"$CA" init "$WORK/ca" >/dev/null
echo "Qwerty12" >"$WORK/pw"
echo "Wrong123" >"$WORK/bad-pw"
gost genpkey -algorithm gost2012_512 -pkeyopt paramset:A -out "$WORK/g512.pem" >/dev/null
gost genpkey -algorithm gost2012_256 -pkeyopt paramset:TCA -out "$WORK/g256.pem" >/dev/null
check "GOST-512 store in the NCA's format made" \
	bash -c '"$0" csr "$WORK/g512.pem" "IVANOV IVAN" "$WORK/g512.csr" &&
		"$1" issue "$WORK/ca" "$WORK/g512.csr" "$WORK/g512.crt" --purpose sign &&
		"$0" p12 "$WORK/g512.pem" "$WORK/g512.crt" Qwerty12 octet "$WORK/GOST512_test.p12" &&
		out=$(openssl pkcs12 -legacy -info -noout -in "$WORK/GOST512_test.p12" -passin pass:Qwerty12 2>&1) &&
		has "MAC: sha1" && has "Shrouded Keybag: pbeWithSHA1And3-KeyTripleDES-CBC" &&
		has "Encrypted data: pbeWithSHA1And40BitRC2-CBC"' "$MAKE_P12" "$CA"
check "OpenSSL alone cannot read the store's key (the NCA's OID)" \
	bash -c 'run 1 openssl pkcs12 -legacy -in "$WORK/GOST512_test.p12" -passin pass:Qwerty12 -nodes &&
		has "unsupported private key algorithm|unsupported"'
check "GOST-256 authentication store (gost-engine's bare scalar) made" \
	bash -c '"$0" csr "$WORK/g256.pem" "IVANOV IVAN" "$WORK/g256.csr" &&
		"$1" issue "$WORK/ca" "$WORK/g256.csr" "$WORK/g256.crt" --purpose auth &&
		"$0" p12 "$WORK/g256.pem" "$WORK/g256.crt" Qwerty12 raw "$WORK/AUTH_GOST256_test.p12"' "$MAKE_P12" "$CA"
check "RSA authentication store from the openssl command (3DES, RC2-40, SHA-1 MAC)" \
	bash -c 'openssl req -new -newkey rsa:2048 -nodes -keyout "$WORK/rsa.key" -subj "/CN=IVANOV IVAN" \
			-out "$WORK/rsa.csr" 2>/dev/null &&
		"$0" issue "$WORK/ca" "$WORK/rsa.csr" "$WORK/rsa.crt" --purpose auth &&
		openssl pkcs12 -export -legacy -keypbe PBE-SHA1-3DES -certpbe PBE-SHA1-RC2-40 -macalg sha1 \
			-inkey "$WORK/rsa.key" -in "$WORK/rsa.crt" -passout pass:Qwerty12 -out "$WORK/AUTH_RSA_test.p12"' "$CA"

before=$(objects)
check "a wrong store password writes nothing" \
	bash -c 'run 1 "$TOOL" import --password-file "$WORK/bad-pw" "$WORK/GOST512_test.p12" &&
		has "password does not open" && has "nothing was written" && test "$(objects)" = "$0"' "$before"
check "a wrong PIN writes nothing" \
	bash -c 'run 1 env TUMAR_PIN=0000000000 "$TOOL" import --password-file "$WORK/pw" "$WORK/GOST512_test.p12" &&
		has "CKR_PIN_INCORRECT|wrong" && test "$(objects)" = "$0"' "$before"
check "a file that is no key store is refused" \
	bash -c 'head -c 300 /dev/urandom >"$WORK/junk.p12"; run 2 "$TOOL" import --password-file "$WORK/pw" "$WORK/junk.p12" &&
		has "not a PKCS#12"'
check "import: the GOST-512 store, its key and certificate (two objects)" \
	bash -c 'run 0 "$TOOL" import --password-file "$WORK/pw" "$WORK/GOST512_test.p12" &&
		has "Imported the GOST512 key \(GOST R 34.10-2015 512\), ID [0-9a-f]{40}, with its certificate" &&
		test "$(objects)" = $(($0 + 2))' "$before"
check "import again: already there, nothing doubled" \
	bash -c 'run 0 "$TOOL" import --json --password-file "$WORK/pw" "$WORK/GOST512_test.p12" &&
		has "\"already_there\":true" && test "$(objects)" = $(($0 + 2))' "$before"
check "pkcs11-tool sees the imported key: GOST-512, sensitive, never local" \
	bash -c 'out=$($P11TOOL --module "$TUMAR_MODULE" --login --pin "$TUMAR_PIN" -O --type privkey 2>&1) &&
		has "label: +GOST512" && has "sensitive" && lacks "local"'
check "install-cert finds the imported key (it has no public-key object: by its ID)" \
	bash -c 'run 0 "$TOOL" install-cert "$WORK/g512.crt" && has "already on the token, next to the GOST512 key"'
check "a renewed store for the same key: refused without --replace, nothing changed" \
	bash -c '"$0" issue "$WORK/ca" "$WORK/g512.csr" "$WORK/g512b.crt" --purpose sign &&
		"$1" p12 "$WORK/g512.pem" "$WORK/g512b.crt" Qwerty12 octet "$WORK/GOST512_renewed.p12" &&
		n=$(objects) && run 2 "$TOOL" import --password-file "$WORK/pw" "$WORK/GOST512_renewed.p12" &&
		has "already has another certificate" && test "$(objects)" = "$n"' "$CA" "$MAKE_P12"
check "... and with --replace the new certificate takes the old one's place" \
	bash -c 'n=$(objects) && run 0 "$TOOL" import --replace --password-file "$WORK/pw" "$WORK/GOST512_renewed.p12" &&
		has "GOST512 key is already on the token; its certificate is now the store.s, for " &&
		test "$(objects)" = "$n" &&
		run 0 "$TOOL" import --replace --json --password-file "$WORK/pw" "$WORK/GOST512_renewed.p12" &&
		has "\"already_there\":true" && has "\"certificate_written\":false" &&
		out=$($P11TOOL --module "$TUMAR_MODULE" -r --type cert --label GOST512 2>/dev/null | openssl x509 -inform DER -noout -serial) &&
		test "$out" = "$(openssl x509 -in "$WORK/g512b.crt" -noout -serial)"'
check "expiry: the store's certificate beside its key" \
	bash -c 'run 0 "$TOOL" expiry && has "^GOST512 +IVANOV IVAN"'

echo "Өтініш: signed with an imported key" >"$WORK/doc"
gost pkey -in "$WORK/g512.pem" -pubout -out "$WORK/g512.pub" >/dev/null
gost pkey -in "$WORK/g256.pem" -pubout -out "$WORK/g256.pub" >/dev/null
check "GOST-512: the token's signature verifies with the store's key (gost-engine)" \
	bash -c 'run 0 "$TOOL" sign --alg gost512 --layout rfc4491 -o "$WORK/doc.sig" "$WORK/doc" &&
		gost_verifies 512 "$WORK/g512.pub" "$WORK/doc.sig" "$WORK/doc"'
check "GOST-512: the NCA's layout, turned round, verifies too" \
	bash -c 'run 0 "$TOOL" sign --alg gost512 -o "$WORK/doc.nca" "$WORK/doc" &&
		reverse <"$WORK/doc.nca" >"$WORK/doc.rev" && gost_verifies 512 "$WORK/g512.pub" "$WORK/doc.rev" "$WORK/doc"'
check "import: the GOST-256 authentication store, labelled AUTH_GOST256" \
	bash -c 'run 0 "$TOOL" import --password-file "$WORK/pw" "$WORK/AUTH_GOST256_test.p12" &&
		has "Imported the AUTH_GOST256 key"'
check "GOST-256: the token's signature verifies with the store's key" \
	bash -c 'run 0 "$TOOL" sign --purpose auth --alg gost256 --layout rfc4491 -o "$WORK/doc256.sig" "$WORK/doc" &&
		gost_verifies 256 "$WORK/g256.pub" "$WORK/doc256.sig" "$WORK/doc"'
check "import: the RSA authentication store, labelled AUTH_RSA" \
	bash -c 'run 0 "$TOOL" import --password-file "$WORK/pw" "$WORK/AUTH_RSA_test.p12" &&
		has "Imported the AUTH_RSA key \(RSA-2048\)"'
check "RSA: the token's signature verifies with the certificate's key (OpenSSL)" \
	bash -c 'run 0 "$TOOL" sign --purpose auth --alg rsa2048 -o "$WORK/doc.rsa" "$WORK/doc" &&
		openssl x509 -in "$WORK/rsa.crt" -pubkey -noout >"$WORK/rsa.pub" &&
		openssl dgst -sha256 -verify "$WORK/rsa.pub" -signature "$WORK/doc.rsa" "$WORK/doc" | grep -q "Verified OK"'
check "no key material left in the work directory by the tool" \
	bash -c '! grep -rlq "PRIVATE KEY" "$WORK" --exclude-dir=ca --exclude=g512.pem --exclude=g256.pem --exclude=rsa.key'

# A token that makes its keys only (Kaztoken) takes none, and says so.
stop_emu
start_emu kaz kaztoken || { not_ok "Kaztoken present"; tap_done; exit 1; }
check "Kaztoken: the store is refused, nothing written" \
	bash -c 'before=$(TUMAR_PIN=12345678 objects);
		run 2 env TUMAR_PIN=12345678 "$TOOL" import --password-file "$WORK/pw" "$WORK/GOST512_test.p12" &&
		has "does not take" && has "nothing was written" && test "$(TUMAR_PIN=12345678 objects)" = "$before"'
tap_done
