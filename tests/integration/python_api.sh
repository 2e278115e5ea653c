#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The Python test API (python/tumar_test) through the real stack: the
# example tester's test (tests/python/test_kaztoken.py) and the API's own
# tests (test_api.py), run by Debian's python3 with python3-pyscard.  The
# module starts its own private pcscd, vpcd readers and emulators through
# tumar-stack; this script only checks what it needs and prints TAP.
. "$TM_SRCDIR/tests/integration/lib.sh"

[ "$(id -u)" = 0 ] || skip_all "needs root (tumar_test's private stack is a mount namespace)"
PY=/usr/bin/python3 # Debian's, whose dist-packages hold python3-pyscard
[ -x "$PY" ] || skip_all "Debian's python3 is not installed"
"$PY" -c "import smartcard.scard" 2>/dev/null || skip_all "python3-pyscard is not installed"
for t in pcscd opensc-tool; do command -v "$t" >/dev/null || skip_all "$t is not installed"; done
[ -f "$VPCD_DRIVER" ] || skip_all "vsmartcard-vpcd is not installed"

PYTHONPATH=$TM_SRCDIR/python TUMAR_STACK=$TM_SRCDIR/scripts/tumar-stack TUMAR_EMU=$EMU \
	PYTHONDONTWRITEBYTECODE=1 "$PY" "$TM_SRCDIR/tests/python/tap.py"
