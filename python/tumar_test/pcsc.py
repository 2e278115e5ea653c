# SPDX-License-Identifier: LGPL-2.1-or-later
"""APDUs through pcsc-lite, with Debian's python3-pyscard (its low-level
smartcard.scard API, so that every PC/SC result is seen as it is)."""

import time

from smartcard import scard


class PcscError(Exception):
    """A PC/SC call failed; .code is its SCARD_E_... / SCARD_W_... value."""

    def __init__(self, call, code):
        self.call = call
        self.code = code & 0xFFFFFFFF
        super().__init__(f"{call}: {scard.SCardGetErrorMessage(code)} (0x{self.code:08X})")


def _check(call, hresult):
    if hresult != scard.SCARD_S_SUCCESS:
        raise PcscError(call, hresult)


class Response:
    """A card's answer: .data (bytes) and .sw (an int, 0x9000)."""

    def __init__(self, data, sw):
        self.data = bytes(data)
        self.sw = sw

    @property
    def sw1(self):
        return self.sw >> 8

    def __repr__(self):
        return f"Response(data={self.data.hex().upper() or '-'}, sw={self.sw:04X})"


def _apdu_bytes(apdu):
    if isinstance(apdu, str):
        return bytes.fromhex(apdu.replace(" ", ""))
    return bytes(apdu)


class _Context:
    def __init__(self):
        hresult, self.handle = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        _check("SCardEstablishContext", hresult)

    def close(self):
        if self.handle is not None:
            scard.SCardReleaseContext(self.handle)
            self.handle = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def readers():
    """The readers pcscd has, each as (name, card_present)."""
    with _Context() as ctx:
        hresult, names = scard.SCardListReaders(ctx.handle, [])
        if hresult == scard.SCARD_E_NO_READERS_AVAILABLE:
            return []
        _check("SCardListReaders", hresult)
        states = [(n, scard.SCARD_STATE_UNAWARE) for n in names]
        hresult, states = scard.SCardGetStatusChange(ctx.handle, 0, states)
        _check("SCardGetStatusChange", hresult)
        return [(n, bool(st & scard.SCARD_STATE_PRESENT)) for n, st, _atr in states]


def wait_for_card(reader, present=True, timeout=10.0):
    """Waits until the reader holds a card (or, present=False, is empty).
    Returns whether it did within timeout seconds.  Waiting through
    SCardGetStatusChange is also what makes pcscd poll the reader."""
    deadline = time.monotonic() + timeout
    with _Context() as ctx:
        state = scard.SCARD_STATE_UNAWARE
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            hresult, states = scard.SCardGetStatusChange(
                ctx.handle, int(min(left, 1.0) * 1000), [(reader, state)])
            if hresult == scard.SCARD_E_TIMEOUT:
                continue
            _check("SCardGetStatusChange", hresult)
            _name, event, _atr = states[0]
            if bool(event & scard.SCARD_STATE_PRESENT) == present and \
                    not event & scard.SCARD_STATE_MUTE:
                return True
            state = event & ~scard.SCARD_STATE_CHANGED


class Card:
    """A shared connection to the card in one reader."""

    def __init__(self, reader, share=scard.SCARD_SHARE_SHARED):
        self.reader = reader
        self._ctx = _Context()
        try:
            hresult, self._card, self.protocol = scard.SCardConnect(
                self._ctx.handle, reader, share,
                scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1)
            _check("SCardConnect", hresult)
        except Exception:
            self._ctx.close()
            raise

    def atr(self):
        hresult, _reader, _state, _proto, atr = scard.SCardStatus(self._card)
        _check("SCardStatus", hresult)
        return bytes(atr)

    def transmit(self, apdu, get_response=True):
        """Sends one APDU (bytes, or hex text with spaces or not).  With
        get_response, 61xx is followed by GET RESPONSE until the card has
        said all, and 6Cxx by the same command with Le = xx, as a
        T=0 application would."""
        cmd = _apdu_bytes(apdu)
        data = b""
        resent = False
        # A card that answers 61xx for ever (with or without data) would
        # loop for ever: 256 rounds are 64 KiB, more than any token says.
        for _round in range(256):
            hresult, resp = scard.SCardTransmit(self._card, self.protocol, list(cmd))
            _check("SCardTransmit", hresult)
            if len(resp) < 2:
                raise PcscError("SCardTransmit: an answer without a status word",
                                scard.SCARD_F_UNKNOWN_ERROR)
            r = Response(resp[:-2], (resp[-2] << 8) | resp[-1])
            if get_response and r.sw1 == 0x61:
                data += r.data
                cmd = bytes([cmd[0] & 0x03, 0xC0, 0, 0, r.sw & 0xFF])
                continue
            if get_response and r.sw1 == 0x6C and len(cmd) == 5 and not resent:
                cmd = cmd[:4] + bytes([r.sw & 0xFF])
                resent = True
                continue
            return Response(data + r.data, r.sw)
        raise PcscError("SCardTransmit: still 61xx after 256 GET RESPONSEs",
                        scard.SCARD_F_UNKNOWN_ERROR)

    def reconnect(self, reset=False):
        """After a removal or reset (SCARD_W_REMOVED_CARD / _RESET_CARD)."""
        hresult, self.protocol = scard.SCardReconnect(
            self._card, scard.SCARD_SHARE_SHARED,
            scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1,
            scard.SCARD_RESET_CARD if reset else scard.SCARD_LEAVE_CARD)
        _check("SCardReconnect", hresult)

    def close(self):
        if self._ctx.handle is not None:
            scard.SCardDisconnect(self._card, scard.SCARD_LEAVE_CARD)
            self._ctx.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
