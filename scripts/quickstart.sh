#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The main job: build Tumar, start a virtual Kaztoken (a private pcscd +
# vpcd + tumar-emu, through scripts/tumar-stack) and walk the EDS flow on it
# with tumar-tool, as a token owner does with the NCA: the factory-PIN
# warning, a new PIN, the RSA and AUTH_RSA keys made on the token, the
# requests, certificates from a local test CA (made here with OpenSSL, in
# the NCA's style), installed next to their keys, a document signed and
# verified; then a GOST R 34.10-2015 512 signing key beside them (what the
# NCA issues since 2024), its certificate with the NCA's OIDs and the
# document signed with it; the expiry dates.  Stops what it started.
set -euo pipefail

src=$(cd "$(dirname "$0")/.." && pwd)
out=${TM_BUILD_DIR:-$src/build}/quickstart

if [ -t 1 ]; then
	step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
else
	step() { printf '\n== %s\n' "$*"; }
fi
show() { printf '$ %s\n' "$*"; "$@"; }

if [ -z "${TM_QUICKSTART_NS:-}" ]; then
	step "Building Tumar in $out"
	jobs=$(nproc 2>/dev/null || echo 2)
	# configure is made once; after that make remakes it when configure.ac
	# changes, and a build running beside this one is not disturbed.
	if [ ! -x "$src/configure" ]; then
		(cd "$src" && NOCONFIGURE=1 ./autogen.sh >/dev/null 2>&1) ||
			{ echo "autogen.sh failed" >&2; exit 1; }
	fi
	mkdir -p "$out"
	(cd "$out" && "$src/configure" --enable-strict >/dev/null)
	make -C "$out" -j"$jobs" >/dev/null
	echo "built: tumar-emu, tumar-pkcs11.so, tumar-tool, tumar-trace"
	# As root, a private mount namespace gives the stack its own pcscd
	# socket, so the machine's pcscd (and its readers) are not touched.
	if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null; then
		TM_QUICKSTART_NS=1 exec unshare --mount --propagation private bash "$0" "$@"
	fi
else
	mkdir -p /run/pcscd
	mount -t tmpfs tumar-quickstart /run/pcscd
fi

work=$(mktemp -d /tmp/tumar-quickstart.XXXXXX)
export TUMAR_STACK_DIR=$work/stack TUMAR_EMU=$out/emulator/tumar-emu
export TUMAR_MODULE=$out/driver/.libs/tumar-pkcs11.so
stack=$src/scripts/tumar-stack
ca=$src/scripts/tumar-test-ca.sh
tool() { printf '$ tumar-tool %s\n' "$*"; "$out/tools/tumar-tool" "$@"; }
finish() {
	step "Stopping what the quick start started"
	"$stack" stop || true
	rm -rf "$work"
}
trap finish EXIT

step "A virtual Kaztoken: pcscd + vpcd + tumar-emu"
"$stack" start --model kaztoken

step "1. The token, as it comes from the shop: still on its factory PIN"
tool list

step "2. A new PIN (Latin capital and small letters and digits, 6-32: the NCA's rule)"
echo "(the PINs come from TUMAR_PIN / TUMAR_NEW_PIN here; on a terminal they are asked)"
TUMAR_PIN=12345678 TUMAR_NEW_PIN=12345 tool change-pin || echo "-> refused before anything reached the token, as it should be"
TUMAR_PIN=12345678 TUMAR_NEW_PIN=Qazaq2026 tool change-pin
export TUMAR_PIN=Qazaq2026

step "3. The two key pairs, generated on the token (the private keys never leave it)"
tool keygen --purpose sign --alg rsa2048
tool keygen --purpose auth --alg rsa2048

step "4. Certificate requests, signed by the token"
tool csr --purpose sign --cn "ТЕСТОВ ТЕСТ" --surname "ТЕСТОВ" --given-name "ТЕСТ" \
	--iin 900101300017 --email test@example.kz -o "$work/sign.csr"
tool csr --purpose auth --cn "ТЕСТОВ ТЕСТ" --surname "ТЕСТОВ" --given-name "ТЕСТ" \
	--iin 900101300017 --email test@example.kz -o "$work/auth.csr"

step "5. A local test CA (not the NCA) issues the certificates, NCA-style"
"$ca" init "$work/ca"
"$ca" issue "$work/ca" "$work/sign.csr" "$work/sign.pem" --purpose sign
"$ca" issue "$work/ca" "$work/auth.csr" "$work/auth.pem" --purpose auth
show openssl verify -CAfile "$work/ca/ca.pem" "$work/sign.pem" "$work/auth.pem"

step "6. The certificates go on the token, next to their keys"
tool install-cert "$work/sign.pem"
tool install-cert "$work/auth.pem"
tool info "$work/sign.pem"

step "7. A document signed on the token and verified with the certificate"
echo "Өтініш: an EDS document signed on $(date -u +%F)" >"$work/document.txt"
tool sign --cert-out "$work/signer.pem" -o "$work/document.sig" "$work/document.txt"
openssl x509 -in "$work/signer.pem" -pubkey -noout >"$work/signer.pub"
show openssl verify -CAfile "$work/ca/ca.pem" "$work/signer.pem"
show openssl dgst -sha256 -verify "$work/signer.pub" -signature "$work/document.sig" "$work/document.txt"

step "8. GOST R 34.10-2015 512 (the NCA's keys since 2024) beside the RSA pair"
export TUMAR_TEST_CA_GOST=$out/tools/tumar-test-ca-gost
tool keygen --purpose sign
tool csr --purpose sign --alg gost512 --cn "ТЕСТОВ ТЕСТ" --surname "ТЕСТОВ" --given-name "ТЕСТ" \
	--iin 900101300017 --email test@example.kz -o "$work/gost.csr"
"$ca" issue "$work/ca" "$work/gost.csr" "$work/gost.pem" --purpose sign
tool install-cert "$work/gost.pem"
tool info "$work/gost.pem"
echo "(the NCA's layout, r||s little-endian, is what KalkanCrypt verifies; gost-engine takes RFC 4491's)"
tool sign --alg gost512 -o "$work/document.nca.sig" "$work/document.txt"
tool sign --alg gost512 --layout rfc4491 --pubkey-out "$work/gost.pub" -o "$work/document.gost.sig" \
	"$work/document.txt"
show openssl dgst -engine gost -md_gost12_512 -verify "$work/gost.pub" \
	-signature "$work/document.gost.sig" "$work/document.txt"

step "9. When the certificates end (the NCA reminds at 30, 14, 10 and 7 days)"
tool expiry
tool list

step "Done: the EDS flow ran on a virtual Kaztoken"
echo "To keep a virtual token running: scripts/tumar-stack start --model jacarta-pki"
