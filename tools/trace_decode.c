/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tumar-trace decode: each exchange of a trace, for people (text, in
 * colour on a terminal) or for scripts (--json): the command's name and
 * P1-P2, AIDs by name, data as a TLV tree with the Tumar applet's tag
 * names, the DigestInfo inside a signature command, printable bytes as
 * text, and the status word's meaning. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/objects.h>
#include <openssl/x509.h>

#include "apdu/apdu.h"
#include "apdu/protocol.h"
#include "apdu/rc.h"
#include "apdu/sw.h"
#include "apdu/tlv.h"
#include "apdu/trace.h"
#include "tools/apdu_names.h"
#include "tools/trace_cmds.h"
#include "tools/trace_names.h"

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

#define TREE_MAX_DEPTH 16 /* deeper data is shown as bytes */

static bool printable(const uint8_t *p, size_t n)
{
	if (n < 2)
		return false;
	for (size_t i = 0; i < n; i++)
		if (p[i] < 0x20 || p[i] > 0x7E)
			return false;
	return true;
}

static void hex(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		printf("%s%02X", i && i % 32 == 0 ? "\n            " : "", p[i]);
}

/* 16 bytes a line, with the printable ones beside them. */
static void dump(const uint8_t *p, size_t n, int indent)
{
	for (size_t at = 0; at < n; at += 16) {
		size_t k = n - at < 16 ? n - at : 16;
		printf("%*s%04zX  ", indent, "", at);
		for (size_t i = 0; i < 16; i++)
			printf(i < k ? "%02X " : "   ", p[at + (i < k ? i : 0)]);
		printf(" |");
		for (size_t i = 0; i < k; i++)
			putchar(p[at + i] >= 0x20 && p[at + i] <= 0x7E ? p[at + i] : '.');
		printf("|\n");
	}
}

/* Whether the bytes are one or more whole BER-TLVs, nested ones too. */
static bool is_tlv(const uint8_t *p, size_t n, unsigned depth)
{
	struct tm_tlv_iter it;
	struct tm_tlv t;
	int rc;

	if (n == 0 || depth > TREE_MAX_DEPTH)
		return false;
	/* ISO 7816-4 §5.2 lets 00 and FF pad between TLVs, but data that
	 * starts with them is far likelier a binary file (LASER's cardcf:
	 * 00 06 00 03 01 00 01 00) than padded TLVs: shown as bytes. */
	if (depth == 0 && (p[0] == 0x00 || p[0] == 0xFF))
		return false;
	tm_tlv_iter_init(&it, p, n);
	while ((rc = tm_tlv_next(&it, &t)) == TM_OK)
		if (tm_tlv_is_constructed(t.tag) && t.len && !is_tlv(t.value, t.len, depth + 1))
			return false;
	return rc == TM_ERR_NOT_FOUND;
}

/* The template whose names a child of `tag` takes: an A5 inside CREATE
 * FILE's FCP or PUT DATA holds object attributes, named as a directory
 * entry's. */
static uint32_t names_of(uint32_t tag, uint32_t parent, uint8_t ins)
{
	if (tag == 0xA5 && (parent == 0x62 || ins == TM_INS_PUT_DATA || ins == TM_INS_PUT_DATA_ODD))
		return 0xE1;
	return tag;
}

static int tag_width(uint32_t tag)
{
	return tag > 0xFFFF ? 6 : tag > 0xFF ? 4 : 2;
}

static void tree_text(const uint8_t *p, size_t n, uint32_t parent, unsigned depth, uint8_t ins)
{
	struct tm_tlv_iter it;
	struct tm_tlv t;

	tm_tlv_iter_init(&it, p, n);
	while (tm_tlv_next(&it, &t) == TM_OK) {
		const char *name = tm_tumar_tag_name(parent, t.tag);
		printf("%*s%0*X", 10 + 2 * (int)depth, "", tag_width(t.tag), t.tag);
		if (name != NULL)
			printf(" (%s)", name);
		if (tm_tlv_is_constructed(t.tag)) {
			printf(", %zu bytes\n", t.len);
			tree_text(t.value, t.len, names_of(t.tag, parent, ins), depth + 1, ins);
			continue;
		}
		printf(": ");
		hex(t.value, t.len > 64 ? 64 : t.len);
		printf("%s", t.len > 64 ? " ..." : "");
		if (printable(t.value, t.len))
			printf("  \"%.*s\"", (int)(t.len > 64 ? 64 : t.len), (const char *)t.value);
		printf("\n");
	}
}

/* The DigestInfo a PKCS#1 v1.5 signer sends in COMPUTE DIGITAL SIGNATURE:
 * the hash's name and OID, and the digest. */
struct digest {
	char alg[80], oid[80];
	uint8_t d[64];
	size_t len;
};

static bool signed_digest(const uint8_t *c, const struct tm_apdu *a, struct digest *out)
{
	unsigned p1p2 = (unsigned)c[2] << 8 | c[3];
	const unsigned char *q = a->data;
	const X509_ALGOR *alg;
	const ASN1_OCTET_STRING *d;
	const ASN1_OBJECT *obj;
	X509_SIG *sig;
	bool ok;

	if ((c[0] & 0x80) || c[1] != TM_INS_PSO || p1p2 != TM_P1P2_PSO_CDS || a->nc == 0)
		return false;
	sig = d2i_X509_SIG(NULL, &q, (long)a->nc);
	if (sig == NULL)
		return false;
	X509_SIG_get0(sig, &alg, &d);
	X509_ALGOR_get0(&obj, NULL, NULL, alg);
	out->len = (size_t)ASN1_STRING_length(d);
	ok = q == a->data + a->nc && out->len <= sizeof(out->d);
	if (ok) {
		memcpy(out->d, ASN1_STRING_get0_data(d), out->len);
		OBJ_obj2txt(out->oid, (int)sizeof(out->oid), obj, 1);
		int nid = OBJ_obj2nid(obj);
		snprintf(out->alg, sizeof(out->alg), "%s", nid != NID_undef ? OBJ_nid2sn(nid) : out->oid);
	}
	X509_SIG_free(sig);
	return ok;
}

static void print_data(const char *what, const uint8_t *p, size_t n, uint32_t parent, uint8_t ins)
{
	if (n == 0)
		return;
	printf("    %s: %zu bytes\n", what, n);
	if (is_tlv(p, n, 0)) {
		tree_text(p, n, parent, 0, ins);
		return;
	}
	dump(p, n > 512 ? 512 : n, 10);
	if (n > 512)
		printf("%10s... %zu bytes more\n", "", n - 512);
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

static const char *p1p2_words(const uint8_t *c, char *buf, size_t cap)
{
	if (!(c[0] & 0x80) && c[1] == TM_INS_SELECT)
		return tm_select_p1p2(c[2], c[3], buf, cap);
	return tm_p1p2_meaning(c[1], c[2], c[3]);
}

static void joined_text(const struct tm_trace_rec *r)
{
	if (r->joined == 0)
		return;
	printf("    (joined: %u more APDU%s, #%llu to #%llu: chained pieces and GET RESPONSEs)\n",
	       r->joined, r->joined == 1 ? "" : "s", (unsigned long long)r->number,
	       (unsigned long long)r->number_last);
}

static void command_text(const struct tm_trace_rec *r)
{
	const uint8_t *c = r->cmd;
	struct tm_apdu a;

	if (c[0] & 0x10)
		printf("    (chained: more of this command follows)\n");
	if (r->sensitive) {
		printf("    data: %zu bytes, secret (masked)\n", r->hidden_len);
		return;
	}
	if (tm_apdu_decode(r->cmd, r->cmd_len, &a, NULL) != TM_OK) {
		printf("    malformed APDU:\n");
		dump(r->cmd, r->cmd_len, 10);
		return;
	}
	if (a.ne)
		printf("    Ne: %zu\n", a.ne);
	if (c[1] == TM_INS_SELECT && c[2] == 0x04 && a.nc) {
		const char *name = tm_aid_name(a.data, a.nc);
		printf("    AID: ");
		hex(a.data, a.nc);
		printf(" (%s)\n", name ? name : "not one tumar-trace knows");
		return;
	}
	struct digest dg;
	if (signed_digest(c, &a, &dg)) {
		printf("    DigestInfo: %s (%s), digest %zu bytes: ", dg.alg, dg.oid, dg.len);
		hex(dg.d, dg.len);
		printf("\n");
		return;
	}
	print_data("data", a.data, a.nc, 0, c[1]);
}

static void process_line(const struct tm_trace_rec *r, struct tm_trace_out *o)
{
	if (r->process != o->process && r->process > 1)
		printf("%s--- process %u: its own numbers start again ---%s\n\n", paint(o, DIM),
		       r->process, paint(o, RESET));
	o->process = r->process;
}

static void decode_text(const struct tm_trace_rec *r, struct tm_trace_out *o)
{
	char name[16], sw_text[128], words[96];
	const uint8_t *c = r->cmd;
	const char *meaning = p1p2_words(c, words, sizeof(words));

	process_line(r, o);
	printf("%s#%llu", paint(o, DIM), (unsigned long long)r->number);
	if (r->process > 1 || r->seq != r->number)
		printf(" (process %u, seq %llu)", r->process, (unsigned long long)r->seq);
	printf(" %s %uus%s\n", r->reader[0] ? r->reader : "-", r->duration_us, paint(o, RESET));
	printf("  > %02X %02X %02X %02X  %s%s%s%s%s%s\n", c[0], c[1], c[2], c[3], paint(o, BOLD CYAN),
	       tm_ins_name(c[0], c[1], name, sizeof(name)), paint(o, RESET), meaning[0] ? " (" : "",
	       meaning, meaning[0] ? ")" : "");
	joined_text(r);
	command_text(r);
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
		print_data("data", r->resp, r->resp_len - 2, 0, c[1]);
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

static void tree_json(struct tj *j, const uint8_t *p, size_t n, uint32_t parent, uint8_t ins)
{
	struct tm_tlv_iter it;
	struct tm_tlv t;
	char tag[8];

	tm_tlv_iter_init(&it, p, n);
	while (tm_tlv_next(&it, &t) == TM_OK) {
		tj_obj(j, NULL);
		snprintf(tag, sizeof(tag), "%0*X", tag_width(t.tag), t.tag);
		tj_str(j, "tag", tag);
		tj_str(j, "name", tm_tumar_tag_name(parent, t.tag));
		if (tm_tlv_is_constructed(t.tag)) {
			tj_arr(j, "children");
			tree_json(j, t.value, t.len, names_of(t.tag, parent, ins), ins);
			tj_end(j, ']');
		} else {
			json_hex(j, "value", t.value, t.len);
			if (printable(t.value, t.len))
				tj_strn(j, "text", (const char *)t.value, t.len);
		}
		tj_end(j, '}');
	}
}

/* "data" as hex, and "tlv" as a tree when it is one. */
static void data_json(struct tj *j, const uint8_t *p, size_t n, uint8_t ins)
{
	json_hex(j, "data", p, n);
	if (is_tlv(p, n, 0)) {
		tj_arr(j, "tlv");
		tree_json(j, p, n, 0, ins);
		tj_end(j, ']');
	}
}

static void command_json(const struct tm_trace_rec *r, struct tj *j)
{
	char name[16], words[96];
	struct tm_apdu a;
	const uint8_t *c = r->cmd;

	tj_obj(j, "command");
	json_hex(j, "header", c, 4);
	tj_str(j, "name", tm_ins_name(c[0], c[1], name, sizeof(name)));
	tj_str(j, "p1p2", p1p2_words(c, words, sizeof(words)));
	tj_bool(j, "chained", (c[0] & 0x10) != 0);
	if (r->sensitive) {
		tj_int(j, "secret_bytes", (long long)r->hidden_len);
	} else if (tm_apdu_decode(r->cmd, r->cmd_len, &a, NULL) == TM_OK) {
		data_json(j, a.data, a.nc, c[1]);
		tj_int(j, "ne", (long long)a.ne);
		if (c[1] == TM_INS_SELECT && c[2] == 0x04 && a.nc)
			tj_str(j, "aid_name", tm_aid_name(a.data, a.nc));
		struct digest dg;
		if (signed_digest(c, &a, &dg)) {
			tj_obj(j, "digest_info");
			tj_str(j, "algorithm", dg.alg);
			tj_str(j, "oid", dg.oid);
			json_hex(j, "digest", dg.d, dg.len);
			tj_end(j, '}');
		}
	} else {
		json_hex(j, "malformed", r->cmd, r->cmd_len);
	}
	tj_end(j, '}');
}

static void decode_json(const struct tm_trace_rec *r, struct tj *j)
{
	char sw_text[128], swh[8];

	tj_obj(j, NULL);
	tj_int(j, "number", (long long)r->number);
	tj_int(j, "process", r->process);
	tj_int(j, "seq", (long long)r->seq);
	tj_str(j, "reader", r->reader);
	tj_int(j, "duration_us", r->duration_us);
	tj_int(j, "joined", r->joined);
	if (r->joined)
		tj_int(j, "number_last", (long long)r->number_last);
	command_json(r, j);
	if (r->has_resp) {
		uint16_t sw = sw_of(r);
		tm_sw_describe(sw, sw_text, sizeof(sw_text));
		tj_obj(j, "response");
		snprintf(swh, sizeof(swh), "%04X", sw);
		tj_str(j, "sw", swh);
		tj_str(j, "sw_name", tm_sw_lookup(sw)->name);
		tj_str(j, "meaning", sw_text);
		if (r->private_response)
			tj_int(j, "private_bytes", (long long)r->resp_hidden);
		else
			data_json(j, r->resp, r->resp_len - 2, r->cmd[1]);
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
	rc = tm_trace_each(in, name, !out->raw, decode_one, out);
	if (out->json) {
		tj_end(&out->j, ']');
		tj_end(&out->j, '}');
	}
	return rc;
}
