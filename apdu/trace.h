/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * APDU trace lines (docs/trace-format.md): a writer that hides the data
 * of secret-carrying commands, and a strict parser for the same format.
 */
#ifndef TUMAR_APDU_TRACE_H
#define TUMAR_APDU_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "apdu.h"

#define TM_TRACE_MAX_READER 255

/* One exchange, as the writer takes it. */
struct tm_trace_event {
	uint64_t seq;
	int64_t time_us;      /* Unix time in microseconds */
	uint32_t duration_us;
	const char *reader;   /* may be NULL */
	bool sensitive;       /* the sender's mark; see tm_trace_is_secret */
	bool private_response; /* the response's data is written as its length */
	const uint8_t *cmd;
	size_t cmd_len;
	const uint8_t *resp;  /* NULL: the transport failed */
	size_t resp_len;
};

/* One exchange, as the parser returns it.  Large: allocate it. */
struct tm_trace_rec {
	uint64_t seq;
	int64_t time_us;
	uint32_t duration_us;
	char reader[TM_TRACE_MAX_READER + 1]; /* "" when the line had "-" */
	bool sensitive;
	/* Set by readers of several inputs, not by the parsers: */
	unsigned process;     /* 1, 2, ...: which process of the input wrote it */
	uint64_t number;      /* its place among all exchanges of the input, from 0 */
	/* Set by tm_trace_join: exchanges folded into this one (chained
	 * pieces after the first, GET RESPONSEs), and the last one's number. */
	unsigned joined;
	uint64_t number_last;
	uint8_t cmd[TM_APDU_MAX_COMMAND]; /* for a secret: the 4 header bytes */
	size_t cmd_len;
	size_t hidden_len;    /* for a secret: data bytes not written */
	bool has_resp;
	bool private_response; /* resp holds the SW only; resp_hidden data bytes not written */
	size_t resp_hidden;
	uint8_t resp[TM_APDU_MAX_RESPONSE];
	size_t resp_len;
};

/* True for the commands whose data is always a secret (PINs): VERIFY,
 * CHANGE REFERENCE DATA and RESET RETRY COUNTER of interindustry class. */
bool tm_trace_is_secret(const uint8_t *cmd, size_t len);

/* Starts rec afresh (the fields before cmd zeroed, no response) with a
 * command as another tool's log showed it (len >= 4), masked when it
 * carries a secret (tm_trace_is_secret): its header, and Lc as the count
 * of hidden bytes.  For the readers of pcscd's, OpenSC's and pcsc-spy's
 * logs, which show PINs in clear. */
void tm_trace_rec_command(struct tm_trace_rec *rec, const uint8_t *cmd, size_t len);

/* The line for ev, with its '\n', NUL-terminated, from OPENSSL_malloc
 * (free with OPENSSL_free); NULL on bad arguments or no memory. */
char *tm_trace_format(const struct tm_trace_event *ev, size_t *len);

/* Opens a trace or log file for appending, created 0600 if new (it shows
 * which commands went to a token, and when); NULL with errno on failure.
 * An existing file keeps its mode. */
FILE *tm_trace_open(const char *path);

/* Formats and writes ev with one fwrite, then flushes. TM_OK or an error. */
int tm_trace_write(FILE *f, const struct tm_trace_event *ev);

/* TM_OK; TM_ERR_NOT_FOUND for a line that is not a trace line (so a
 * reader skips it); TM_ERR_MALFORMED for a trace line that breaks the
 * format. */
int tm_trace_parse(const char *line, size_t len, struct tm_trace_rec *rec);

#endif
