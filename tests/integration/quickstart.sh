#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The README's main command, minus the package installation: the quick
# start builds Tumar on its own, walks the EDS flow on a virtual Kaztoken
# and stops what it started.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || skip_all "needs root for a private pcscd (unshare --mount)"
[ -x "$TM_SRCDIR/configure" ] || skip_all "the source tree has no configure"
out=$(TM_BUILD_DIR=$WORK/qs bash "$TM_SRCDIR/scripts/quickstart.sh" 2>&1) && rc=0 || rc=$?
check "quickstart.sh ends well" bash -c '[ $0 -eq 0 ] || { echo "$1" | tail -30; false; }' "$rc" "$out"
check "it warns about the factory PIN" grep -q "WARNING: this token still has its factory PIN" <<<"$out"
check "a PIN against the rules is refused, a good one taken" \
	bash -c 'grep -q "nothing was sent to the token" <<<"$0" && grep -q "The PIN is changed" <<<"$0"' "$out"
check "both key pairs are made on the token" \
	bash -c 'grep -q "Key pair RSA generated" <<<"$0" && grep -q "Key pair AUTH_RSA generated" <<<"$0"' "$out"
check "both certificates are installed next to their keys" \
	bash -c 'grep -q "next to the RSA key" <<<"$0" && grep -q "next to the AUTH_RSA key" <<<"$0"' "$out"
check "a GOST-512 key pair beside them, the Kaztoken's default" grep -q "Key pair GOST512 generated" <<<"$out"
check "its certificate (the NCA's OIDs) is installed next to it" \
	bash -c 'grep -q "next to the GOST512 key" <<<"$0" && grep -q "^Key  *GOST R 34.10-2015 512" <<<"$0"' "$out"
check "the signed document verifies, RSA and GOST (gost-engine)" \
	bash -c '[ $(grep -c "^Verified OK" <<<"$0") -eq 2 ] && grep -q "layout nca" <<<"$0"' "$out"
check "expiry lists the three certificates" bash -c '[ $(grep -c "days left" <<<"$0") -eq 3 ]' "$out"
check "it stops what it started" \
	bash -c 'grep -q "Stopped tumar-emu kaztoken" <<<"$0" && grep -q "Stopped pcscd" <<<"$0"' "$out"
tap_done
