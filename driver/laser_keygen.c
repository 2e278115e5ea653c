/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * LASER keys (jacarta-laser.md §6): a key pair made on the card, or a
 * private key put there (80 24), as Aladdin's personalisation does it --
 * the private KO in 3002, GENERATE, the public KO in 3001, both
 * attribute files, then the container map and cardcf -- so that either
 * driver sees the keys the other made.
 */
#include <config.h>

#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "apdu/buf.h"
#include "apdu/laser_attr.h"
#include "apdu/pubkey.h"
#include "apdu/rc.h"
#include "apdu/tlv.h"
#include "driver/laser.h"
#include "driver/log.h"

#define CMAP_RECORD 90
#define CMAP_MIN_RECORDS 5

/* KO access rules, as the profile's key templates: READ, UPDATE, ADMIN,
 * DELETE, GENERATE, PIN-RESET, CRYPTO. */
static const uint8_t acl_private_ko[14] = {0x00, 0x00, 0x00, 0x20, 0x00, 0xFF, 0x00, 0x00,
					   0x00, 0x20, 0x00, 0x20, 0x00, 0x20};
static const uint8_t acl_public_ko[14] = {0x00, 0x00, 0x00, 0xFF, 0x00, 0xFF, 0x00, 0x00,
					  0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
static const uint8_t acl_cmap[8] = {0x00, 0x00, 0x00, 0x30, 0x00, 0x30, 0x00, 0x30};

static int create_ko(struct tm_token *t, uint16_t df, uint16_t fid, unsigned bytes,
		     uint8_t usage, const uint8_t acl[14], const uint8_t *content, size_t n)
{
	struct tm_laser_fcp f = {.fid = fid, .size = (uint16_t)bytes, .desc = TM_LASER_DESC_KO,
				 .acl_len = 14, .prop_len = 5, .content = content, .content_len = n,
				 .has_fid = true, .has_size = true};
	/* RSA-CRT, its usage, RSA, no padding, "A3" (§6). */
	const uint8_t prop[5] = {TM_LASER_KO_CLASS_RSA_CRT, usage, TM_LASER_KO_ALG_RSA, 0x00, 0xA3};
	struct tm_buf b;
	int rc;

	memcpy(f.acl, acl, 14);
	memcpy(f.prop, prop, 5);
	if ((rc = tm_laser_select_in(t, df, 0, NULL)) != TM_OK)
		return rc;
	tm_buf_init_dynamic(&b, 1024);
	tm_laser_fcp_encode_create(&f, &b);
	struct tm_apdu c = {.ins = TM_LASER_INS_CREATE_FILE, .p1 = TM_LASER_DESC_KO, .data = b.data,
			    .nc = b.len};
	rc = tm_buf_ok(&b) ? tm_laser_run(t, &c, NULL, 0, NULL) : TM_ERR_NO_MEMORY;
	tm_buf_free(&b);
	if (rc == TM_OK && df == TM_LASER_FID_PRIVATE)
		tm_laser_st(t)->key_selected = fid; /* the new KO is the current file */
	return rc;
}

static uint8_t ko_usage(uint8_t usage)
{
	return (uint8_t)(((usage & TM_USAGE_SIGN) ? TM_LASER_KO_USAGE_SIGN : 0) |
			 ((usage & TM_USAGE_DECRYPT) ? TM_LASER_KO_USAGE_DECRYPT : 0));
}

/* The first key index with neither an object nor a KO. */
static unsigned free_index(struct tm_token *t)
{
	for (unsigned n = TM_LASER_KEY_REF_MIN; n <= TM_LASER_KEY_REF_MAX; n++)
		if (tm_token_find(t, (uint16_t)(TM_LREF_PRIVATE | n)) == NULL &&
		    tm_laser_select_in(t, TM_LASER_FID_PRIVATE, (uint16_t)(TM_LASER_PRIVATE_KO_BASE + n),
				       NULL) == TM_ERR_FILE_NOT_FOUND)
			return n;
	return 0;
}

static void put_u16le(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8);
}

/* A container-map record's GUID from the key's CKA_ID, as Aladdin's
 * driver makes it: bytes as 16-bit characters, 5C/DC as 5B, 00/80 as
 * 01, top bits cleared and kept in five trailing bytes. */
static bool cmap_record(const struct tm_card_object *k, uint8_t rec[CMAP_RECORD], bool first)
{
	uint8_t guid[40], bits[5] = {0};
	size_t n = 0;
	bool msb = false;

	memset(rec, 0, CMAP_RECORD);
	if (k->id_len > sizeof(guid) - sizeof(bits) - 1)
		return false;
	for (size_t i = 0; i < k->id_len; i++) {
		uint8_t c = k->id[i];
		c = (c == 0x5C || c == 0xDC) ? 0x5B : (c == 0x00 || c == 0x80) ? 0x01 : c;
		if (c & 0x80) {
			if (i > sizeof(bits) * 7)
				return false;
			msb = true;
			c &= 0x7F;
			bits[i / 7] |= (uint8_t)(0x01 << (6 - i % 7));
		}
		guid[n++] = c;
	}
	if (msb) {
		memcpy(guid + n, bits, sizeof(bits));
		n += sizeof(bits);
	}
	for (size_t i = 0; i < n; i++)
		rec[2 * i] = guid[i];
	rec[80] = (uint8_t)(0x01 | (first ? 0x02 : 0x00)); /* valid, default */
	put_u16le(rec + 84, k->bits);      /* every key is a key-exchange key */
	put_u16le(rec + 86, (unsigned)n);  /* guid length */
	put_u16le(rec + 88, k->id_len == 25 ? 0x80 : 0); /* the driver's "JaCarta style" mark */
	return true;
}

/* The container map rewritten from the private keys on the card. */
static int write_cmap(struct tm_token *t)
{
	uint8_t recs[TM_LASER_KEY_REF_MAX * CMAP_RECORD];
	size_t used = 0;
	bool first = true;

	memset(recs, 0, sizeof(recs));
	for (unsigned n = TM_LASER_KEY_REF_MIN; n <= TM_LASER_KEY_REF_MAX; n++) {
		const struct tm_card_object *k = tm_token_find(t, (uint16_t)(TM_LREF_PRIVATE | n));
		if (k == NULL)
			continue;
		if (cmap_record(k, recs + (n - 1) * CMAP_RECORD, first))
			first = false;
		used = n * CMAP_RECORD;
	}
	size_t len = used + CMAP_RECORD > CMAP_MIN_RECORDS * CMAP_RECORD ? used + CMAP_RECORD
									  : CMAP_MIN_RECORDS * CMAP_RECORD;
	if (len > sizeof(recs))
		len = sizeof(recs);
	struct tm_buf b;
	tm_buf_init_dynamic(&b, 4096);
	tm_laser_attr_cmapfile(&b, recs, len);
	int rc = tm_buf_ok(&b) ? tm_laser_delete(t, TM_LASER_FID_PUBLIC, TM_LASER_FID_CMAP) : TM_ERR_NO_MEMORY;
	if (rc == TM_OK || rc == TM_ERR_FILE_NOT_FOUND)
		rc = tm_laser_write_ef(t, TM_LASER_FID_PUBLIC, TM_LASER_FID_CMAP, "cmapfile", acl_cmap,
				       b.data, b.len, false);
	tm_buf_free(&b);
	return rc;
}

/* A key's two attribute files, with their objects added to the token's
 * list (the map and a later listing read them there). */
static int write_key_files(struct tm_token *t, unsigned n, const struct tm_card_object *a,
			   const struct tm_card_object *pa, EVP_PKEY *pub, uint16_t *ref,
			   uint16_t *pub_ref)
{
	struct tm_card_object o = *a, p = *pa;
	uint8_t stamp[4] = {0};
	struct tm_buf b;
	int rc;

	o.cls = TM_OBJ_KEY_PAIR;
	o.ref = (uint16_t)(TM_LREF_PRIVATE | n);
	o.pub = pub;
	o.bits = (uint16_t)EVP_PKEY_get_bits(pub);
	p.cls = TM_OBJ_PUBLIC_KEY;
	p.ref = (uint16_t)(TM_LREF_PUBLIC | n);
	p.pub = pub;
	p.bits = o.bits;
	p.usage = a->usage;
	p.flags = (uint8_t)((pa->flags & TM_OBJF_MODIFIABLE) | (a->flags & TM_OBJF_IMPORTED));
	tm_buf_init_dynamic(&b, TM_LASER_MAX_FILE);
	rc = tm_laser_encode_attrs(&o, tm_laser_ref_fid(o.ref), stamp, &b);
	if (rc == TM_OK)
		rc = tm_laser_write_ef(t, TM_LASER_FID_PRIVATE, tm_laser_ref_fid(o.ref), NULL,
				       (const uint8_t[8]){0x00, 0x00, 0x00, 0x20, 0x00, 0xFF, 0x00, 0x20},
				       b.data, b.len, false);
	tm_buf_free(&b);
	tm_buf_init_dynamic(&b, TM_LASER_MAX_FILE);
	if (rc == TM_OK)
		rc = tm_laser_encode_attrs(&p, tm_laser_ref_fid(p.ref), stamp, &b);
	if (rc == TM_OK)
		rc = tm_laser_write_ef(t, TM_LASER_FID_PUBLIC, tm_laser_ref_fid(p.ref), NULL,
				       (const uint8_t[8]){0x00, 0x00, 0x00, 0x20, 0x00, 0xFF, 0x00, 0x20},
				       b.data, b.len, false);
	tm_buf_free(&b);
	if (rc != TM_OK)
		return rc;
	/* Listed now, so the map sees the new key; pointers the caller
	 * holds stay valid (the list only grows here). */
	o.value = p.value = NULL;
	o.size = p.size = 0;
	if (t->n_objects + 2 <= TM_TOKEN_MAX_OBJECTS && EVP_PKEY_up_ref(pub) == 1) {
		t->objects[t->n_objects++] = o;
		if (EVP_PKEY_up_ref(pub) == 1)
			t->objects[t->n_objects++] = p;
	}
	*ref = o.ref;
	*pub_ref = p.ref;
	rc = write_cmap(t);
	if (rc == TM_OK)
		rc = tm_laser_touch_cardcf(t, true);
	return rc;
}

/* Whatever a failed GENERATE or import left. */
static void undo(struct tm_token *t, unsigned n)
{
	tm_laser_delete(t, TM_LASER_FID_PUBLIC, (uint16_t)(0x0140 + n - 1));
	tm_laser_delete(t, TM_LASER_FID_PRIVATE, (uint16_t)(0x0200 + n - 1));
	tm_laser_delete(t, TM_LASER_FID_PUBLIC, (uint16_t)(TM_LASER_PUBLIC_KO_BASE + n));
	tm_laser_delete(t, TM_LASER_FID_PRIVATE, (uint16_t)(TM_LASER_PRIVATE_KO_BASE + n));
}

/* The public KO: 71 { 90 e, 91 n }. */
static int public_ko(struct tm_token *t, unsigned n, EVP_PKEY *pub, uint8_t usage)
{
	BIGNUM *bn = NULL, *be = NULL;
	struct tm_buf c;
	int rc = TM_ERR_NO_MEMORY;
	size_t bytes = (size_t)EVP_PKEY_get_size(pub);

	tm_buf_init_dynamic(&c, 1100);
	if (EVP_PKEY_get_bn_param(pub, OSSL_PKEY_PARAM_RSA_N, &bn) == 1 &&
	    EVP_PKEY_get_bn_param(pub, OSSL_PKEY_PARAM_RSA_E, &be) == 1) {
		size_t m = tm_tlv_begin(&c, 0x71);
		size_t em = tm_tlv_begin(&c, 0x90);
		uint8_t *p = tm_buf_reserve(&c, (size_t)BN_num_bytes(be));
		if (p)
			BN_bn2bin(be, p);
		tm_tlv_end(&c, em);
		size_t nm = tm_tlv_begin(&c, 0x91);
		if ((p = tm_buf_reserve(&c, bytes)) != NULL)
			BN_bn2binpad(bn, p, (int)bytes);
		tm_tlv_end(&c, nm);
		tm_tlv_end(&c, m);
		if (tm_buf_ok(&c))
			rc = create_ko(t, TM_LASER_FID_PUBLIC, (uint16_t)(TM_LASER_PUBLIC_KO_BASE + n),
				       (unsigned)bytes, ko_usage(usage), acl_public_ko, c.data, c.len);
	}
	BN_free(bn);
	BN_free(be);
	tm_buf_free(&c);
	return rc;
}

int tm_laser_generate(struct tm_token *t, const struct tm_card_object *a,
		      const struct tm_card_object *pa, uint16_t *ref, uint16_t *pub_ref)
{
	static const uint8_t content[] = {TM_LASER_KO_RSA, 0x00};
	uint8_t alg = a->bits == 1024 ? TM_LASER_GEN_RSA_1024 : a->bits == 2048 ? TM_LASER_GEN_RSA_2048
						       : a->bits == 4096 ? TM_LASER_GEN_RSA_4096 : 0;
	uint8_t body[] = {0xAC, 0x09, 0x80, 0x01, alg, 0x81, 0x81, 0x03, 0x01, 0x00, 0x01};
	uint8_t out[1100];
	size_t len;
	struct tm_tlv pk, n, e;
	EVP_PKEY *pub = NULL;
	int rc;

	if (a->key_alg != TM_KEY_RSA || alg == 0 || (a->flags & TM_OBJF_TEMPORARY))
		return TM_ERR_FUNC_NOT_SUPPORTED;
	unsigned idx = free_index(t);
	if (idx == 0)
		return TM_ERR_CARD_MEMORY;
	rc = create_ko(t, TM_LASER_FID_PRIVATE, (uint16_t)(TM_LASER_PRIVATE_KO_BASE + idx),
		       a->bits / 8u, ko_usage(a->usage) | TM_LASER_KO_USAGE_SIGN, acl_private_ko,
		       content, sizeof(content));
	if (rc != TM_OK)
		return rc;
	/* GENERATE into the KO just made (it is the current file). */
	struct tm_apdu c = {.ins = TM_LASER_INS_GENERATE, .data = body, .nc = sizeof(body), .ne = 256};
	rc = tm_laser_run(t, &c, out, sizeof(out), &len);
	if (rc == TM_OK && (tm_tlv_find(out, len, 0x7F49, &pk) != TM_OK ||
			    tm_tlv_find(pk.value, pk.len, 0x81, &n) != TM_OK ||
			    tm_tlv_find(pk.value, pk.len, 0x82, &e) != TM_OK || n.len != a->bits / 8u ||
			    (pub = tm_pubkey_rsa(n.value, n.len, e.value, e.len)) == NULL))
		rc = TM_ERR_PROTOCOL;
	if (rc == TM_OK)
		rc = public_ko(t, idx, pub, a->usage);
	if (rc == TM_OK)
		rc = write_key_files(t, idx, a, pa, pub, ref, pub_ref);
	EVP_PKEY_free(pub);
	if (rc != TM_OK) {
		tm_log(TM_LOG_CARD, "%s: key generation failed (%s): removing what it made", t->reader,
		       tm_rc_name(rc));
		undo(t, idx);
		tm_token_drop_objects(t);
	}
	return rc;
}

int tm_laser_import_key(struct tm_token *t, const struct tm_card_object *a,
			const struct tm_key_parts *k, uint16_t *ref)
{
	static const uint8_t content[] = {TM_LASER_KO_RSA, 0x00};
	struct tm_buf b;
	uint16_t pub_ref;
	int rc;

	if (a->key_alg != TM_KEY_RSA || (a->bits != 1024 && a->bits != 2048 && a->bits != 4096) ||
	    (a->flags & TM_OBJF_TEMPORARY))
		return TM_ERR_FUNC_NOT_SUPPORTED;
	EVP_PKEY *pub = tm_pubkey_rsa(k->v[TM_PART_N], k->len[TM_PART_N], k->v[TM_PART_E],
				      k->len[TM_PART_E]);
	if (pub == NULL)
		return TM_ERR_ARGS;
	unsigned idx = free_index(t);
	if (idx == 0) {
		EVP_PKEY_free(pub);
		return TM_ERR_CARD_MEMORY;
	}
	rc = create_ko(t, TM_LASER_FID_PRIVATE, (uint16_t)(TM_LASER_PRIVATE_KO_BASE + idx),
		       a->bits / 8u, ko_usage(a->usage) | TM_LASER_KO_USAGE_SIGN, acl_private_ko,
		       content, sizeof(content));
	/* 62 { 90 e, 91 n, 92 d, 93 p||q, 94 dp||dq||qinv } (§6), chained,
	 * its length only in any trace, wiped after. */
	tm_buf_init_dynamic(&b, 4096);
	size_t m = tm_tlv_begin(&b, 0x62);
	tm_tlv_put(&b, 0x90, k->v[TM_PART_E], k->len[TM_PART_E]);
	tm_tlv_put(&b, 0x91, k->v[TM_PART_N], k->len[TM_PART_N]);
	tm_tlv_put(&b, 0x92, k->v[TM_PART_D], k->len[TM_PART_D]);
	size_t pq = tm_tlv_begin(&b, 0x93);
	tm_buf_add(&b, k->v[TM_PART_P], k->len[TM_PART_P]);
	tm_buf_add(&b, k->v[TM_PART_Q], k->len[TM_PART_Q]);
	tm_tlv_end(&b, pq);
	size_t crt = tm_tlv_begin(&b, 0x94);
	tm_buf_add(&b, k->v[TM_PART_DP], k->len[TM_PART_DP]);
	tm_buf_add(&b, k->v[TM_PART_DQ], k->len[TM_PART_DQ]);
	tm_buf_add(&b, k->v[TM_PART_QINV], k->len[TM_PART_QINV]);
	tm_tlv_end(&b, crt);
	tm_tlv_end(&b, m);
	if (rc == TM_OK) {
		struct tm_apdu c = {.cla = TM_CLA_PROPRIETARY, .ins = TM_LASER_INS_UPDATE_KO,
				    .data = b.data, .nc = b.len, .sensitive = true};
		rc = tm_buf_ok(&b) ? tm_laser_run(t, &c, NULL, 0, NULL) : TM_ERR_NO_MEMORY;
	}
	tm_buf_free(&b);
	/* The public half as a KO and an object of its own, as after
	 * GENERATE: both drivers find a key's size and value there. */
	struct tm_card_object o = *a;
	o.flags |= TM_OBJF_IMPORTED;
	if (rc == TM_OK)
		rc = public_ko(t, idx, pub, a->usage);
	if (rc == TM_OK)
		rc = write_key_files(t, idx, &o, &o, pub, ref, &pub_ref);
	EVP_PKEY_free(pub);
	if (rc != TM_OK) {
		undo(t, idx);
		tm_token_drop_objects(t);
	}
	return rc;
}
