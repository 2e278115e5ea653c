#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Installs the Debian 12 packages that Tumar builds and tests with.
# Safe to run again: it asks apt only for what is missing.
set -euo pipefail

packages=(
	build-essential autoconf automake libtool autoconf-archive pkg-config
	libssl-dev        # OpenSSL 3: all cryptography
	libengine-gost-openssl  # gost-engine: GOST R 34.10-2012/2015 and Streebog, for Kazakh keys
	libpcsclite-dev   # PC/SC (pcsc-lite)
	libp11-kit-dev    # pkcs11.h
	libcmocka-dev     # unit tests
	clang             # the sanitizer build: its UBSan checks more than gcc's
	pcscd vsmartcard-vpcd  # the real stack under the integration tests
	opensc openssl    # independent clients: opensc-tool, openssl dgst
	libengine-pkcs11-openssl  # OpenSSL's pkcs11 engine (libp11), a module client
	default-jdk-headless      # Java's SunPKCS11, how Kazakh signing software loads tokens
	softhsm2                  # the peer PKCS#11 module make bench measures Tumar against
	gnutls-bin                # p11tool: GnuTLS's PKCS#11 client, finds modules through p11-kit
	openssh-client            # ssh-agent with the card's key, as users keep it
	libnss3-tools             # pk12util, certutil, modutil: NSS imports PKCS#12 files onto the token
	debhelper dh-python lintian  # the Debian packages: dpkg-buildpackage (dh-python: the Python test API's), and lintian checks them
	python3-pyscard           # the Python test API's PC/SC (pyscard over pcsc-lite)
	man-db                    # man: the man pages are rendered and checked
)

sudo=""
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null || { echo "install-deps: run as root or install sudo" >&2; exit 1; }
	sudo=sudo
fi

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "install-deps: all ${#packages[@]} packages present"
	exit 0
fi
echo "install-deps: installing ${missing[*]}"
$sudo apt-get update -q
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
