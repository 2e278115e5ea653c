#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# tumar-pkcs11.so under Java's SunPKCS11, the way signing applications in
# Kazakhstan load tokens, on a Kaztoken and on a JaCarta PKI (LASER):
# keytool sees the key and its certificate, and a Java program signs
# SHA256withRSA and verifies the signature.
. "$(dirname "$0")/lib.sh"
private_pcscd_namespace "$@"
command -v java >/dev/null && command -v keytool >/dev/null || skip_all "no Java (default-jdk-headless)"
MODULE=$TM_BUILDDIR/driver/.libs/tumar-pkcs11.so
SAN_ENV=$(sanitizer_env "$MODULE")
# The JVM and ASan's runtime do not share a process well (the JVM's own
# signal handling and memory layout): the sanitizer build checks the
# module with the other clients, and Java with the plain build.
[ -z "$SAN_ENV" ] || skip_all "Java runs against the plain build only"
engine_conf "$WORK/openssl.cnf" "$MODULE" || skip_all "libengine-pkcs11-openssl is not installed"
start_pcscd || { not_ok "pcscd starts"; tap_done; exit 1; }
p11() { pkcs11-tool --module "$MODULE" "$@"; }
declare -A PIN=([kaztoken]=12345678 [jacarta-pki]=1234567890)
# Kaztoken over the Tumar applet, JaCarta PKI over LASER.
for model in kaztoken jacarta-pki; do
start_emu "$model" "$model" || { not_ok "$model: token present"; continue; }
p11 --change-pin --pin "${PIN[$model]}" --new-pin Tumar2026 >/dev/null 2>&1
check "$model: an on-card RSA-2048 key" p11 --login --pin Tumar2026 --keypairgen --key-type rsa:2048 --label RSA --id 01

# A certificate for that key, made by OpenSSL with the key on the card.
check "$model: a self-signed certificate from the on-card key" \
	env OPENSSL_CONF="$WORK/openssl.cnf" openssl req -new -x509 -days 365 -engine pkcs11 \
	-keyform engine -key "pkcs11:object=RSA;type=private;pin-value=Tumar2026" \
	-subj "/CN=TEST USER/serialNumber=IIN123456789012/C=KZ" -outform DER -out "$WORK/$model.der"
check "$model: the certificate written next to its key" \
	p11 --login --pin Tumar2026 --write-object "$WORK/$model.der" --type cert --id 01 --label RSA

printf 'name = Tumar\nlibrary = %s\nslot = 0\n' "$MODULE" >"$WORK/sunpkcs11.cfg"
out=$(keytool -list -keystore NONE -storetype PKCS11 -addprovider SunPKCS11 \
	-providerArg "$WORK/sunpkcs11.cfg" -storepass Tumar2026 2>&1)
echo "$out" | sed 's/^/# /' | head -n 8
check "$model: keytool -list sees the key with its certificate" grep -q "PrivateKeyEntry" <<<"$out"
out=$(java "$TM_SRCDIR/tests/integration/SunPkcs11Sign.java" "$WORK/sunpkcs11.cfg" Tumar2026 2>&1)
echo "# $out"
check "$model: SunPKCS11 signs SHA256withRSA; the certificate verifies it" grep -q "verified=true" <<<"$out"
stop_emu
done
tap_done
