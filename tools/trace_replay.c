/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tumar-trace replay: a trace's commands sent again, through PC/SC, to
 * the card in a reader; every response that differs from the trace's is
 * reported.  Commands whose data the trace masks (PINs) cannot be sent
 * again and are skipped, so what needed them may differ; with --pin-fd,
 * the user PIN's VERIFY is sent with the PIN read from that descriptor,
 * so a session replays past its login. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include <PCSC/winscard.h>

#include <openssl/crypto.h>

#include "apdu/sw.h"
#include "tools/apdu_names.h"
#include "tools/trace_cmds.h"

struct replay {
	SCARDHANDLE card;
	DWORD proto;
	struct tm_trace_out *out;
	const char *pin; /* NULL: none given */
	size_t pin_len;
	unsigned long sent, same, differ, skipped, failed;
	uint8_t resp[TM_APDU_MAX_RESPONSE];
};

static void report(struct replay *rp, const struct tm_trace_rec *r, const char *what, DWORD len)
{
	char name[16];
	const char *cmd = tm_ins_name(r->cmd[0], r->cmd[1], name, sizeof(name));
	uint16_t want = r->has_resp ? (uint16_t)(r->resp[r->resp_len - 2] << 8 | r->resp[r->resp_len - 1]) : 0;
	uint16_t got = len >= 2 ? (uint16_t)(rp->resp[len - 2] << 8 | rp->resp[len - 1]) : 0;

	if (rp->out->json) {
		struct tj *j = &rp->out->j;
		char sw[8];
		tj_obj(j, NULL);
		tj_int(j, "seq", (long long)r->seq);
		tj_str(j, "command", cmd);
		tj_str(j, "result", what);
		if (r->has_resp) {
			snprintf(sw, sizeof(sw), "%04X", want);
			tj_str(j, "trace_sw", sw);
			tj_int(j, "trace_bytes", (long long)(r->resp_len - 2 + r->resp_hidden));
		}
		if (len >= 2) {
			snprintf(sw, sizeof(sw), "%04X", got);
			tj_str(j, "card_sw", sw);
			tj_int(j, "card_bytes", (long long)len - 2);
		}
		tj_end(j, '}');
		return;
	}
	printf("#%llu %-28s %s", (unsigned long long)r->seq, cmd, what);
	if (r->has_resp && len >= 2)
		printf(": trace %04X (%zu bytes), card %04X (%lu bytes)", want, r->resp_len - 2 + r->resp_hidden, got,
		       (unsigned long)len - 2);
	putchar('\n');
}

static void replay_one(const struct tm_trace_rec *r, void *ctx)
{
	struct replay *rp = ctx;
	const SCARD_IO_REQUEST *pci = rp->proto == SCARD_PROTOCOL_T0 ? SCARD_PCI_T0 : SCARD_PCI_T1;
	DWORD len = sizeof(rp->resp);
	LONG rv;

	uint8_t verify[5 + 255];
	const uint8_t *cmd = r->cmd;
	size_t cmd_len = r->cmd_len;

	if (r->sensitive) {
		const uint8_t *c = r->cmd;
		bool user_verify = c[0] == 0x00 && c[1] == 0x20 && c[2] == 0x00 && c[3] == 0x81;
		if (rp->pin == NULL || !user_verify) {
			rp->skipped++;
			report(rp, r, rp->pin == NULL ? "skipped (its data is a secret the trace does not hold)"
						      : "skipped (a secret other than the user PIN's VERIFY)", 0);
			return;
		}
		if (r->hidden_len != rp->pin_len) {
			char why[128];
			snprintf(why, sizeof(why), "skipped (the PIN from --pin-fd has %zu bytes, this VERIFY %zu)",
				 rp->pin_len, r->hidden_len);
			rp->skipped++;
			report(rp, r, why, 0);
			return;
		}
		memcpy(verify, c, 4);
		verify[4] = (uint8_t)rp->pin_len;
		memcpy(verify + 5, rp->pin, rp->pin_len);
		cmd = verify;
		cmd_len = 5 + rp->pin_len;
	}
	rp->sent++;
	SCARD_IO_REQUEST recv_pci = *pci; /* never NULL: libpcscspy reads it */
	rv = SCardTransmit(rp->card, pci, cmd, (DWORD)cmd_len, &recv_pci, rp->resp, &len);
	if (cmd == verify)
		OPENSSL_cleanse(verify, sizeof(verify));
	if (rv != SCARD_S_SUCCESS || len < 2) {
		rp->failed++;
		report(rp, r, pcsc_stringify_error(rv), 0);
		return;
	}
	if (r->has_resp && len == r->resp_len && memcmp(rp->resp, r->resp, len) == 0) {
		rp->same++;
		return;
	}
	/* A private response was written as its length and SW: that much
	 * can be compared. */
	if (r->private_response && len == r->resp_hidden + 2 &&
	    memcmp(rp->resp + len - 2, r->resp, 2) == 0) {
		rp->same++;
		return;
	}
	rp->differ++;
	report(rp, r, r->has_resp ? "differs" : "answered (the trace had no response)", len);
}

int tm_trace_replay_cmd(FILE *in, const char *name, const char *reader, bool reset,
			const char *pin, size_t pin_len, struct tm_trace_out *out)
{
	struct replay *rp = calloc(1, sizeof(*rp));
	SCARDCONTEXT ctx;
	LONG rv;
	int rc;

	if (rp == NULL)
		return 2;
	rp->out = out;
	rp->pin = pin;
	rp->pin_len = pin_len;
	rv = SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &ctx);
	if (rv != SCARD_S_SUCCESS) {
		fprintf(stderr, "tumar-trace: PC/SC: %s (is pcscd running?)\n", pcsc_stringify_error(rv));
		free(rp);
		return 2;
	}
	rv = SCardConnect(ctx, reader, SCARD_SHARE_SHARED, SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1,
			  &rp->card, &rp->proto);
	if (rv != SCARD_S_SUCCESS) {
		fprintf(stderr, "tumar-trace: %s: %s\n", reader, pcsc_stringify_error(rv));
		SCardReleaseContext(ctx);
		free(rp);
		return 2;
	}
	/* The card as after power-on, as a trace recorded from there expects. */
	if (reset && (rv = SCardReconnect(rp->card, SCARD_SHARE_SHARED,
					  SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1, SCARD_RESET_CARD,
					  &rp->proto)) != SCARD_S_SUCCESS) {
		fprintf(stderr, "tumar-trace: %s: reset: %s\n", reader, pcsc_stringify_error(rv));
		SCardDisconnect(rp->card, SCARD_LEAVE_CARD);
		SCardReleaseContext(ctx);
		free(rp);
		return 2;
	}
	/* One transaction: no other application's command lands between
	 * the trace's. */
	SCardBeginTransaction(rp->card);
	if (out->json) {
		tj_obj(&out->j, NULL);
		tj_arr(&out->j, "differences");
	}
	rc = tm_trace_each(in, name, false, replay_one, rp);
	SCardEndTransaction(rp->card, SCARD_LEAVE_CARD);
	SCardDisconnect(rp->card, SCARD_LEAVE_CARD);
	SCardReleaseContext(ctx);
	if (out->json) {
		tj_end(&out->j, ']');
		tj_int(&out->j, "sent", (long long)rp->sent);
		tj_int(&out->j, "same", (long long)rp->same);
		tj_int(&out->j, "differ", (long long)rp->differ);
		tj_int(&out->j, "skipped", (long long)rp->skipped);
		tj_int(&out->j, "failed", (long long)rp->failed);
		tj_end(&out->j, '}');
	} else {
		printf("%lu sent: %lu same, %lu differ, %lu failed; %lu skipped (secret)\n", rp->sent,
		       rp->same, rp->differ, rp->failed, rp->skipped);
	}
	if (rp->differ || rp->failed)
		rc = 1;
	free(rp);
	return rc;
}
