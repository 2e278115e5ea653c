/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tumar-trace's inputs: the project's trace lines, pcscd's APDU log,
 * OpenSC's debug log and pcsc-spy's output, in any mix, numbered across the processes that
 * wrote them, and (for decode) joined into whole exchanges. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "apdu/opensc_log.h"
#include "apdu/pcsc_spy_log.h"
#include "apdu/pcscd_log.h"
#include "apdu/rc.h"
#include "apdu/trace_join.h"
#include "tools/trace_cmds.h"

enum source { SRC_NONE, SRC_TRACE, SRC_PCSCD, SRC_OPENSC, SRC_SPY };

struct input {
	struct tm_trace_rec *rec;
	struct tm_pcscd_log *pcscd;
	struct tm_opensc_log *opensc;
	struct tm_spy_log *spy;
	struct tm_trace_join *join; /* NULL: each APDU as it came */
	enum source last_src;
	uint64_t last_seq;          /* of the last trace line */
	unsigned long last_pid;     /* of the last OpenSC exchange */
	unsigned process;
	uint64_t number;
	unsigned long apdus;
	void (*fn)(const struct tm_trace_rec *r, void *ctx);
	void *ctx;
};

/* A new process: another source, a trace whose numbers start again (a
 * second program appending to the same TUMAR_TRACE file), or another
 * OpenSC PID. */
static bool new_process(struct input *in, enum source src, const struct tm_trace_rec *r)
{
	if (in->last_src == SRC_NONE)
		return true;
	if (src != in->last_src)
		return true;
	if (src == SRC_TRACE)
		return r->seq <= in->last_seq;
	if (src == SRC_OPENSC)
		return in->opensc->rec_pid != in->last_pid;
	return false;
}

static void take(struct input *in, enum source src, struct tm_trace_rec *r)
{
	if (new_process(in, src, r))
		in->process++;
	in->last_src = src;
	in->last_seq = r->seq;
	if (src == SRC_OPENSC)
		in->last_pid = in->opensc->rec_pid;
	r->process = in->process;
	r->number = r->number_last = in->number++;
	r->joined = 0;
	in->apdus++;
	if (in->join != NULL)
		tm_trace_join_feed(in->join, r, in->fn, in->ctx);
	else
		in->fn(r, in->ctx);
}

static void release(struct input *in)
{
	if (in->rec != NULL)
		OPENSSL_cleanse(in->rec, sizeof(*in->rec));
	free(in->rec);
	free(in->pcscd);
	if (in->opensc != NULL)
		OPENSSL_cleanse(in->opensc, sizeof(*in->opensc));
	free(in->opensc);
	if (in->spy != NULL)
		OPENSSL_cleanse(in->spy, sizeof(*in->spy));
	free(in->spy);
	free(in->join);
}

int tm_trace_each(FILE *f, const char *name, bool join,
		  void (*fn)(const struct tm_trace_rec *r, void *ctx), void *ctx)
{
	struct input in = {.fn = fn, .ctx = ctx};
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	unsigned long n = 0, broken = 0;

	in.rec = malloc(sizeof(*in.rec));
	in.pcscd = malloc(sizeof(*in.pcscd));
	in.opensc = malloc(sizeof(*in.opensc));
	in.spy = malloc(sizeof(*in.spy));
	in.join = join ? malloc(sizeof(*in.join)) : NULL;
	if (in.rec == NULL || in.pcscd == NULL || in.opensc == NULL || in.spy == NULL ||
	    (join && in.join == NULL)) {
		release(&in);
		return 2;
	}
	tm_pcscd_log_init(in.pcscd);
	tm_opensc_log_init(in.opensc);
	tm_spy_log_init(in.spy);
	if (in.join != NULL)
		tm_trace_join_init(in.join);
	while ((len = getline(&line, &cap, f)) >= 0) {
		enum source src = SRC_TRACE;
		n++;
		int rc = tm_trace_parse(line, (size_t)len, in.rec);
		if (rc == TM_ERR_NOT_FOUND) {
			src = SRC_OPENSC;
			rc = tm_opensc_log_line(in.opensc, line, (size_t)len, in.rec);
		}
		if (rc == TM_ERR_NOT_FOUND && in.opensc->dump == 0) {
			src = SRC_SPY;
			rc = tm_spy_log_line(in.spy, line, (size_t)len, in.rec);
		}
		/* Not inside another tool's dump, whose ASCII column could look
		 * like anything. */
		if (rc == TM_ERR_NOT_FOUND && in.opensc->dump == 0 && in.spy->dump == 0) {
			src = SRC_PCSCD;
			rc = tm_pcscd_log_line(in.pcscd, line, (size_t)len, in.rec);
		}
		if (rc == TM_OK) {
			take(&in, src, in.rec);
		} else if (rc != TM_ERR_NOT_FOUND) {
			fprintf(stderr, "tumar-trace: %s:%lu: not a valid trace line; skipped\n", name, n);
			broken++;
		}
	}
	if (tm_opensc_log_finish(in.opensc, in.rec) == TM_OK)
		take(&in, SRC_OPENSC, in.rec);
	tm_spy_log_finish(in.spy);
	if (tm_pcscd_log_finish(in.pcscd, in.rec) == TM_OK)
		take(&in, SRC_PCSCD, in.rec);
	if (in.join != NULL)
		tm_trace_join_flush(in.join, fn, ctx);
	/* A pcscd or OpenSC log holds PINs in clear until they are masked. */
	if (line != NULL)
		OPENSSL_cleanse(line, cap);
	free(line);
	unsigned long apdus = in.apdus;
	release(&in);
	if (broken)
		return 1;
	/* Nothing at all is not a trace with no errors: most often the
	 * wrong file, or a pcscd log without -a. */
	if (apdus == 0) {
		fprintf(stderr, "tumar-trace: %s: no APDUs in it (%lu line%s): not a Tumar trace, "
				"a pcscd log with APDUs (pcscd -f -a), an OpenSC debug log "
				"(OPENSC_DEBUG=9) nor pcsc-spy's output\n",
			name, n, n == 1 ? "" : "s");
		return 3;
	}
	return 0;
}
