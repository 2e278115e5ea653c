/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * LASER file commands: READ/UPDATE BINARY on the current EF, CREATE FILE
 * in the current DF, DELETE FILE of the current file, LIST FILES of the
 * current DF (jacarta-laser.md §3, §4, §6, §8).
 */
#include <config.h>

#include <string.h>

#include <openssl/crypto.h>

#include "apdu/protocol.h"
#include "apdu/rc.h"
#include "apdu/tlv.h"
#include "emulator/laser_internal.h"

/* An EF's bytes are private when reading them needs a PIN: the trace
 * shows their length only, going out and coming in. */
static bool private_ef(const struct tm_lfile *f)
{
	return tm_laser_acl_get(&f->fcp, TM_LASER_EF_READ) != TM_LASER_AC_ALWAYS;
}

static uint16_t current_ef(const struct tm_laser_applet *a, const struct tm_apdu *c,
			   struct tm_lfile **f, size_t *off)
{
	if (c->p1 & 0x80)
		return TM_SW_FUNC_NOT_SUPPORTED; /* short EF identifiers: none here */
	*f = a->ef;
	if (*f == NULL)
		return TM_SW_NO_CURRENT_EF;
	if ((*f)->fcp.desc != TM_LASER_DESC_EF)
		return TM_SW_INCOMPATIBLE_FILE;
	*off = (size_t)c->p1 << 8 | c->p2;
	if (*off > (*f)->data_len)
		return TM_SW_OFFSET_OUTSIDE;
	return TM_SW_OK;
}

uint16_t tm_laser_h_read_binary(struct tm_laser_applet *a, const struct tm_apdu *c,
				struct tm_buf *out)
{
	struct tm_lfile *f;
	size_t off;
	uint16_t sw = current_ef(a, c, &f, &off);

	if (sw != TM_SW_OK)
		return sw;
	if (c->nc != 0 || c->ne == 0)
		return TM_SW_WRONG_LENGTH;
	if ((sw = tm_laser_may(a, f, TM_LASER_EF_READ)) != TM_SW_OK)
		return sw;
	size_t n = f->data_len - off;
	if (n > c->ne)
		n = c->ne;
	/* An EF of size 0 has no data buffer at all: NULL + 0 is undefined. */
	if (n > 0)
		tm_buf_add(out, f->data + off, n);
	a->private_out = private_ef(f);
	/* Fewer bytes than asked: ISO 7816-4 §7.2.3's warning, which the
	 * driver takes as success (§3). */
	return n < c->ne ? TM_SW_END_OF_FILE : TM_SW_OK;
}

uint16_t tm_laser_h_update_binary(struct tm_laser_applet *a, const struct tm_apdu *c,
				  struct tm_buf *out)
{
	struct tm_lfile *f;
	size_t off;
	uint16_t sw = current_ef(a, c, &f, &off);

	(void)out;
	if (sw != TM_SW_OK)
		return sw;
	a->private_in = private_ef(f);
	if (c->nc == 0)
		return TM_SW_WRONG_LENGTH;
	if (c->nc > f->data_len - off)
		return TM_SW_WRONG_LENGTH; /* nothing resizes (§8) */
	if ((sw = tm_laser_may(a, f, TM_LASER_EF_UPDATE)) != TM_SW_OK)
		return sw;
	if (CRYPTO_memcmp(f->data + off, c->data, c->nc) == 0)
		return TM_SW_OK; /* nothing changes: nothing is written */
	memcpy(f->data + off, c->data, c->nc);
	return tm_laser_commit(a);
}

/* The driver writes a PIN KO's tag 85 in 14 bytes (tries, min, max at 4,
 * 5, 6) and reads it in 15 (tries, unblocks, min, max at 4..7): §10.1.
 * The card keeps, and SELECT answers, the reading layout. */
static bool pin_prop_from_create(struct tm_laser_fcp *fcp)
{
	if (fcp->prop_len == TM_LASER_PIN_PROP_LEN)
		return true;
	if (fcp->prop_len != TM_LASER_PIN_PROP_LEN - 1)
		return false;
	uint8_t p[TM_LASER_PIN_PROP_LEN];
	memcpy(p, fcp->prop, 5);
	p[TM_LASER_PIN_PROP_UNBLOCK] = 0;
	memcpy(p + TM_LASER_PIN_PROP_MIN, fcp->prop + 5, fcp->prop_len - 5);
	/* Left and the limit: the limit written twice, as the driver does. */
	p[TM_LASER_PIN_PROP_TRIES] = (uint8_t)((p[TM_LASER_PIN_PROP_TRIES] & 0x0F) << 4 |
					       (p[TM_LASER_PIN_PROP_TRIES] & 0x0F));
	memcpy(fcp->prop, p, sizeof(p));
	fcp->prop_len = sizeof(p);
	return true;
}

/* A KO's content: 81 <PIN> for a PIN, 81 <E3 ...> for an expression,
 * 71 {} (empty: GENERATE or UPDATE KO fills it) for an RSA key. */
static uint16_t ko_content(struct tm_laser_applet *a, struct tm_laser_fcp *fcp,
			   struct tm_tlv *value)
{
	memset(value, 0, sizeof(*value));
	if (fcp->prop_len < 3)
		return TM_SW_WRONG_DATA;
	struct tm_tlv t = {0};
	if (fcp->content_len && tm_tlv_find(fcp->content, fcp->content_len,
					    fcp->prop[2] == TM_LASER_KO_ALG_RSA ? TM_LASER_KO_RSA
										 : TM_LASER_KO_PIN_VALUE,
					    &t) != TM_OK)
		return TM_SW_WRONG_DATA;
	switch (fcp->prop[2]) {
	case TM_LASER_KO_ALG_PIN: {
		const struct tm_pin_policy *pol = &a->card->model->user;
		if (!pin_prop_from_create(fcp) || t.len > pol->max_len || fcp->size < t.len)
			return TM_SW_WRONG_DATA;
		break;
	}
	case TM_LASER_KO_ALG_LOGIC:
		if (t.len < 2 || t.value[0] != TM_LASER_LOGIC_OR)
			return TM_SW_WRONG_DATA;
		break;
	case TM_LASER_KO_ALG_RSA:
		if (!tm_model_has_alg(a->card->model, TM_KEY_RSA, (unsigned)fcp->size * 8))
			return TM_SW_WRONG_DATA;
		/* A private key comes by GENERATE or 80 24 (71 empty); a
		 * public one with the file: 71 { 90 e, 91 n } (§6). */
		if (t.len != 0 && a->df->fcp.fid == TM_LASER_FID_PRIVATE)
			return TM_SW_WRONG_DATA;
		break;
	default:
		return TM_SW_FUNC_NOT_SUPPORTED;
	}
	*value = t;
	return TM_SW_OK;
}

uint16_t tm_laser_h_create_file(struct tm_laser_applet *a, const struct tm_apdu *c,
				struct tm_buf *out)
{
	struct tm_laser_fcp fcp;
	struct tm_tlv content = {0};
	uint16_t sw;

	(void)out;
	if (c->p2 != 0 || (c->p1 != TM_LASER_DESC_EF && c->p1 != TM_LASER_DESC_DF &&
			   c->p1 != TM_LASER_DESC_KO))
		return TM_SW_WRONG_P1P2;
	if (tm_laser_fcp_decode(c->data, c->nc, true, &fcp) != TM_OK || !fcp.has_fid)
		return TM_SW_WRONG_DATA;
	if (fcp.desc != 0 && fcp.desc != c->p1)
		return TM_SW_WRONG_DATA;
	fcp.desc = c->p1;
	if ((sw = tm_laser_may(a, a->df, c->p1 == TM_LASER_DESC_DF ? TM_LASER_DF_CREATE_DF
								     : TM_LASER_DF_CREATE)) != TM_SW_OK)
		return sw;
	if (c->p1 == TM_LASER_DESC_KO && (sw = ko_content(a, &fcp, &content)) != TM_SW_OK)
		return sw;
	if (c->p1 != TM_LASER_DESC_KO && fcp.content_len != 0)
		return TM_SW_WRONG_DATA; /* an EF's bytes come by UPDATE BINARY */
	if (c->p1 == TM_LASER_DESC_DF)
		fcp.size = 0;
	struct tm_lfile *f = tm_laser_file_add(a->card, a->df, &fcp, &sw);
	if (f == NULL)
		return sw;
	if (tm_laser_is_pin(f) && content.len)
		tm_laser_pin_store(f, content.value, content.len, false);
	else if (tm_laser_is_logic(f) && (f->data = OPENSSL_memdup(content.value, content.len)))
		f->data_len = content.len;
	if (tm_laser_is_logic(f) && f->data == NULL) {
		tm_laser_file_remove(f);
		return TM_SW_NO_MEMORY;
	}
	if (tm_laser_is_ko(f) && !tm_laser_is_pin(f) && !tm_laser_is_logic(f) && content.len &&
	    (f->key = tm_laser_public_key(content.value, content.len, (unsigned)f->fcp.size * 8)) == NULL) {
		tm_laser_file_remove(f);
		return TM_SW_WRONG_DATA;
	}
	/* A logical expression's bytes are charged too: never past the card. */
	if (tm_laser_used(a->card) > a->card->model->memory) {
		tm_laser_file_remove(f);
		return TM_SW_NO_MEMORY;
	}
	/* The new file is the current one (ISO 7816-9 §8.2). */
	a->df = tm_laser_is_df(f) ? f : f->parent;
	a->ef = tm_laser_is_df(f) ? NULL : f;
	if (tm_laser_is_ko(f))
		a->key = f;
	return tm_laser_commit(a);
}

uint16_t tm_laser_h_delete_file(struct tm_laser_applet *a, const struct tm_apdu *c,
				struct tm_buf *out)
{
	struct tm_lfile *f = tm_laser_current(a);
	uint16_t sw;

	(void)out;
	if (c->nc != 0)
		return TM_SW_WRONG_LENGTH;
	if (c->p2 != 0 || c->p1 > 1 || (c->p1 == 1) != tm_laser_is_df(f))
		return TM_SW_WRONG_P1P2;
	if (f->parent == NULL)
		return TM_SW_CONDITIONS; /* the MF stays */
	unsigned op = tm_laser_is_df(f) ? TM_LASER_DF_DELETE
		      : tm_laser_is_ko(f) ? TM_LASER_KO_DELETE : TM_LASER_EF_DELETE;
	if ((sw = tm_laser_may(a, f, op)) != TM_SW_OK)
		return sw;
	struct tm_lfile *parent = f->parent;
	if (tm_laser_is_ko(f) && parent == a->card->mf && f->fcp.fid < 0x100)
		tm_laser_set_verified(a, (uint8_t)f->fcp.fid, false);
	tm_laser_forget(a, f);
	tm_laser_file_remove(f);
	a->df = parent;
	a->ef = NULL;
	return tm_laser_commit(a);
}

uint16_t tm_laser_h_list_files(struct tm_laser_applet *a, const struct tm_apdu *c,
			       struct tm_buf *out)
{
	uint16_t count = 0;

	if (c->nc != 0)
		return TM_SW_WRONG_LENGTH;
	if (c->p2 != 0 || (c->p1 != TM_LASER_LIST_EF && c->p1 != TM_LASER_LIST_DF &&
			   c->p1 != TM_LASER_LIST_KO))
		return TM_SW_WRONG_P1P2;
	/* D1 02 <count> then D2 02 <FID> per file: FIDs only (the driver
	 * reads nothing more, §10.4), so 63 fit in one short answer; more
	 * come by GET RESPONSE. */
	tm_buf_add_u8(out, TM_LASER_LIST_COUNT_TAG);
	tm_buf_add_u8(out, 2);
	size_t at = out->len;
	tm_buf_add_u16(out, 0);
	for (const struct tm_lfile *f = a->df->children; f; f = f->next) {
		if (f->fcp.desc != c->p1)
			continue;
		tm_buf_add_u8(out, TM_LASER_LIST_FILE_TAG);
		tm_buf_add_u8(out, 2);
		tm_buf_add_u16(out, f->fcp.fid);
		count++;
	}
	if (tm_buf_ok(out)) {
		out->data[at] = (uint8_t)(count >> 8);
		out->data[at + 1] = (uint8_t)count;
	}
	return TM_SW_OK;
}
