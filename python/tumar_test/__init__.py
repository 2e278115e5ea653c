# SPDX-License-Identifier: LGPL-2.1-or-later
"""Tumar's test API: virtual tokens for tests written in Python.

A Stack starts pcscd, vsmartcard's vpcd and tumar-emu (through
tumar-stack), a Token drives its emulator's control socket (pull the card,
arm faults, read the status), and a Card sends APDUs to it through
pcsc-lite (Debian's python3-pyscard), as any PC/SC application does::

    from tumar_test import Stack

    with Stack() as stack:
        token = stack.start("kaztoken")
        with token.connect() as card:
            r = card.transmit("00 A4 04 0C 07 F0 54 55 4D 41 52 01")
            assert r.sw == 0x9000

Only the standard library and python3-pyscard are used.
"""

from .control import Control, ControlError
from .pcsc import Card, PcscError, Response, readers, wait_for_card
from .stack import Stack, StackError, Token

__all__ = [
    "Card",
    "Control",
    "ControlError",
    "PcscError",
    "Response",
    "Stack",
    "StackError",
    "Token",
    "readers",
    "wait_for_card",
]
