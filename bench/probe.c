/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tumar-bench: the transport by itself — GET CHALLENGE round trips
 * through PC/SC (pcscd, vpcd) to a card, bare and inside a transaction
 * as a PKCS#11 module sends them. */
#include <config.h>

#include <stdio.h>

#include <PCSC/winscard.h>

#include "bench/bench.h"

bool bm_probe(const char *reader, int n, struct bm_samples *bare, struct bm_samples *txn)
{
	static const BYTE challenge[] = {0x00, 0x84, 0x00, 0x00, 0x08};
	SCARDCONTEXT ctx;
	SCARDHANDLE card;
	DWORD proto;
	LONG rv = SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &ctx);

	if (rv == SCARD_S_SUCCESS)
		rv = SCardConnect(ctx, reader, SCARD_SHARE_SHARED, SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1,
				  &card, &proto);
	if (rv != SCARD_S_SUCCESS) {
		fprintf(stderr, "tumar-bench: %s: %s\n", reader, pcsc_stringify_error(rv));
		return false;
	}
	const SCARD_IO_REQUEST *pci = proto == SCARD_PROTOCOL_T0 ? SCARD_PCI_T0 : SCARD_PCI_T1;
	SCARD_IO_REQUEST recv_pci = *pci; /* never NULL: libpcscspy reads it */
	for (int i = 0; i < 2 * n && rv == SCARD_S_SUCCESS; i++) {
		BYTE resp[258];
		DWORD len = sizeof(resp);
		bool in_txn = i % 2; /* interleaved, so both see the same conditions */
		double t0 = bm_now();
		if (in_txn)
			rv = SCardBeginTransaction(card);
		if (rv == SCARD_S_SUCCESS)
			rv = SCardTransmit(card, pci, challenge, sizeof(challenge), &recv_pci, resp,
					   &len);
		if (in_txn && rv == SCARD_S_SUCCESS)
			rv = SCardEndTransaction(card, SCARD_LEAVE_CARD);
		bm_add(in_txn ? txn : bare, bm_now() - t0);
		if (rv == SCARD_S_SUCCESS && (len != 10 || resp[8] != 0x90)) {
			fprintf(stderr, "tumar-bench: %s: GET CHALLENGE answered %lu bytes\n", reader,
				(unsigned long)len);
			rv = SCARD_F_UNKNOWN_ERROR;
		}
	}
	if (rv != SCARD_S_SUCCESS)
		fprintf(stderr, "tumar-bench: %s: %s\n", reader, pcsc_stringify_error(rv));
	SCardDisconnect(card, SCARD_LEAVE_CARD);
	SCardReleaseContext(ctx);
	return rv == SCARD_S_SUCCESS;
}
