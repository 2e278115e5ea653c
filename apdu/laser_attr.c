/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include "laser_attr.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "apdu/rc.h"

#define HASH_LEN SHA_DIGEST_LENGTH

void tm_laser_attr_begin(struct tm_laser_attr_writer *w, struct tm_buf *b, uint16_t fid,
			 bool hashed)
{
	static const uint8_t zero[HASH_LEN];

	w->b = b;
	w->start = b->len;
	w->count = 0;
	w->hashed = hashed;
	tm_buf_add_u8(b, 0x00); /* "valid" */
	tm_buf_add_u8(b, (uint8_t)(fid >> 8));
	tm_buf_add_u8(b, (uint8_t)(fid >> 8));
	tm_buf_add_u8(b, (uint8_t)fid);
	tm_buf_add_u16(b, 0xFFFF); /* length and count: tm_laser_attr_finish() */
	tm_buf_add_u8(b, 0xFF);
	if (hashed)
		tm_laser_attr_add(w, TM_LASER_ATTR_HASH, TM_LASER_ATTRF_MODIFIABLE, zero, HASH_LEN);
}

void tm_laser_attr_add(struct tm_laser_attr_writer *w, uint32_t type, uint8_t flags,
		       const void *value, size_t len)
{
	if (len > 0xFFFF) {
		w->b->failed = true;
		return;
	}
	if (type & TM_LASER_ATTR_VENDOR)
		tm_buf_add_u8(w->b, 0x80);
	else
		tm_buf_add_u8(w->b, (uint8_t)(type >> 8));
	tm_buf_add_u8(w->b, (uint8_t)type);
	tm_buf_add_u8(w->b, flags);
	tm_buf_add_u16(w->b, (uint16_t)len);
	if (len)
		tm_buf_add(w->b, value, len);
	w->count++;
}

void tm_laser_attr_add_ulong(struct tm_laser_attr_writer *w, uint32_t type, uint8_t flags,
			     uint32_t v)
{
	const uint8_t le[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
	tm_laser_attr_add(w, type, flags, le, sizeof(le));
}

void tm_laser_attr_add_bool(struct tm_laser_attr_writer *w, uint32_t type, uint8_t flags,
			    bool v)
{
	const uint8_t b = v ? 1 : 0;
	tm_laser_attr_add(w, type, flags, &b, 1);
}

void tm_laser_attr_finish(struct tm_laser_attr_writer *w, const uint8_t stamp[TM_LASER_ATTR_STAMP])
{
	struct tm_buf *b = w->b;
	size_t len = b->len - w->start;

	if (!tm_buf_ok(b) || len > 0xFFFF || w->count > 0xFF) {
		b->failed = true;
		return;
	}
	b->data[w->start + 4] = (uint8_t)(len >> 8);
	b->data[w->start + 5] = (uint8_t)len;
	b->data[w->start + 6] = (uint8_t)w->count;
	tm_buf_add(b, stamp, TM_LASER_ATTR_STAMP);
	if (w->hashed && tm_buf_ok(b)) {
		uint8_t md[HASH_LEN];
		SHA1(b->data + w->start, b->len - w->start, md);
		memcpy(b->data + w->start + TM_LASER_ATTR_HASH_OFFSET, md, HASH_LEN);
	}
}

static bool all_zero(const uint8_t *p, size_t n)
{
	uint8_t acc = 0;
	for (size_t i = 0; i < n; i++)
		acc |= p[i];
	return acc == 0;
}

/* A hash record first: SHA-1 of the file with the hash zeroed.  A zero
 * hash is taken as "not computed", as Aladdin's driver takes it for data
 * objects. */
static int check_hash(const uint8_t *file, size_t len)
{
	if (len < TM_LASER_ATTR_HASH_OFFSET + HASH_LEN || file[7] != 0x80 ||
	    file[8] != (TM_LASER_ATTR_HASH & 0xFF) || file[10] != 0 || file[11] != HASH_LEN)
		return TM_OK;
	const uint8_t *stored = file + TM_LASER_ATTR_HASH_OFFSET;
	if (all_zero(stored, HASH_LEN))
		return TM_OK;
	uint8_t *copy = OPENSSL_memdup(file, len), md[HASH_LEN];
	if (copy == NULL)
		return TM_ERR_NO_MEMORY;
	memset(copy + TM_LASER_ATTR_HASH_OFFSET, 0, HASH_LEN);
	SHA1(copy, len, md);
	OPENSSL_free(copy);
	return CRYPTO_memcmp(md, stored, HASH_LEN) == 0 ? TM_OK : TM_ERR_MALFORMED;
}

int tm_laser_attr_open(struct tm_laser_attr_reader *r, const uint8_t *file, size_t len)
{
	memset(r, 0, sizeof(*r));
	if (len < TM_LASER_ATTR_HEADER + TM_LASER_ATTR_STAMP || file[0] != 0x00 || file[1] != file[2])
		return TM_ERR_MALFORMED;
	size_t body = (size_t)file[4] << 8 | file[5];
	if (body < TM_LASER_ATTR_HEADER || body + TM_LASER_ATTR_STAMP > len)
		return TM_ERR_MALFORMED;
	int rc = check_hash(file, body + TM_LASER_ATTR_STAMP);
	if (rc != TM_OK)
		return rc;
	r->fid = (uint16_t)(file[1] << 8 | file[3]);
	r->count = file[6];
	r->p = file + TM_LASER_ATTR_HEADER;
	r->left = body - TM_LASER_ATTR_HEADER;
	return TM_OK;
}

int tm_laser_attr_next(struct tm_laser_attr_reader *r, struct tm_laser_attr *out)
{
	if (r->left == 0)
		return TM_ERR_NOT_FOUND;
	if (r->left < 5)
		return TM_ERR_MALFORMED;
	size_t len = (size_t)r->p[3] << 8 | r->p[4];
	if (len > r->left - 5)
		return TM_ERR_MALFORMED;
	out->type = r->p[0] == 0x80 ? TM_LASER_ATTR_VENDOR | r->p[1]
				    : (uint32_t)(r->p[0] << 8 | r->p[1]);
	out->flags = r->p[2];
	out->value = r->p + 5;
	out->len = len;
	r->p += 5 + len;
	r->left -= 5 + len;
	return TM_OK;
}

bool tm_laser_attr_ulong(const struct tm_laser_attr *a, uint32_t *v)
{
	if (a->len != 4)
		return false;
	*v = (uint32_t)a->value[0] | (uint32_t)a->value[1] << 8 | (uint32_t)a->value[2] << 16 |
	     (uint32_t)a->value[3] << 24;
	return true;
}

void tm_laser_attr_cmapfile(struct tm_buf *b, const uint8_t *records, size_t len)
{
	static const uint8_t zero_stamp[TM_LASER_ATTR_STAMP];
	struct tm_laser_attr_writer w;
	uint8_t no_oid[64];

	memset(no_oid, 0xFF, sizeof(no_oid)); /* sixteen -1s: no OID */
	tm_laser_attr_begin(&w, b, 0x867F, true);
	tm_laser_attr_add_ulong(&w, 0x0000 /* CKA_CLASS */, 0, 0 /* CKO_DATA */);
	tm_laser_attr_add_bool(&w, 0x0001 /* CKA_TOKEN */, 0, true);
	tm_laser_attr_add_bool(&w, 0x0002 /* CKA_PRIVATE */, 0, false);
	tm_laser_attr_add(&w, 0x0003 /* CKA_LABEL */, TM_LASER_ATTRF_MODIFIABLE, "cmapfile", 8);
	tm_laser_attr_add(&w, 0x0010 /* CKA_APPLICATION */, TM_LASER_ATTRF_MODIFIABLE, "CSP", 3);
	tm_laser_attr_add(&w, 0x0011 /* CKA_VALUE */, TM_LASER_ATTRF_MODIFIABLE, records, len);
	tm_laser_attr_add(&w, 0x0012 /* CKA_OBJECT_ID */, TM_LASER_ATTRF_MODIFIABLE, no_oid,
			  sizeof(no_oid));
	tm_laser_attr_add_bool(&w, 0x0170 /* CKA_MODIFIABLE */, 0, true);
	tm_laser_attr_add_bool(&w, TM_LASER_ATTR_JACARTA, 0, false);
	tm_laser_attr_finish(&w, zero_stamp);
}
