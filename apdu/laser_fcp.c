/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include "laser_fcp.h"

#include <string.h>

#include "apdu/rc.h"
#include "apdu/tlv.h"

size_t tm_laser_acl_len(uint8_t desc)
{
	switch (desc) {
	case TM_LASER_DESC_DF: return 2 * TM_LASER_DF_OPS;
	case TM_LASER_DESC_KO: return 2 * TM_LASER_KO_OPS;
	default: return 2 * TM_LASER_EF_OPS;
	}
}

uint16_t tm_laser_acl_get(const struct tm_laser_fcp *f, unsigned op)
{
	if (2 * (size_t)op + 1 >= f->acl_len)
		return TM_LASER_AC_NEVER;
	return (uint16_t)(f->acl[2 * op] << 8 | f->acl[2 * op + 1]);
}

static void put_common_tail(const struct tm_laser_fcp *f, struct tm_buf *b)
{
	if (f->name_len)
		tm_tlv_put(b, TM_LASER_FCP_NAME, f->name, f->name_len);
	if (f->prop_len)
		tm_tlv_put(b, TM_LASER_FCP_PROP, f->prop, f->prop_len);
	tm_tlv_put(b, TM_LASER_FCP_ACL, f->acl, f->acl_len);
}

void tm_laser_fcp_encode(const struct tm_laser_fcp *f, struct tm_buf *b)
{
	size_t mark = tm_tlv_begin(b, TM_LASER_FCP);

	tm_tlv_put_u16(b, TM_LASER_FCP_FID, f->fid);
	tm_tlv_put_u16(b, TM_LASER_FCP_SIZE, f->size);
	tm_tlv_put_u8(b, TM_LASER_FCP_DESC, f->desc);
	put_common_tail(f, b);
	tm_tlv_put_u8(b, TM_LASER_FCP_LCS, f->lcs);
	tm_tlv_end(b, mark);
}

void tm_laser_fcp_encode_create(const struct tm_laser_fcp *f, struct tm_buf *b)
{
	size_t mark = tm_tlv_begin(b, TM_LASER_FCP);

	tm_tlv_put_u8(b, TM_LASER_FCP_LCS, f->lcs ? f->lcs : TM_LASER_LCS_DEACTIVATED);
	tm_tlv_put_u16(b, TM_LASER_FCP_FID, f->fid);
	tm_tlv_put_u16(b, TM_LASER_FCP_SIZE, f->size);
	put_common_tail(f, b);
	if (f->content_len)
		tm_buf_add(b, f->content, f->content_len);
	tm_tlv_end(b, mark);
}

static bool copy(uint8_t *dst, size_t cap, size_t *dst_len, const struct tm_tlv *t)
{
	if (t->len > cap)
		return false;
	memcpy(dst, t->value, t->len);
	*dst_len = t->len;
	return true;
}

static bool take_uint(const struct tm_tlv *t, size_t max_len, uint32_t *v)
{
	return t->len >= 1 && t->len <= max_len && tm_tlv_get_uint(t, v) == TM_OK;
}

int tm_laser_fcp_decode(const uint8_t *in, size_t len, bool create, struct tm_laser_fcp *out)
{
	struct tm_tlv outer, t;
	struct tm_tlv_iter it;
	bool after_acl = false;
	uint32_t v;

	memset(out, 0, sizeof(*out));
	tm_tlv_iter_init(&it, in, len);
	if (tm_tlv_next(&it, &outer) != TM_OK || outer.tag != TM_LASER_FCP)
		return TM_ERR_MALFORMED;
	if (tm_tlv_next(&it, &t) != TM_ERR_NOT_FOUND)
		return TM_ERR_MALFORMED; /* bytes after the FCP */

	tm_tlv_iter_init(&it, outer.value, outer.len);
	for (;;) {
		const uint8_t *at = it.p;
		int rc = tm_tlv_next(&it, &t);
		if (rc == TM_ERR_NOT_FOUND)
			break;
		if (rc != TM_OK)
			return TM_ERR_MALFORMED;
		if (after_acl) {
			/* CREATE FILE: everything after the ACL is the content. */
			out->content = at;
			out->content_len = (size_t)(outer.value + outer.len - at);
			break;
		}
		switch (t.tag) {
		case TM_LASER_FCP_FID:
			if (t.len != 2 || !take_uint(&t, 2, &v))
				return TM_ERR_MALFORMED;
			out->fid = (uint16_t)v;
			out->has_fid = true;
			break;
		case TM_LASER_FCP_SIZE:
			if (!take_uint(&t, 2, &v))
				return TM_ERR_MALFORMED;
			out->size = (uint16_t)v;
			out->has_size = true;
			break;
		case TM_LASER_FCP_DESC:
			if (t.len < 1)
				return TM_ERR_MALFORMED;
			out->desc = t.value[0];
			break;
		case TM_LASER_FCP_LCS:
			if (t.len != 1)
				return TM_ERR_MALFORMED;
			out->lcs = t.value[0];
			break;
		case TM_LASER_FCP_NAME:
			if (!copy(out->name, sizeof(out->name), &out->name_len, &t))
				return TM_ERR_MALFORMED;
			break;
		case TM_LASER_FCP_PROP:
		case TM_LASER_FCP_PROP_LONG:
			if (!copy(out->prop, sizeof(out->prop), &out->prop_len, &t))
				return TM_ERR_MALFORMED;
			break;
		case TM_LASER_FCP_ACL:
			if (!copy(out->acl, sizeof(out->acl), &out->acl_len, &t))
				return TM_ERR_MALFORMED;
			after_acl = create;
			break;
		default:
			break; /* 82 and others: ignored, as the driver does */
		}
	}
	return TM_OK;
}
