/* tumar-trace decode: each exchange of a trace, for people. */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "apdu/apdu.h"
#include "apdu/rc.h"
#include "apdu/sw.h"
#include "apdu/tlv.h"
#include "apdu/trace.h"
#include "tools/apdu_names.h"
#include "tools/trace_cmds.h"

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
	if (n == 0)
		return;
	printf("    %s: %zu bytes\n", what, n);
	struct tm_tlv_iter it;
	struct tm_tlv t;
	tm_tlv_iter_init(&it, p, n);
	bool tlv = true;
	int rc;
	while ((rc = tm_tlv_next(&it, &t)) == TM_OK)
		;
	tlv = rc == TM_ERR_NOT_FOUND;
	if (!tlv || tm_tlv_walk(p, n, print_tlv, NULL) != TM_OK) {
		printf("          ");
		hex(p, n > 256 ? 256 : n);
		printf("%s\n", n > 256 ? " ..." : "");
	}
}

static void decode_one(const struct tm_trace_rec *r)
{
	char name[16], sw_text[128];
	const uint8_t *c = r->cmd;

	printf("#%llu %s %uus %s\n", (unsigned long long)r->seq, r->reader[0] ? r->reader : "-",
	       r->duration_us, "");
	const char *meaning = tm_p1p2_meaning(c[1], c[2], c[3]);
	printf("  > %02X %02X %02X %02X  %s%s%s%s\n", c[0], c[1], c[2], c[3],
	       tm_ins_name(c[0], c[1], name, sizeof(name)), meaning[0] ? " (" : "", meaning,
	       meaning[0] ? ")" : "");
	if (c[0] & 0x10)
		printf("    (chained: more of this command follows)\n");
	if (r->sensitive) {
		printf("    data: %zu bytes, secret (not in the trace)\n", r->hidden_len);
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
		printf("  < no response (the transport failed)\n\n");
		return;
	}
	uint16_t sw = (uint16_t)(r->resp[r->resp_len - 2] << 8 | r->resp[r->resp_len - 1]);
	tm_sw_describe(sw, sw_text, sizeof(sw_text));
	printf("  < %04X %s: %s\n", sw, tm_sw_lookup(sw)->name, sw_text);
	print_data("data", r->resp, r->resp_len - 2);
	printf("\n");
}

int tm_trace_decode_cmd(FILE *in, const char *name)
{
	return tm_trace_each(in, name, decode_one);
}
