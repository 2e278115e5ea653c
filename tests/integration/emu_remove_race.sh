#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A removal through the control socket in the same poll round as an APDU
# from vpcd keeps the card out (tests/integration/remove_race.py plays
# vpcd and makes that round happen for certain).
. "$TM_SRCDIR/tests/integration/lib.sh"
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3) || skip_all "python3 is not installed"
PYTHONDONTWRITEBYTECODE=1 "$PY" "$TM_SRCDIR/tests/integration/remove_race.py" "$EMU"
