/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include "laser_card.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "apdu/sw.h"

struct tm_laser_card *tm_laser_card_alloc(const struct tm_model *m)
{
	struct tm_laser_card *c = OPENSSL_zalloc(sizeof(*c));

	if (c != NULL)
		c->model = m;
	return c;
}

void tm_laser_file_free(struct tm_lfile *f)
{
	while (f != NULL) {
		struct tm_lfile *next = f->next;
		tm_laser_file_free(f->children);
		if (f->data)
			OPENSSL_clear_free(f->data, f->data_len);
		EVP_PKEY_free(f->key);
		OPENSSL_cleanse(f->pin_sha1, sizeof(f->pin_sha1));
		OPENSSL_free(f);
		f = next;
	}
}

void tm_laser_card_free(struct tm_laser_card *c)
{
	if (c == NULL)
		return;
	tm_laser_file_free(c->mf);
	OPENSSL_free(c->path);
	OPENSSL_free(c);
}

bool tm_laser_is_df(const struct tm_lfile *f)
{
	return f != NULL && f->fcp.desc == TM_LASER_DESC_DF;
}

bool tm_laser_is_ko(const struct tm_lfile *f)
{
	return f != NULL && f->fcp.desc == TM_LASER_DESC_KO;
}

static int ko_alg(const struct tm_lfile *f)
{
	return tm_laser_is_ko(f) && f->fcp.prop_len > 2 ? f->fcp.prop[2] : -1;
}

bool tm_laser_is_pin(const struct tm_lfile *f)
{
	return ko_alg(f) == TM_LASER_KO_ALG_PIN;
}

bool tm_laser_is_logic(const struct tm_lfile *f)
{
	return ko_alg(f) == TM_LASER_KO_ALG_LOGIC;
}

static size_t file_cost(const struct tm_lfile *f)
{
	size_t n = TM_LASER_FILE_OVERHEAD + f->data_len;

	if (tm_laser_is_ko(f) && ko_alg(f) == TM_LASER_KO_ALG_RSA)
		n += (size_t)f->fcp.size * 5 / 2; /* n and the CRT values */
	for (const struct tm_lfile *ch = f->children; ch; ch = ch->next)
		n += file_cost(ch);
	return n;
}

size_t tm_laser_used(const struct tm_laser_card *c)
{
	return c->mf ? file_cost(c->mf) : 0;
}

size_t tm_laser_free_bytes(const struct tm_laser_card *c)
{
	size_t used = tm_laser_used(c);
	return used < c->model->memory ? c->model->memory - used : 0;
}

struct tm_lfile *tm_laser_child(const struct tm_lfile *df, uint16_t fid)
{
	if (!tm_laser_is_df(df))
		return NULL;
	for (struct tm_lfile *f = df->children; f; f = f->next)
		if (f->fcp.fid == fid)
			return f;
	return NULL;
}

struct tm_lfile *tm_laser_child_named(const struct tm_lfile *df, const uint8_t *name,
				      size_t len)
{
	if (!tm_laser_is_df(df) || len == 0)
		return NULL;
	for (struct tm_lfile *f = df->children; f; f = f->next)
		if (tm_laser_is_df(f) && f->fcp.name_len == len && memcmp(f->fcp.name, name, len) == 0)
			return f;
	return NULL;
}

struct tm_lfile *tm_laser_path(const struct tm_laser_card *c, const uint8_t *path, size_t len)
{
	if (len < 2 || len % 2 || c->mf == NULL || (path[0] << 8 | path[1]) != TM_LASER_FID_MF)
		return NULL;
	struct tm_lfile *f = c->mf;
	for (size_t i = 2; i < len; i += 2) {
		f = tm_laser_child(f, (uint16_t)(path[i] << 8 | path[i + 1]));
		if (f == NULL)
			return NULL;
	}
	return f;
}

struct tm_lfile *tm_laser_pin_ko(const struct tm_laser_card *c, uint8_t ref)
{
	struct tm_lfile *f = tm_laser_child(c->mf, ref);
	return tm_laser_is_ko(f) ? f : NULL;
}

static size_t depth(const struct tm_lfile *f)
{
	size_t d = 0;
	for (; f->parent; f = f->parent)
		d++;
	return d;
}

struct tm_lfile *tm_laser_file_add(struct tm_laser_card *c, struct tm_lfile *parent,
				   const struct tm_laser_fcp *fcp, uint16_t *sw)
{
	struct tm_lfile *f;

	*sw = TM_SW_WRONG_DATA;
	/* 3F00 is the root's alone; FFFF is no FID (ISO 7816-4 §5.3.1.1). */
	if (!fcp->has_fid || (fcp->fid == TM_LASER_FID_MF) != (parent == NULL) || fcp->fid == 0xFFFF ||
	    fcp->acl_len != tm_laser_acl_len(fcp->desc))
		return NULL;
	if (fcp->desc != TM_LASER_DESC_DF && fcp->desc != TM_LASER_DESC_EF &&
	    fcp->desc != TM_LASER_DESC_KO)
		return NULL;
	if (parent != NULL) {
		if (!tm_laser_is_df(parent))
			return NULL;
		if (tm_laser_child(parent, fcp->fid) != NULL) {
			*sw = TM_SW_FILE_EXISTS;
			return NULL;
		}
		if (fcp->desc == TM_LASER_DESC_DF && depth(parent) >= TM_LASER_MAX_DEPTH) {
			*sw = TM_SW_NO_MEMORY;
			return NULL;
		}
	}
	/* What file_cost() will charge: an EF's bytes, an RSA KO's key
	 * (reserved when the KO is made, so GENERATE never runs out). */
	size_t need = TM_LASER_FILE_OVERHEAD + (fcp->desc == TM_LASER_DESC_EF ? fcp->size : 0);
	if (fcp->desc == TM_LASER_DESC_KO && fcp->prop_len > 2 && fcp->prop[2] == TM_LASER_KO_ALG_RSA)
		need += (size_t)fcp->size * 5 / 2;
	if (c->mf != NULL && need > tm_laser_free_bytes(c)) {
		*sw = TM_SW_NO_MEMORY;
		return NULL;
	}
	f = OPENSSL_zalloc(sizeof(*f));
	if (f == NULL) {
		*sw = TM_SW_NO_MEMORY;
		return NULL;
	}
	f->fcp = *fcp;
	f->fcp.content = NULL;
	f->fcp.content_len = 0;
	if (f->fcp.lcs == 0)
		f->fcp.lcs = TM_LASER_LCS_ACTIVATED;
	if (fcp->desc == TM_LASER_DESC_EF && fcp->size > 0) {
		/* A new EF reads as zeros until written. */
		f->data = OPENSSL_zalloc(fcp->size);
		if (f->data == NULL) {
			OPENSSL_free(f);
			*sw = TM_SW_NO_MEMORY;
			return NULL;
		}
		f->data_len = fcp->size;
	}
	f->parent = parent;
	if (parent != NULL) {
		struct tm_lfile **tail = &parent->children;
		while (*tail)
			tail = &(*tail)->next;
		*tail = f;
	}
	*sw = TM_SW_OK;
	return f;
}

void tm_laser_file_remove(struct tm_lfile *f)
{
	struct tm_lfile **p;

	if (f == NULL || f->parent == NULL)
		return;
	for (p = &f->parent->children; *p && *p != f; p = &(*p)->next)
		;
	if (*p == f)
		*p = f->next;
	f->next = NULL;
	tm_laser_file_free(f);
}

unsigned tm_laser_pin_tries(const struct tm_lfile *f)
{
	return f->fcp.prop_len > TM_LASER_PIN_PROP_TRIES ? f->fcp.prop[TM_LASER_PIN_PROP_TRIES] >> 4 : 0;
}

unsigned tm_laser_pin_limit(const struct tm_lfile *f)
{
	return f->fcp.prop_len > TM_LASER_PIN_PROP_TRIES ? f->fcp.prop[TM_LASER_PIN_PROP_TRIES] & 0x0F
							 : 0;
}

void tm_laser_pin_set_tries(struct tm_lfile *f, unsigned left)
{
	if (f->fcp.prop_len > TM_LASER_PIN_PROP_TRIES)
		f->fcp.prop[TM_LASER_PIN_PROP_TRIES] =
			(uint8_t)((left & 0x0F) << 4 | tm_laser_pin_limit(f));
}

void tm_laser_pin_store(struct tm_lfile *f, const uint8_t *pin, size_t len, bool factory)
{
	SHA1(pin, len, f->pin_sha1);
	f->pin_len = (uint8_t)len;
	f->pin_set = true;
	f->pin_factory = factory;
}
