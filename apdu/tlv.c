/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include "tlv.h"

#include "rc.h"

bool tm_tlv_is_constructed(uint32_t tag)
{
	while (tag > 0xFF)
		tag >>= 8;
	return (tag & 0x20) != 0;
}

void tm_tlv_iter_init(struct tm_tlv_iter *it, const uint8_t *buf, size_t len)
{
	it->p = buf;
	it->left = buf != NULL ? len : 0;
}

/* X.690 §8.1.2: low five bits all one means more tag bytes follow, each
 * with b8 set but the last; the first of them may not be 80 (a leading
 * zero).  We take at most four bytes in all. */
static int read_tag(const uint8_t *p, size_t left, uint32_t *tag, size_t *used)
{
	if (left < 1)
		return TM_ERR_MALFORMED;
	uint32_t t = p[0];
	size_t n = 1;
	if ((p[0] & 0x1F) == 0x1F) {
		do {
			if (n >= left || n >= 4)
				return TM_ERR_MALFORMED;
			if (n == 1 && p[1] == 0x80)
				return TM_ERR_MALFORMED;
			t = t << 8 | p[n];
		} while (p[n++] & 0x80);
	}
	*tag = t;
	*used = n;
	return TM_OK;
}

/* Short form 00..7F, long form 81..84 followed by that many bytes.  80
 * (indefinite) is not allowed in 7816-4 BER-TLV. */
static int read_len(const uint8_t *p, size_t left, size_t *len, size_t *used)
{
	if (left < 1)
		return TM_ERR_MALFORMED;
	if (p[0] < 0x80) {
		*len = p[0];
		*used = 1;
		return TM_OK;
	}
	size_t n = p[0] & 0x7F;
	if (n == 0 || n > 4 || n >= left)
		return TM_ERR_MALFORMED;
	uint32_t v = 0;
	for (size_t i = 1; i <= n; i++)
		v = v << 8 | p[i];
	*len = v;
	*used = 1 + n;
	return TM_OK;
}

int tm_tlv_next(struct tm_tlv_iter *it, struct tm_tlv *out)
{
	while (it->left > 0 && (it->p[0] == 0x00 || it->p[0] == 0xFF)) {
		it->p++;
		it->left--;
	}
	if (it->left == 0)
		return TM_ERR_NOT_FOUND;

	uint32_t tag;
	size_t tag_n, len, len_n;
	if (read_tag(it->p, it->left, &tag, &tag_n) != TM_OK ||
	    read_len(it->p + tag_n, it->left - tag_n, &len, &len_n) != TM_OK)
		return TM_ERR_MALFORMED;
	size_t header = tag_n + len_n;
	if (len > it->left - header)
		return TM_ERR_MALFORMED;

	out->tag = tag;
	out->value = it->p + header;
	out->len = len;
	it->p += header + len;
	it->left -= header + len;
	return TM_OK;
}

int tm_tlv_find(const uint8_t *buf, size_t len, uint32_t tag,
		struct tm_tlv *out)
{
	struct tm_tlv_iter it;
	struct tm_tlv t;
	int rc;

	tm_tlv_iter_init(&it, buf, len);
	while ((rc = tm_tlv_next(&it, &t)) == TM_OK) {
		if (t.tag == tag) {
			*out = t;
			return TM_OK;
		}
	}
	return rc;
}

int tm_tlv_walk(const uint8_t *buf, size_t len, tm_tlv_visit_fn visit,
		void *ctx)
{
	struct tm_tlv_iter stack[TM_TLV_MAX_DEPTH];
	unsigned depth = 0;
	struct tm_tlv t;

	tm_tlv_iter_init(&stack[0], buf, len);
	for (;;) {
		int rc = tm_tlv_next(&stack[depth], &t);
		if (rc == TM_ERR_NOT_FOUND) {
			if (depth == 0)
				return TM_OK;
			depth--;
			continue;
		}
		if (rc != TM_OK)
			return rc;
		rc = visit(&t, depth, ctx);
		if (rc != TM_OK)
			return rc;
		if (tm_tlv_is_constructed(t.tag) && t.len > 0) {
			if (depth + 1 >= TM_TLV_MAX_DEPTH)
				return TM_ERR_TOO_DEEP;
			tm_tlv_iter_init(&stack[++depth], t.value, t.len);
		}
	}
}

int tm_tlv_get_uint(const struct tm_tlv *tlv, uint32_t *out)
{
	if (tlv->len < 1 || tlv->len > 4)
		return TM_ERR_MALFORMED;
	uint32_t v = 0;
	for (size_t i = 0; i < tlv->len; i++)
		v = v << 8 | tlv->value[i];
	*out = v;
	return TM_OK;
}

static void put_tag(struct tm_buf *b, uint32_t tag)
{
	if (tag > 0xFFFFFF)
		tm_buf_add_u8(b, (uint8_t)(tag >> 24));
	if (tag > 0xFFFF)
		tm_buf_add_u8(b, (uint8_t)(tag >> 16));
	if (tag > 0xFF)
		tm_buf_add_u8(b, (uint8_t)(tag >> 8));
	tm_buf_add_u8(b, (uint8_t)tag);
}

/* Minimal length encoding (DER-style), so what we write is also valid for
 * readers stricter than ours. */
static size_t encode_len(size_t len, uint8_t out[5])
{
	if (len < 0x80) {
		out[0] = (uint8_t)len;
		return 1;
	}
	size_t n = 0;
	for (size_t v = len; v > 0; v >>= 8)
		n++;
	out[0] = (uint8_t)(0x80 | n);
	for (size_t i = 0; i < n; i++)
		out[n - i] = (uint8_t)(len >> (8 * i));
	return 1 + n;
}

void tm_tlv_put(struct tm_buf *b, uint32_t tag, const void *value, size_t len)
{
	uint8_t l[5];

	if (len > UINT32_MAX) {
		b->failed = true;
		return;
	}
	put_tag(b, tag);
	tm_buf_add(b, l, encode_len(len, l));
	tm_buf_add(b, value, len);
}

void tm_tlv_put_u8(struct tm_buf *b, uint32_t tag, uint8_t v)
{
	tm_tlv_put(b, tag, &v, 1);
}

void tm_tlv_put_u16(struct tm_buf *b, uint32_t tag, uint16_t v)
{
	const uint8_t be[2] = {(uint8_t)(v >> 8), (uint8_t)v};

	tm_tlv_put(b, tag, be, sizeof(be));
}

size_t tm_tlv_begin(struct tm_buf *b, uint32_t tag)
{
	put_tag(b, tag);
	return b->len;
}

void tm_tlv_end(struct tm_buf *b, size_t mark)
{
	uint8_t l[5];

	if (b->failed)
		return;
	if (mark > b->len) {
		b->failed = true;
		return;
	}
	tm_buf_insert(b, mark, l, encode_len(b->len - mark, l));
}
