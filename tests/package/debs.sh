#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Installing Tumar as Debian packages: from the dist tarball,
# dpkg-buildpackage -us -uc -b builds tumar-pkcs11, tumar-tools,
# tumar-emu and python3-tumar-test; lintian finds no error; apt-get
# install ./*.deb installs them; p11-kit finds the module with nothing
# configured, the programs run and know their version, the man pages and
# completions are where man and bash-completion look, and the example
# Python test passes with nothing but the packages.  The packages are
# removed again.  TAP.
#
#   tests/package/debs.sh TARBALL
# Runs as root only (it installs packages), and never on a machine that
# already has Tumar packages installed: it would replace them.
set -u
tarball=${1:?usage: debs.sh TARBALL}
n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $*"; }
check() {
	local desc=$1 out
	shift
	if out=$("$@" 2>&1); then ok "$desc"; else not_ok "$desc"; printf '%s\n' "$out" | sed 's/^/# /' | tail -n 20; fi
}
skip_all() { echo "1..0 # SKIP $*"; exit 0; }
packages=(tumar-pkcs11 tumar-tools tumar-emu python3-tumar-test)

[ "$(id -u)" = 0 ] || skip_all "needs root to install packages"
for t in dpkg-buildpackage dh lintian apt-get p11-kit; do
	command -v "$t" >/dev/null || skip_all "$t is not installed"
done
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" &&
		skip_all "$p is installed on this machine; not replacing it"
done
work=$(mktemp -d /tmp/tumar-debs.XXXXXX)
cleanup() {
	DEBIAN_FRONTEND=noninteractive apt-get purge -y -q "${packages[@]}" >/dev/null 2>&1
	rm -rf "$work"
}
trap cleanup EXIT

tar -xzf "$tarball" -C "$work" || { not_ok "the tarball unpacks"; echo "1..$n"; exit 1; }
src=$(echo "$work"/tumar-*/)
check "dpkg-buildpackage -us -uc -b builds the four packages" \
	bash -c 'cd "$0" && dpkg-buildpackage -us -uc -b >"$1/build.log" 2>&1 ||
		{ tail -n 30 "$1/build.log"; exit 1; }
		for p in tumar-pkcs11 tumar-tools tumar-emu python3-tumar-test; do ls "$1"/${p}_*.deb >/dev/null || exit 1; done' \
	"$src" "$work"
check "lintian: no error" bash -c 'lintian --fail-on error "$0"/tumar_*.changes 2>&1 | grep -v "root privileges"; exit ${PIPESTATUS[0]}' "$work"
check "apt-get install ./*.deb" \
	bash -c 'cd "$0" && DEBIAN_FRONTEND=noninteractive apt-get install -y -q ./tumar-pkcs11_*.deb \
		./tumar-tools_*.deb ./tumar-emu_*.deb ./python3-tumar-test_*.deb' "$work"
check "p11-kit list-modules: the tumar module, with nothing configured" \
	bash -c 'p11-kit list-modules 2>&1 | grep -q "^tumar: /usr/lib/.*/pkcs11/tumar-pkcs11.so"'
check "tumar-tool --version, tumar-trace --version, tumar-stack --version" \
	bash -c 'tumar-tool --version | grep -q "^tumar-tool 0" && tumar-trace --version | grep -q "^tumar-trace 0" &&
		tumar-stack --version | grep -q "^tumar-stack 0"'
check "tumar-emu --list-models" bash -c 'tumar-emu --list-models | grep -q "^kaztoken"'
check "tumar-tool's default module is the packaged one" \
	bash -c 'env -u TUMAR_MODULE tumar-tool list 2>&1 | grep -v "cannot load the PKCS#11 module"'
check "the man pages and completions are in the packages" \
	bash -c 'for f in man1/tumar-tool.1 man1/tumar-trace.1 man1/tumar-emu.1 man1/tumar-stack.1 man8/tumar-pkcs11.8; do
			dpkg -S "/usr/share/man/$f.gz" >/dev/null || exit 1; done
		dpkg -S /usr/share/bash-completion/completions/tumar-tool >/dev/null &&
		dpkg -S /usr/share/bash-completion/completions/tumar-emu >/dev/null'
# The example test, as a tester would run it: Debian's python3 with only
# the packages (tumar_test from dist-packages, tumar-stack and tumar-emu
# from /usr/bin).
check "the example Python test passes with the installed packages" \
	env -u PYTHONPATH -u TUMAR_STACK -u TUMAR_EMU PATH=/usr/sbin:/usr/bin:/sbin:/bin \
	/usr/bin/python3 -B "$src/tests/python/tap.py" test_kaztoken
check "apt-get purge removes them again" \
	bash -c 'DEBIAN_FRONTEND=noninteractive apt-get purge -y -q tumar-pkcs11 tumar-tools tumar-emu python3-tumar-test >/dev/null &&
		! p11-kit list-modules 2>&1 | grep -q "^tumar: /usr/lib/.*/pkcs11/tumar-pkcs11.so" && ! command -v tumar-tool'
echo "1..$n"
