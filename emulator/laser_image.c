/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include "laser_image.h"

#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/x509.h>

#include "apdu/rc.h"
#include "apdu/sw.h"
#include "apdu/tlv.h"
#include "emulator/image_file.h"

enum {
	T_CARD = 0xE0, T_FILE = 0xE1, T_MODEL = 0xC1, T_FCP = 0xC2, T_SERIAL = 0xC3,
	T_DATA = 0xC4, T_PIN = 0xC5, T_PRIVATE_KEY = 0xD5, T_PUBLIC_KEY = 0xD6,
};

#define PIN_RECORD (TM_LASER_SHA1_LEN + 2)
#define MAX_KEY_DER 8192

static void encode_file(const struct tm_lfile *f, struct tm_buf *b)
{
	size_t m = tm_tlv_begin(b, T_FILE);
	size_t fm = tm_tlv_begin(b, T_FCP);

	tm_laser_fcp_encode(&f->fcp, b);
	tm_tlv_end(b, fm);
	if (f->data_len)
		tm_tlv_put(b, T_DATA, f->data, f->data_len);
	if (f->pin_set) {
		uint8_t rec[PIN_RECORD];
		memcpy(rec, f->pin_sha1, TM_LASER_SHA1_LEN);
		rec[TM_LASER_SHA1_LEN] = f->pin_len;
		rec[TM_LASER_SHA1_LEN + 1] = f->pin_factory;
		tm_tlv_put(b, T_PIN, rec, sizeof(rec));
		OPENSSL_cleanse(rec, sizeof(rec));
	}
	if (f->key) {
		bool priv = f->parent && f->parent->fcp.fid == TM_LASER_FID_PRIVATE;
		unsigned char *der = NULL;
		int n = priv ? i2d_PrivateKey(f->key, &der) : i2d_PUBKEY(f->key, &der);
		if (n <= 0)
			b->failed = true;
		else
			tm_tlv_put(b, priv ? T_PRIVATE_KEY : T_PUBLIC_KEY, der, (size_t)n);
		if (der)
			OPENSSL_clear_free(der, n > 0 ? (size_t)n : 0);
	}
	for (const struct tm_lfile *ch = f->children; ch; ch = ch->next)
		encode_file(ch, b);
	tm_tlv_end(b, m);
}

void tm_laser_image_encode(const struct tm_laser_card *c, struct tm_buf *b)
{
	size_t frame = tm_image_frame_begin(b, TM_LASER_IMAGE_MAGIC, TM_LASER_IMAGE_VERSION);
	size_t m = tm_tlv_begin(b, T_CARD);

	tm_tlv_put(b, T_MODEL, c->model->key, strlen(c->model->key));
	tm_tlv_put(b, T_SERIAL, c->serial, strlen(c->serial));
	if (c->mf)
		encode_file(c->mf, b);
	tm_tlv_end(b, m);
	tm_image_frame_end(b, frame);
}

/* --- Decoding ------------------------------------------------------- */

struct reader {
	struct tm_laser_card *c;
	char *why;
	size_t cap;
};

static int bad(struct reader *r, const char *what)
{
	snprintf(r->why, r->cap, "the card image is damaged (%s)", what);
	return TM_ERR_MALFORMED;
}

static int decode_key(struct reader *r, const struct tm_tlv *t, bool priv, struct tm_lfile *f)
{
	const unsigned char *p = t->value;

	if (!tm_laser_is_ko(f) || f->key != NULL || t->len > MAX_KEY_DER)
		return bad(r, "key record");
	f->key = priv ? d2i_AutoPrivateKey(NULL, &p, (long)t->len) : d2i_PUBKEY(NULL, &p, (long)t->len);
	if (f->key == NULL || p != t->value + t->len || EVP_PKEY_get_base_id(f->key) != EVP_PKEY_RSA ||
	    (unsigned)EVP_PKEY_get_bits(f->key) != (unsigned)f->fcp.size * 8)
		return bad(r, priv ? "private key" : "public key");
	return TM_OK;
}

static int decode_file(struct reader *r, const struct tm_tlv *e, struct tm_lfile *parent,
		       unsigned depth)
{
	struct tm_laser_fcp fcp;
	struct tm_tlv t;
	struct tm_tlv_iter it;
	uint16_t sw;
	int rc;

	if (depth > TM_LASER_MAX_DEPTH + 1)
		return bad(r, "files nested too deep");
	if (tm_tlv_find(e->value, e->len, T_FCP, &t) != TM_OK ||
	    tm_laser_fcp_decode(t.value, t.len, false, &fcp) != TM_OK || fcp.content_len != 0)
		return bad(r, "file header");
	fcp.has_fid = true;
	if (tm_laser_acl_len(fcp.desc) != fcp.acl_len)
		return bad(r, "access rules");
	struct tm_lfile *f = tm_laser_file_add(r->c, parent, &fcp, &sw);
	if (f == NULL)
		return bad(r, sw == TM_SW_NO_MEMORY ? "more files than the card's memory holds"
						    : "file list");
	if (parent == NULL)
		r->c->mf = f;
	tm_tlv_iter_init(&it, e->value, e->len);
	while ((rc = tm_tlv_next(&it, &t)) == TM_OK) {
		switch (t.tag) {
		case T_FCP:
			break;
		case T_DATA:
			if (tm_laser_is_df(f) || t.len > 0xFFFF ||
			    (f->fcp.desc == TM_LASER_DESC_EF && t.len != f->data_len))
				return bad(r, "file contents");
			if (f->data)
				OPENSSL_clear_free(f->data, f->data_len);
			f->data_len = 0;
			if ((f->data = OPENSSL_memdup(t.value, t.len ? t.len : 1)) == NULL)
				return TM_ERR_NO_MEMORY;
			f->data_len = t.len;
			break;
		case T_PIN:
			if (!tm_laser_is_pin(f) || t.len != PIN_RECORD ||
			    f->fcp.prop_len != TM_LASER_PIN_PROP_LEN)
				return bad(r, "PIN record");
			memcpy(f->pin_sha1, t.value, TM_LASER_SHA1_LEN);
			f->pin_len = t.value[TM_LASER_SHA1_LEN];
			f->pin_factory = t.value[TM_LASER_SHA1_LEN + 1] != 0;
			f->pin_set = true;
			break;
		case T_PRIVATE_KEY:
		case T_PUBLIC_KEY:
			if ((rc = decode_key(r, &t, t.tag == T_PRIVATE_KEY, f)) != TM_OK)
				return rc;
			break;
		case T_FILE:
			if (!tm_laser_is_df(f))
				return bad(r, "a file inside a file");
			if ((rc = decode_file(r, &t, f, depth + 1)) != TM_OK)
				return rc;
			break;
		default:
			return bad(r, "unknown record");
		}
	}
	return rc == TM_ERR_NOT_FOUND ? TM_OK : bad(r, "file record");
}

static bool text(const struct tm_tlv *t, char *dst, size_t cap)
{
	if (t->len >= cap || memchr(t->value, 0, t->len) != NULL)
		return false;
	memcpy(dst, t->value, t->len);
	dst[t->len] = '\0';
	return true;
}

int tm_laser_image_decode(const uint8_t *data, size_t len, const struct tm_model *model,
			  struct tm_laser_card **out, char *why, size_t cap)
{
	const uint8_t *body;
	size_t body_len;
	unsigned version;
	struct tm_tlv card, t;
	char key[sizeof(model->key)];

	*out = NULL;
	int rc = tm_image_frame_open(data, len, TM_LASER_IMAGE_MAGIC, "LASER card image",
				     TM_LASER_IMAGE_VERSION, TM_LASER_IMAGE_VERSION, &version, &body,
				     &body_len, why, cap);
	if (rc != TM_OK)
		return rc;
	struct reader r = {tm_laser_card_alloc(model), why, cap};
	if (r.c == NULL)
		return TM_ERR_NO_MEMORY;
	if (tm_tlv_find(body, body_len, T_CARD, &card) != TM_OK ||
	    tm_tlv_find(card.value, card.len, T_MODEL, &t) != TM_OK || !text(&t, key, sizeof(key))) {
		rc = bad(&r, "card record");
		goto fail;
	}
	if (strcmp(key, model->key) != 0) {
		snprintf(why, cap, "the card image is of model \"%s\", not \"%s\"", key, model->key);
		rc = TM_ERR_CARD;
		goto fail;
	}
	if (tm_tlv_find(card.value, card.len, T_SERIAL, &t) != TM_OK ||
	    !text(&t, r.c->serial, sizeof(r.c->serial)) ||
	    tm_tlv_find(card.value, card.len, T_FILE, &t) != TM_OK) {
		rc = bad(&r, "card record");
		goto fail;
	}
	if ((rc = decode_file(&r, &t, NULL, 0)) != TM_OK)
		goto fail;
	if (r.c->mf == NULL || r.c->mf->fcp.fid != TM_LASER_FID_MF || !tm_laser_is_df(r.c->mf)) {
		rc = bad(&r, "no MF");
		goto fail;
	}
	if (tm_laser_used(r.c) > model->memory) {
		rc = bad(&r, "more than the card's memory holds");
		goto fail;
	}
	*out = r.c;
	return TM_OK;
fail:
	tm_laser_card_free(r.c);
	return rc;
}

int tm_laser_save(struct tm_laser_card *c)
{
	struct tm_buf b;

	tm_buf_init_dynamic(&b, TM_IMAGE_MAX_SIZE);
	if (c->path != NULL && !c->torn)
		tm_laser_image_encode(c, &b);
	int rc = tm_image_save(c->path, &b, &c->tear_on_save, &c->torn);
	tm_buf_free(&b);
	return rc;
}

int tm_laser_load(const char *path, const struct tm_model *model, struct tm_laser_card **out,
		  char *why, size_t cap)
{
	uint8_t *data;
	size_t len;

	*out = NULL;
	int rc = tm_image_file_read(path, &data, &len, why, cap);
	if (rc != TM_OK)
		return rc;
	rc = tm_laser_image_decode(data, len, model, out, why, cap);
	OPENSSL_clear_free(data, len > 0 ? len : 1);
	if (rc == TM_OK && ((*out)->path = OPENSSL_strdup(path)) == NULL) {
		tm_laser_card_free(*out);
		*out = NULL;
		return TM_ERR_NO_MEMORY;
	}
	return rc;
}
