/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Card readers through pcsc-lite: PC/SC status codes become tm_rc values
 * by one table, and each connection has a context of its own. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include <PCSC/winscard.h>
#include <PCSC/wintypes.h>

#include "apdu/rc.h"
#include "driver/log.h"
#include "driver/readers.h"

int (*tm_readers_factory)(struct tm_readers *r) = tm_readers_pcsc;

static const struct {
	LONG pcsc;
	int rc;
} pcsc_rc[] = {
	{.pcsc = (LONG)SCARD_S_SUCCESS, .rc = TM_OK},
	{.pcsc = (LONG)SCARD_W_RESET_CARD, .rc = TM_ERR_CARD_RESET},
	{.pcsc = (LONG)SCARD_W_REMOVED_CARD, .rc = TM_ERR_CARD_REMOVED},
	{.pcsc = (LONG)SCARD_E_NO_SMARTCARD, .rc = TM_ERR_NO_CARD},
	{.pcsc = (LONG)SCARD_W_UNPOWERED_CARD, .rc = TM_ERR_CARD_REMOVED},
	{.pcsc = (LONG)SCARD_E_READER_UNAVAILABLE, .rc = TM_ERR_CARD_REMOVED},
	{.pcsc = (LONG)SCARD_E_UNKNOWN_READER, .rc = TM_ERR_CARD_REMOVED},
	{.pcsc = (LONG)SCARD_E_TIMEOUT, .rc = TM_ERR_TIMEOUT},
	{.pcsc = (LONG)SCARD_E_CANCELLED, .rc = TM_ERR_TIMEOUT},
	{.pcsc = (LONG)SCARD_E_NO_SERVICE, .rc = TM_ERR_TRANSPORT},
	{.pcsc = (LONG)SCARD_E_SERVICE_STOPPED, .rc = TM_ERR_CARD_REMOVED}, /* its cards with it */
	{.pcsc = (LONG)SCARD_E_NO_READERS_AVAILABLE, .rc = TM_ERR_NO_CARD},
	{.pcsc = (LONG)SCARD_E_INSUFFICIENT_BUFFER, .rc = TM_ERR_RESPONSE_TOO_LONG},
	{.pcsc = (LONG)SCARD_E_NO_MEMORY, .rc = TM_ERR_NO_MEMORY},
};

static int to_rc(LONG rv)
{
	for (size_t i = 0; i < sizeof(pcsc_rc) / sizeof(pcsc_rc[0]); i++)
		if (pcsc_rc[i].pcsc == rv)
			return pcsc_rc[i].rc;
	tm_log(TM_LOG_CARD, "PC/SC: %s (0x%lX)", pcsc_stringify_error(rv), (unsigned long)rv);
	return TM_ERR_TRANSPORT;
}

struct pcsc {
	SCARDCONTEXT ctx;      /* listing and status */
	SCARDCONTEXT wait_ctx; /* C_WaitForSlotEvent only: it blocks */
};

struct conn {
	SCARDCONTEXT ctx;
	SCARDHANDLE card;
	DWORD protocol;
};

/* A context of a pcscd that has gone (restarted, or stopped and started
 * again) is dead for good: every call on it fails.  Such a failure gets
 * a new context, so the caller's next try talks to the pcscd running
 * now; true when one was made. */
static bool renew(SCARDCONTEXT *ctx, LONG rv)
{
	if (rv != (LONG)SCARD_E_NO_SERVICE && rv != (LONG)SCARD_E_SERVICE_STOPPED &&
	    rv != (LONG)SCARD_E_INVALID_HANDLE && rv != (LONG)SCARD_F_COMM_ERROR)
		return false;
	SCARDCONTEXT fresh;
	if (SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &fresh) != (LONG)SCARD_S_SUCCESS)
		return false; /* no pcscd yet: the next call tries again */
	SCardReleaseContext(*ctx);
	*ctx = fresh;
	tm_log(TM_LOG_CARD, "PC/SC: pcscd was restarted (%s): a new context", pcsc_stringify_error(rv));
	return true;
}

static int p_list(void *vctx, char *names, size_t cap)
{
	struct pcsc *p = vctx;
	DWORD len = (DWORD)cap;
	LONG rv = SCardListReaders(p->ctx, NULL, names, &len);

	if (renew(&p->ctx, rv)) {
		len = (DWORD)cap;
		rv = SCardListReaders(p->ctx, NULL, names, &len);
	}
	if (rv == (LONG)SCARD_E_NO_READERS_AVAILABLE && cap >= 2) {
		names[0] = names[1] = '\0';
		return TM_OK;
	}
	return to_rc(rv);
}

static int p_status(void *vctx, const char *reader, bool *present, unsigned *events)
{
	struct pcsc *p = vctx;
	SCARD_READERSTATE st = {.szReader = reader, .dwCurrentState = SCARD_STATE_UNAWARE};
	LONG rv = SCardGetStatusChange(p->ctx, 0, &st, 1);

	if (renew(&p->ctx, rv))
		rv = SCardGetStatusChange(p->ctx, 0, &st, 1);
	if (rv != (LONG)SCARD_S_SUCCESS && rv != (LONG)SCARD_E_TIMEOUT)
		return to_rc(rv);
	*present = (st.dwEventState & SCARD_STATE_PRESENT) &&
		   !(st.dwEventState & SCARD_STATE_MUTE);
	/* pcsc-lite keeps an insertion/removal counter in the high word. */
	*events = (unsigned)(st.dwEventState >> 16);
	return TM_OK;
}

static int p_connect(void *vctx, const char *reader, void **out, uint8_t *atr, size_t *atr_len)
{
	struct conn *c = calloc(1, sizeof(*c));
	LONG rv;

	(void)vctx;
	if (c == NULL)
		return TM_ERR_NO_MEMORY;
	rv = SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &c->ctx);
	if (rv == (LONG)SCARD_S_SUCCESS)
		rv = SCardConnect(c->ctx, reader, SCARD_SHARE_SHARED,
				  SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1, &c->card, &c->protocol);
	if (rv == (LONG)SCARD_S_SUCCESS) {
		DWORD rlen = 0, state, proto, alen = (DWORD)*atr_len;
		rv = SCardStatus(c->card, NULL, &rlen, &state, &proto, atr, &alen);
		*atr_len = alen;
	}
	if (rv != (LONG)SCARD_S_SUCCESS) {
		if (c->card)
			SCardDisconnect(c->card, SCARD_LEAVE_CARD);
		if (c->ctx)
			SCardReleaseContext(c->ctx);
		free(c);
		return to_rc(rv);
	}
	*out = c;
	return TM_OK;
}

static void p_disconnect(void *vconn)
{
	struct conn *c = vconn;

	if (c == NULL)
		return;
	SCardDisconnect(c->card, SCARD_LEAVE_CARD);
	SCardReleaseContext(c->ctx);
	free(c);
}

static int p_reconnect(void *vconn)
{
	struct conn *c = vconn;
	return to_rc(SCardReconnect(c->card, SCARD_SHARE_SHARED,
				    SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1, SCARD_LEAVE_CARD,
				    &c->protocol));
}

static int p_begin(void *vconn)
{
	struct conn *c = vconn;
	return to_rc(SCardBeginTransaction(c->card));
}

static void p_end(void *vconn)
{
	struct conn *c = vconn;
	SCardEndTransaction(c->card, SCARD_LEAVE_CARD);
}

static int p_transmit(void *vconn, const uint8_t *cmd, size_t len, uint8_t *resp,
		      size_t *resp_len)
{
	struct conn *c = vconn;
	DWORD n = (DWORD)*resp_len;
	const SCARD_IO_REQUEST *pci = c->protocol == SCARD_PROTOCOL_T0 ? SCARD_PCI_T0 : SCARD_PCI_T1;
	/* A receive PCI, though NULL is allowed: pcsc-lite 1.9.9's spy
	 * (libpcscspy, what developers preload to watch PC/SC) dereferences
	 * it and would crash the application. */
	SCARD_IO_REQUEST recv_pci = *pci;
	LONG rv = SCardTransmit(c->card, pci, cmd, (DWORD)len, &recv_pci, resp, &n);

	if (rv != (LONG)SCARD_S_SUCCESS)
		return to_rc(rv);
	*resp_len = n;
	return TM_OK;
}

static int p_wait(void *vctx, unsigned timeout_ms)
{
	struct pcsc *p = vctx;
	SCARD_READERSTATE st[17];
	char names[4096];
	DWORD len = sizeof(names), n = 0;

	/* The current state of every reader, plus PnP for new readers. */
	LONG lrv = SCardListReaders(p->wait_ctx, NULL, names, &len);
	if (renew(&p->wait_ctx, lrv)) {
		len = sizeof(names);
		lrv = SCardListReaders(p->wait_ctx, NULL, names, &len);
	}
	if (lrv == (LONG)SCARD_S_SUCCESS)
		for (char *r = names; *r && n < 16; r += strlen(r) + 1)
			st[n++] = (SCARD_READERSTATE){.szReader = r, .dwCurrentState = SCARD_STATE_UNAWARE};
	st[n++] = (SCARD_READERSTATE){.szReader = "\\\\?PnP?\\Notification",
				      .dwCurrentState = SCARD_STATE_UNAWARE};
	LONG rv = SCardGetStatusChange(p->wait_ctx, 0, st, n);
	if (rv != (LONG)SCARD_S_SUCCESS && rv != (LONG)SCARD_E_TIMEOUT)
		return to_rc(rv);
	for (DWORD i = 0; i < n; i++)
		st[i].dwCurrentState = st[i].dwEventState & ~(DWORD)SCARD_STATE_CHANGED;
	rv = SCardGetStatusChange(p->wait_ctx, timeout_ms, st, n);
	return to_rc(rv);
}

static void p_cancel(void *vctx)
{
	struct pcsc *p = vctx;
	SCardCancel(p->wait_ctx);
}

static void p_free(void *vctx)
{
	struct pcsc *p = vctx;
	SCardReleaseContext(p->ctx);
	SCardReleaseContext(p->wait_ctx);
	free(p);
}

static const struct tm_reader_ops pcsc_ops = {
	.list = p_list, .status = p_status, .connect = p_connect, .disconnect = p_disconnect,
	.reconnect = p_reconnect, .begin = p_begin, .end = p_end, .transmit = p_transmit,
	.wait = p_wait, .cancel = p_cancel, .free = p_free,
};

int tm_readers_pcsc(struct tm_readers *r)
{
	struct pcsc *p = calloc(1, sizeof(*p));
	LONG rv;

	if (p == NULL)
		return TM_ERR_NO_MEMORY;
	rv = SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &p->ctx);
	if (rv == (LONG)SCARD_S_SUCCESS)
		rv = SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &p->wait_ctx);
	if (rv != (LONG)SCARD_S_SUCCESS) {
		if (p->ctx)
			SCardReleaseContext(p->ctx);
		free(p);
		return to_rc(rv);
	}
	r->ops = &pcsc_ops;
	r->ctx = p;
	return TM_OK;
}
