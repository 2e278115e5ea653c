/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tumar-trace decode: each exchange of a trace, for people (text, in
 * colour on a terminal) or for scripts (--json). */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apdu/apdu.h"
#include "apdu/rc.h"
#include "apdu/sw.h"
#include "apdu/tlv.h"
#include "apdu/trace.h"
#include "tools/apdu_names.h"
#include "tools/trace_cmds.h"

/* ANSI colours, only when asked for. */
static const char *paint(const struct tm_trace_out *o, const char *code)
{
	return o->colour ? code : "";
}
#define BOLD "\033[1m"
#define GREEN "\033[32m"
#define YELLOW "\033[33m"
#define RED "\033[31m"
#define CYAN "\033[36m"
#define DIM "\033[2m"
#define RESET "\033[0m"

static void hex(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		printf("%s%02X", i && i % 32 == 0 ? "\n            " : "", p[i]);
}

static int print_tlv(const struct tm_tlv *t, unsigned depth, void *ctx)
{
	(void)ctx;
	printf("%*s%0*X", 10 + 2 * (int)depth, "", t->tag > 0xFFFF ? 6 : t->tag > 0xFF ? 4 : 2, t->tag);
	if (tm_tlv_is_constructed(t->tag)) {
		printf(" (%zu bytes)\n", t->len);
		return TM_OK;
	}
	printf(": ");
	hex(t->value, t->len > 64 ? 64 : t->len);
	printf("%s\n", t->len > 64 ? " ..." : "");
	return TM_OK;
}

/* Data as a TLV tree when it parses as one, else as hex. */
static void print_data(const char *what, const uint8_t *p, size_t n)
{
	struct tm_tlv_iter it;
	struct tm_tlv t;
	int rc;

	if (n == 0)
		return;
	printf("    %s: %zu bytes\n", what, n);
	tm_tlv_iter_init(&it, p, n);
	while ((rc = tm_tlv_next(&it, &t)) == TM_OK)
		;
	if (rc != TM_ERR_NOT_FOUND || tm_tlv_walk(p, n, print_tlv, NULL) != TM_OK) {
		printf("          ");
		hex(p, n > 256 ? 256 : n);
		printf("%s\n", n > 256 ? " ..." : "");
	}
}

static const char *sw_colour(uint16_t sw)
{
	if (sw == 0x9000 || (sw & 0xFF00) == 0x6100)
		return GREEN;
	if ((sw & 0xFF00) == 0x6200 || (sw & 0xFF00) == 0x6300)
		return YELLOW;
	return RED;
}

static uint16_t sw_of(const struct tm_trace_rec *r)
{
	return (uint16_t)(r->resp[r->resp_len - 2] << 8 | r->resp[r->resp_len - 1]);
}

static void decode_text(const struct tm_trace_rec *r, const struct tm_trace_out *o)
{
	char name[16], sw_text[128];
	const uint8_t *c = r->cmd;
	const char *meaning = tm_p1p2_meaning(c[1], c[2], c[3]);

	printf("%s#%llu %s %uus%s\n", paint(o, DIM), (unsigned long long)r->seq,
	       r->reader[0] ? r->reader : "-", r->duration_us, paint(o, RESET));
	printf("  > %02X %02X %02X %02X  %s%s%s%s%s%s\n", c[0], c[1], c[2], c[3], paint(o, BOLD CYAN),
	       tm_ins_name(c[0], c[1], name, sizeof(name)), paint(o, RESET), meaning[0] ? " (" : "",
	       meaning, meaning[0] ? ")" : "");
	if (c[0] & 0x10)
		printf("    (chained: more of this command follows)\n");
	if (r->sensitive) {
		printf("    data: %zu bytes, secret (masked)\n", r->hidden_len);
	} else {
		struct tm_apdu a;
		if (tm_apdu_decode(r->cmd, r->cmd_len, &a, NULL) == TM_OK) {
			if (a.ne)
				printf("    Ne: %zu\n", a.ne);
			print_data("data", a.data, a.nc);
		} else {
			printf("    malformed APDU: ");
			hex(r->cmd, r->cmd_len);
			printf("\n");
		}
	}
	if (!r->has_resp) {
		printf("  < %sno response (the transport failed)%s\n\n", paint(o, RED), paint(o, RESET));
		return;
	}
	uint16_t sw = sw_of(r);
	tm_sw_describe(sw, sw_text, sizeof(sw_text));
	printf("  < %s%04X %s%s: %s\n", paint(o, sw_colour(sw)), sw, tm_sw_lookup(sw)->name,
	       paint(o, RESET), sw_text);
	if (r->private_response)
		printf("    data: %zu bytes, private (masked)\n", r->resp_hidden);
	else
		print_data("data", r->resp, r->resp_len - 2);
	printf("\n");
}

static void json_hex(struct tj *j, const char *key, const uint8_t *p, size_t n)
{
	char *h = malloc(2 * n + 1);

	if (h == NULL)
		return;
	tm_trace_hex(h, p, n);
	tj_str(j, key, h);
	free(h);
}

static void decode_json(const struct tm_trace_rec *r, struct tj *j)
{
	char name[16], sw_text[128];
	struct tm_apdu a;

	tj_obj(j, NULL);
	tj_int(j, "seq", (long long)r->seq);
	tj_str(j, "reader", r->reader);
	tj_int(j, "duration_us", r->duration_us);
	tj_obj(j, "command");
	json_hex(j, "header", r->cmd, 4);
	tj_str(j, "name", tm_ins_name(r->cmd[0], r->cmd[1], name, sizeof(name)));
	tj_str(j, "p1p2", tm_p1p2_meaning(r->cmd[1], r->cmd[2], r->cmd[3]));
	if (r->sensitive) {
		tj_int(j, "secret_bytes", (long long)r->hidden_len);
	} else if (tm_apdu_decode(r->cmd, r->cmd_len, &a, NULL) == TM_OK) {
		json_hex(j, "data", a.data, a.nc);
		tj_int(j, "ne", (long long)a.ne);
	} else {
		json_hex(j, "malformed", r->cmd, r->cmd_len);
	}
	tj_end(j, '}');
	if (r->has_resp) {
		uint16_t sw = sw_of(r);
		tm_sw_describe(sw, sw_text, sizeof(sw_text));
		tj_obj(j, "response");
		snprintf(name, sizeof(name), "%04X", sw);
		tj_str(j, "sw", name);
		tj_str(j, "sw_name", tm_sw_lookup(sw)->name);
		tj_str(j, "meaning", sw_text);
		if (r->private_response)
			tj_int(j, "private_bytes", (long long)r->resp_hidden);
		else
			json_hex(j, "data", r->resp, r->resp_len - 2);
		tj_end(j, '}');
	} else {
		tj_str(j, "response", NULL);
	}
	tj_end(j, '}');
}

static void decode_one(const struct tm_trace_rec *r, void *ctx)
{
	struct tm_trace_out *o = ctx;

	if (o->json)
		decode_json(r, &o->j);
	else
		decode_text(r, o);
}

int tm_trace_decode_cmd(FILE *in, const char *name, struct tm_trace_out *out)
{
	int rc;

	if (out->json) {
		tj_obj(&out->j, NULL);
		tj_arr(&out->j, "exchanges");
	}
	rc = tm_trace_each(in, name, decode_one, out);
	if (out->json) {
		tj_end(&out->j, ']');
		tj_end(&out->j, '}');
	}
	return rc;
}
