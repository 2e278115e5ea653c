#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# make install puts the module where p11-kit looks: into a throwaway root
# (DESTDIR), checked against p11-kit's own directories; then, in this
# test's mount namespace only, those directories get what was installed
# beside what they hold (OpenSC's module among it), and p11-kit's tools,
# GnuTLS's p11tool and pkcs11-tool through p11-kit-proxy find the token
# with no --module of ours, OpenSC's module loaded in the same process.
# make uninstall then leaves nothing behind.
. "$(dirname "$0")/lib.sh"
private_pcscd_namespace "$@"
: "${TM_P11_MODULEDIR:?run through make check}" "${TM_P11_CONFDIR:?}"
for t in p11-kit pkg-config; do
	command -v "$t" >/dev/null || skip_all "$t is not installed"
done
MODDIR=$(pkg-config --variable p11_module_path p11-kit-1)
CONFDIR=$(pkg-config --variable p11_module_configs p11-kit-1)
PROXY=$(ls /usr/lib/*/p11-kit-proxy.so 2>/dev/null | head -n1)
ROOT=$WORK/root

check "make install DESTDIR=...: it succeeds" \
	make -s -C "$TM_BUILDDIR" install DESTDIR="$ROOT"
find "$ROOT" \( -type f -o -type l \) | sed "s|^$ROOT||" | sort >"$WORK/installed"
sed 's/^/# installed: /' "$WORK/installed" | grep -E "pkcs11|p11-kit"
if [ "$TM_P11_MODULEDIR" != "$MODDIR" ] || [ "$TM_P11_CONFDIR" != "$CONFDIR" ]; then
	# make distcheck configures its own directories: nothing of p11-kit's.
	ok "# SKIP configured for $TM_P11_MODULEDIR, not p11-kit's $MODDIR"
	check "make uninstall leaves nothing" bash -c \
		'make -s -C "$1" uninstall DESTDIR="$2" && [ -z "$(find "$2" -type f -o -type l)" ]' \
		_ "$TM_BUILDDIR" "$ROOT"
	tap_done
	exit 0
fi
check "the module is in p11-kit's module directory ($MODDIR)" \
	grep -qx "$MODDIR/tumar-pkcs11.so" "$WORK/installed"
check "no libtool .la beside it" bash -c '! grep -q "\.la$" "$1"' _ "$WORK/installed"
check "tumar.module is in p11-kit's configuration directory ($CONFDIR)" \
	grep -qx "$CONFDIR/tumar.module" "$WORK/installed"
check "tumar.module names the installed module" \
	grep -qx "module: $MODDIR/tumar-pkcs11.so" "$ROOT$CONFDIR/tumar.module"

# The system's directories with what was installed added, in this mount
# namespace only.
for d in "$MODDIR" "$CONFDIR"; do
	mkdir -p "$WORK/merged$d"
	cp -a "$d/." "$WORK/merged$d/"
	cp -a "$ROOT$d/." "$WORK/merged$d/"
	mount --bind "$WORK/merged$d" "$d"
done

start_pcscd || { not_ok "pcscd starts"; tap_done; exit 1; }
start_emu first jacarta-pki || { not_ok "token present"; tap_done; exit 1; }
SAN_ENV=$(sanitizer_env "$MODDIR/tumar-pkcs11.so")

check "p11-kit list-modules shows Tumar's module and token" \
	bash -c '"$@" | grep -A30 "^tumar:" | grep -q "JaCarta PKI"' _ env $SAN_ENV p11-kit list-modules
# GnuTLS's tools never exit under a preloaded ASan runtime, with or
# without this module (p11-kit's destructor deadlocks in freelocale): in
# a sanitizer build they are skipped, and run in the plain build.
gnutls_skip=
[ -z "$SAN_ENV" ] || gnutls_skip="GnuTLS's tools hang at exit under a preloaded ASan runtime"
if [ -n "$gnutls_skip" ]; then
	ok "# SKIP p11tool --list-tokens: $gnutls_skip"
elif command -v p11tool >/dev/null; then
	check "p11tool --list-tokens (no --provider) shows the token" \
		bash -c '"$@" | grep -q "token=JaCarta%20PKI"' _ env $SAN_ENV p11tool --list-tokens
else
	not_ok "p11tool is installed (gnutls-bin)"
fi
if [ -n "$PROXY" ]; then
	check "pkcs11-tool --module p11-kit-proxy.so -L shows the token" \
		bash -c '"$@" | grep -q "token label *: JaCarta PKI"' _ env $SAN_ENV pkcs11-tool --module "$PROXY" -L
	# Both modules in one process (OpenSC's probes the card too): a key
	# made and a signature verified, through the proxy.
	p11p() { env $SAN_ENV pkcs11-tool --module "$PROXY" --token-label "JaCarta PKI" "$@"; }
	p11p --change-pin --pin 1234567890 --new-pin Tumar2026 >/dev/null 2>&1
	echo "document" >"$WORK/doc"
	proxy_flow() {
		p11p --login --pin Tumar2026 --keypairgen --key-type rsa:2048 --label RSA --id 01 &&
			p11p --login --pin Tumar2026 --sign -m SHA256-RSA-PKCS --id 01 \
				-i "$WORK/doc" -o "$WORK/doc.sig" &&
			p11p --read-object --type pubkey --id 01 -o "$WORK/pub.der"
	}
	check "through p11-kit-proxy beside OpenSC: a key made on the card and a signature" proxy_flow
	check "OpenSSL verifies the signature made through the proxy" \
		openssl dgst -sha256 -verify "$WORK/pub.der" -keyform DER -signature "$WORK/doc.sig" "$WORK/doc"
else
	not_ok "p11-kit-proxy.so is installed"
fi
# GnuTLS with both modules through p11-kit: the key listed, and a
# certificate request signed on the card that OpenSSL verifies.
if [ -n "$gnutls_skip" ]; then
	for what in "p11tool --list-privkeys" "certtool --generate-request" "OpenSSL verifies it"; do
		ok "# SKIP $what: $gnutls_skip"
	done
elif command -v certtool >/dev/null; then
	TOKEN="pkcs11:token=JaCarta%20PKI"
	check "p11tool --list-privkeys --login lists the card's key" \
		bash -c '"$@" | grep -q "object=RSA"' _ env $SAN_ENV GNUTLS_PIN=Tumar2026 \
		p11tool --login --list-privkeys "$TOKEN"
	printf 'cn = "TEST USER"\ncountry = KZ\nsigning_key\n' >"$WORK/req.tmpl"
	check "certtool --generate-request: signed by the card's key" \
		env $SAN_ENV GNUTLS_PIN=Tumar2026 certtool --generate-request \
		--load-privkey "$TOKEN;object=RSA;type=private" --template "$WORK/req.tmpl" \
		--outfile "$WORK/gnutls-req.pem"
	check "OpenSSL verifies GnuTLS's request" openssl req -verify -noout -in "$WORK/gnutls-req.pem"
else
	not_ok "certtool is installed (gnutls-bin)"
fi

stop_emu
for d in "$MODDIR" "$CONFDIR"; do umount "$d"; done
check "make uninstall leaves nothing behind" bash -c \
	'make -s -C "$1" uninstall DESTDIR="$2" && [ -z "$(find "$2" -type f -o -type l)" ]' \
	_ "$TM_BUILDDIR" "$ROOT"
tap_done
