/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * LASER objects: attribute files in 3001 (public) and 3002 (private),
 * read into the token's object list and written as Aladdin's driver
 * writes them (jacarta-laser.md §8; the same records in the same order,
 * so each driver reads what the other wrote).
 */
#include <config.h>

#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/x509.h>

#include "apdu/buf.h"
#include "apdu/laser_attr.h"
#include "apdu/pubkey.h"
#include "apdu/rc.h"
#include "driver/laser.h"
#include "driver/log.h"
#include "driver/p11.h"

/* Access rules of attribute files: READ, UPDATE, ADMIN, DELETE (§3),
 * as Aladdin's profile has them. */
static const uint8_t acl_public[8] = {0x00, 0x00, 0x00, 0x20, 0x00, 0xFF, 0x00, 0x20};
static const uint8_t acl_open[8] = {0x00, 0x00, 0x00, 0x00, 0x00, 0xFF, 0x00, 0x00};
static const uint8_t acl_private[8] = {0x00, 0x20, 0x00, 0x20, 0x00, 0x20, 0x00, 0x20};

/* --- Reading ---------------------------------------------------------- */

static bool take(uint8_t *dst, size_t cap, size_t *len, const struct tm_laser_attr *a)
{
	if (a->len > cap)
		return false;
	memcpy(dst, a->value, a->len);
	*len = a->len;
	return true;
}

static bool flag(const struct tm_laser_attr *a)
{
	return a->len == 1 && a->value[0] != 0;
}

static uint8_t class_of(uint32_t cko)
{
	switch (cko) {
	case CKO_DATA: return TM_OBJ_DATA;
	case CKO_CERTIFICATE: return TM_OBJ_CERTIFICATE;
	case CKO_PUBLIC_KEY: return TM_OBJ_PUBLIC_KEY;
	case CKO_PRIVATE_KEY: return TM_OBJ_KEY_PAIR;
	default: return 0;
	}
}

/* An attribute file into o (its ref already set). */
static int parse(const uint8_t *file, size_t len, struct tm_card_object *o)
{
	struct tm_laser_attr_reader r;
	struct tm_laser_attr a;
	const uint8_t *n = NULL, *e = NULL, *value = NULL;
	size_t n_len = 0, e_len = 0, value_len = 0;
	uint32_t v;
	int rc;

	if (tm_laser_attr_open(&r, file, len) != TM_OK)
		return TM_ERR_PROTOCOL;
	while ((rc = tm_laser_attr_next(&r, &a)) == TM_OK) {
		switch (a.type) {
		case CKA_CLASS:
			if (!tm_laser_attr_ulong(&a, &v) || (o->cls = class_of(v)) == 0)
				return TM_ERR_PROTOCOL;
			break;
		case CKA_PRIVATE:
			if (flag(&a))
				o->flags |= TM_OBJF_PRIVATE;
			break;
		case CKA_MODIFIABLE:
			if (flag(&a))
				o->flags |= TM_OBJF_MODIFIABLE;
			break;
		case CKA_LOCAL:
			/* Written false for an imported key (80 24); a file
			 * without it is a key the card made. */
			if (a.len == 1 && a.value[0] == 0)
				o->flags |= TM_OBJF_IMPORTED;
			break;
		case CKA_LABEL:
			if (a.len > TM_MAX_OBJ_LABEL)
				return TM_ERR_PROTOCOL;
			memcpy(o->label, a.value, a.len);
			o->label[a.len] = '\0';
			o->label_len = a.len;
			break;
		case CKA_ID:
			if (!take(o->id, sizeof(o->id), &o->id_len, &a))
				return TM_ERR_PROTOCOL;
			break;
		case CKA_APPLICATION:
			if (!take(o->app, sizeof(o->app), &o->app_len, &a))
				return TM_ERR_PROTOCOL;
			break;
		case CKA_SUBJECT:
			if (!take(o->subject, sizeof(o->subject), &o->subject_len, &a))
				return TM_ERR_PROTOCOL;
			break;
		case CKA_START_DATE:
		case CKA_END_DATE: {
			/* Eight zeros (or nothing) is no date. */
			static const uint8_t zero[TM_OBJ_DATE_LEN];
			if (a.len == TM_OBJ_DATE_LEN && memcmp(a.value, zero, a.len) != 0) {
				memcpy(a.type == CKA_START_DATE ? o->start : o->end, a.value, a.len);
				*(a.type == CKA_START_DATE ? &o->start_len : &o->end_len) = a.len;
			}
			break;
		}
		case CKA_SIGN:
		case CKA_VERIFY:
			if (flag(&a))
				o->usage |= TM_USAGE_SIGN;
			break;
		case CKA_DECRYPT:
		case CKA_ENCRYPT:
			if (flag(&a))
				o->usage |= TM_USAGE_DECRYPT;
			break;
		case CKA_MODULUS: n = a.value, n_len = a.len; break;
		case CKA_PUBLIC_EXPONENT: e = a.value, e_len = a.len; break;
		case CKA_MODULUS_BITS:
			if (tm_laser_attr_ulong(&a, &v) && v <= 16384)
				o->bits = (uint16_t)v;
			break;
		case CKA_VALUE: value = a.value, value_len = a.len; break;
		default: break;
		}
	}
	if (rc != TM_ERR_NOT_FOUND || o->cls == 0)
		return TM_ERR_PROTOCOL;
	if (o->cls == TM_OBJ_KEY_PAIR || o->cls == TM_OBJ_PUBLIC_KEY)
		o->key_alg = TM_KEY_RSA;
	if (o->cls == TM_OBJ_PUBLIC_KEY) {
		if (n == NULL || e == NULL || (o->pub = tm_pubkey_rsa(n, n_len, e, e_len)) == NULL)
			return TM_ERR_PROTOCOL;
		o->bits = (uint16_t)EVP_PKEY_get_bits(o->pub);
	}
	if ((o->cls == TM_OBJ_CERTIFICATE || o->cls == TM_OBJ_DATA) && value_len > 0) {
		if (value_len > TM_MAX_OBJECT_SIZE || (o->value = OPENSSL_memdup(value, value_len)) == NULL)
			return TM_ERR_PROTOCOL;
		o->size = (uint32_t)value_len;
	}
	return TM_OK;
}

/* One attribute file of DF df into the next free object slot. */
static void take_file(struct tm_token *t, uint16_t df, uint16_t fid)
{
	uint16_t ref = tm_laser_ref_of(df, fid);
	struct tm_laser_fcp f;
	uint8_t *data = NULL;

	/* The container map is the minidriver's bookkeeping, not an
	 * application's object: not listed (docs/driver.md). */
	if (ref == 0 || ref == TM_LREF_CMAPFILE || t->n_objects == TM_TOKEN_MAX_OBJECTS)
		return;
	int rc = tm_laser_select_in(t, df, fid, &f);
	/* A private data object before login cannot be read: it is listed
	 * after login (the token reads the directory again). */
	if (rc == TM_OK)
		rc = tm_laser_read(t, f.size, df == TM_LASER_FID_PRIVATE, &data);
	struct tm_card_object *o = &t->objects[t->n_objects];
	memset(o, 0, sizeof(*o));
	o->ref = ref;
	if (rc == TM_OK)
		rc = parse(data, f.size, o);
	if (data)
		OPENSSL_clear_free(data, f.size);
	if (rc != TM_OK) {
		/* A file that is not (or not yet wholly) an attribute file --
		 * a torn write, say -- is left out, not the whole token. */
		if (rc != TM_ERR_SECURITY_STATUS)
			tm_log(TM_LOG_CARD, "%s: %04X/%04X left out of the directory (%s)", t->reader,
			       df, fid, tm_rc_name(rc));
		EVP_PKEY_free(o->pub);
		if (o->value)
			OPENSSL_clear_free(o->value, o->size);
		memset(o, 0, sizeof(*o));
		return;
	}
	t->n_objects++;
}

/* A private key's public half: the public key object of the same
 * index (they are made together), or failing that of the same ID. */
static void link_keys(struct tm_token *t)
{
	for (size_t i = 0; i < t->n_objects; i++) {
		struct tm_card_object *o = &t->objects[i], *pub = NULL;
		if (o->cls != TM_OBJ_KEY_PAIR)
			continue;
		pub = tm_token_find(t, (uint16_t)(TM_LREF_PUBLIC | (o->ref & 0xFF)));
		for (size_t k = 0; pub == NULL && k < t->n_objects; k++)
			if (t->objects[k].cls == TM_OBJ_PUBLIC_KEY && t->objects[k].id_len == o->id_len &&
			    memcmp(t->objects[k].id, o->id, o->id_len) == 0)
				pub = &t->objects[k];
		if (pub != NULL && pub->pub != NULL && EVP_PKEY_up_ref(pub->pub) == 1) {
			o->pub = pub->pub;
			o->bits = pub->bits;
		}
	}
	/* A private key whose public half is nowhere cannot be used here
	 * (every operation needs its size and key): left out, and said. */
	for (size_t i = 0; i < t->n_objects;) {
		if (t->objects[i].cls == TM_OBJ_KEY_PAIR && t->objects[i].pub == NULL) {
			tm_log(TM_LOG_CARD, "%s: key %04X has no public key: left out", t->reader,
			       t->objects[i].ref);
			memmove(&t->objects[i], &t->objects[i + 1],
				(t->n_objects - i - 1) * sizeof(t->objects[0]));
			memset(&t->objects[--t->n_objects], 0, sizeof(t->objects[0]));
			continue;
		}
		i++;
	}
}

int tm_laser_list_objects(struct tm_token *t)
{
	static const uint16_t dfs[] = {TM_LASER_FID_PUBLIC, TM_LASER_FID_PRIVATE};
	uint16_t fids[256];
	size_t n;
	int rc;

	tm_token_drop_objects(t);
	for (size_t d = 0; d < 2; d++) {
		if ((rc = tm_laser_select_in(t, dfs[d], 0, NULL)) != TM_OK ||
		    (rc = tm_laser_list(t, TM_LASER_LIST_EF, fids, 256, &n)) != TM_OK) {
			tm_token_drop_objects(t);
			return rc;
		}
		for (size_t i = 0; i < n; i++)
			take_file(t, dfs[d], fids[i]);
	}
	link_keys(t);
	return TM_OK;
}

int tm_laser_read_value(struct tm_token *t, struct tm_card_object *o)
{
	(void)t;
	/* Values come with their attribute files, read at listing. */
	if (o->value == NULL && o->size != 0)
		return TM_ERR_PROTOCOL;
	if (o->value == NULL && (o->value = OPENSSL_zalloc(1)) == NULL)
		return TM_ERR_NO_MEMORY;
	return TM_OK;
}

/* --- Writing ---------------------------------------------------------- */

static void add_date(struct tm_laser_attr_writer *w, uint32_t type, const char *d, size_t len,
		     bool empty_is_nothing)
{
	static const uint8_t zero[TM_OBJ_DATE_LEN];
	if (len == TM_OBJ_DATE_LEN)
		tm_laser_attr_add(w, type, TM_LASER_ATTRF_MODIFIABLE, d, len);
	else
		tm_laser_attr_add(w, type, TM_LASER_ATTRF_MODIFIABLE, zero,
				  empty_is_nothing ? 0 : TM_OBJ_DATE_LEN);
}

static void put_bn(struct tm_laser_attr_writer *w, uint32_t type, EVP_PKEY *k, const char *name)
{
	BIGNUM *b = NULL;
	uint8_t buf[1024];
	if (EVP_PKEY_get_bn_param(k, name, &b) != 1 || BN_num_bytes(b) > (int)sizeof(buf)) {
		w->b->failed = true;
	} else {
		int n = BN_bn2bin(b, buf);
		tm_laser_attr_add(w, type, 0, buf, (size_t)n);
	}
	BN_free(b);
}

/* Issuer, serial number and subject of a certificate, for its file. */
static bool cert_names(const uint8_t *der, size_t len, struct tm_buf *issuer,
		       struct tm_buf *serial, struct tm_buf *subject)
{
	const uint8_t *p = der;
	X509 *x = d2i_X509(NULL, &p, (long)len);
	uint8_t *out = NULL;
	int n;
	bool ok = x != NULL;

	if (ok && (n = i2d_X509_NAME(X509_get_issuer_name(x), &out)) > 0)
		tm_buf_add(issuer, out, (size_t)n);
	OPENSSL_free(out);
	out = NULL;
	if (ok && (n = i2d_ASN1_INTEGER(X509_get_serialNumber(x), &out)) > 0)
		tm_buf_add(serial, out, (size_t)n);
	OPENSSL_free(out);
	out = NULL;
	if (ok && (n = i2d_X509_NAME(X509_get_subject_name(x), &out)) > 0)
		tm_buf_add(subject, out, (size_t)n);
	OPENSSL_free(out);
	X509_free(x);
	return ok;
}

int tm_laser_encode_attrs(const struct tm_card_object *o, uint16_t fid, const uint8_t stamp[4],
			  struct tm_buf *b)
{
	struct tm_laser_attr_writer w;
	bool mod = (o->flags & TM_OBJF_MODIFIABLE) != 0;
	const uint8_t M = TM_LASER_ATTRF_MODIFIABLE;

	switch (o->cls) {
	case TM_OBJ_KEY_PAIR:
		tm_laser_attr_begin(&w, b, fid, false);
		tm_laser_attr_add_ulong(&w, CKA_CLASS, 0, CKO_PRIVATE_KEY);
		tm_laser_attr_add_bool(&w, CKA_TOKEN, 0, true);
		tm_laser_attr_add_bool(&w, CKA_PRIVATE, 0, true);
		tm_laser_attr_add(&w, CKA_LABEL, M, o->label, o->label_len);
		tm_laser_attr_add_ulong(&w, CKA_KEY_TYPE, 0, CKK_RSA);
		tm_laser_attr_add(&w, CKA_SUBJECT, M, o->subject, o->subject_len);
		tm_laser_attr_add(&w, CKA_ID, M, o->id, o->id_len);
		tm_laser_attr_add_bool(&w, CKA_SENSITIVE, 0x30, true);
		tm_laser_attr_add_bool(&w, CKA_DECRYPT, 0, o->usage & TM_USAGE_DECRYPT);
		tm_laser_attr_add_bool(&w, CKA_UNWRAP, 0, o->usage & TM_USAGE_DECRYPT);
		tm_laser_attr_add_bool(&w, CKA_SIGN, 0, o->usage & TM_USAGE_SIGN);
		tm_laser_attr_add_bool(&w, CKA_SIGN_RECOVER, 0, o->usage & TM_USAGE_SIGN);
		tm_laser_attr_add_bool(&w, CKA_DERIVE, M, false);
		add_date(&w, CKA_START_DATE, o->start, o->start_len, true);
		add_date(&w, CKA_END_DATE, o->end, o->end_len, true);
		tm_laser_attr_add_bool(&w, CKA_EXTRACTABLE, 0x50, false);
		tm_laser_attr_add_bool(&w, CKA_LOCAL, 0, !(o->flags & TM_OBJF_IMPORTED));
		tm_laser_attr_add_bool(&w, CKA_NEVER_EXTRACTABLE, 0, !(o->flags & TM_OBJF_IMPORTED));
		tm_laser_attr_add_bool(&w, CKA_ALWAYS_SENSITIVE, 0, !(o->flags & TM_OBJF_IMPORTED));
		tm_laser_attr_add_ulong(&w, CKA_KEY_GEN_MECHANISM, 0,
					(o->flags & TM_OBJF_IMPORTED) ? 0xFFFFFFFFu : CKM_RSA_PKCS_KEY_PAIR_GEN);
		tm_laser_attr_add_bool(&w, CKA_MODIFIABLE, 0, mod);
		tm_laser_attr_add_bool(&w, TM_LASER_ATTR_JACARTA, 0, false);
		break;
	case TM_OBJ_PUBLIC_KEY:
		if (o->pub == NULL)
			return TM_ERR_ARGS;
		tm_laser_attr_begin(&w, b, fid, false);
		tm_laser_attr_add_ulong(&w, CKA_CLASS, 0, CKO_PUBLIC_KEY);
		tm_laser_attr_add_bool(&w, CKA_TOKEN, 0, true);
		tm_laser_attr_add_bool(&w, CKA_PRIVATE, 0, false);
		tm_laser_attr_add(&w, CKA_LABEL, M, o->label, o->label_len);
		tm_laser_attr_add_bool(&w, CKA_TRUSTED, 0x32, false);
		tm_laser_attr_add_ulong(&w, CKA_KEY_TYPE, 0, CKK_RSA);
		tm_laser_attr_add(&w, CKA_SUBJECT, M, o->subject, o->subject_len);
		tm_laser_attr_add(&w, CKA_ID, M, o->id, o->id_len);
		tm_laser_attr_add_bool(&w, CKA_ENCRYPT, 0, o->usage & TM_USAGE_DECRYPT);
		tm_laser_attr_add_bool(&w, CKA_WRAP, 0, o->usage & TM_USAGE_DECRYPT);
		tm_laser_attr_add_bool(&w, CKA_VERIFY, 0, o->usage & TM_USAGE_SIGN);
		tm_laser_attr_add_bool(&w, CKA_VERIFY_RECOVER, 0, o->usage & TM_USAGE_SIGN);
		tm_laser_attr_add_bool(&w, CKA_DERIVE, M, false);
		add_date(&w, CKA_START_DATE, o->start, o->start_len, false);
		add_date(&w, CKA_END_DATE, o->end, o->end_len, false);
		put_bn(&w, CKA_MODULUS, o->pub, OSSL_PKEY_PARAM_RSA_N);
		tm_laser_attr_add_ulong(&w, CKA_MODULUS_BITS, 0, (uint32_t)EVP_PKEY_get_bits(o->pub));
		put_bn(&w, CKA_PUBLIC_EXPONENT, o->pub, OSSL_PKEY_PARAM_RSA_E);
		tm_laser_attr_add_bool(&w, CKA_LOCAL, 0, !(o->flags & TM_OBJF_IMPORTED));
		tm_laser_attr_add_bool(&w, CKA_MODIFIABLE, 0, mod);
		tm_laser_attr_add_bool(&w, TM_LASER_ATTR_JACARTA, 0, true);
		break;
	case TM_OBJ_CERTIFICATE: {
		struct tm_buf is, sn, sub;
		tm_buf_init_dynamic(&is, 4096);
		tm_buf_init_dynamic(&sn, 256);
		tm_buf_init_dynamic(&sub, 4096);
		if (!cert_names(o->value, o->size, &is, &sn, &sub)) {
			tm_buf_free(&is), tm_buf_free(&sn), tm_buf_free(&sub);
			return TM_ERR_WRONG_DATA;
		}
		tm_laser_attr_begin(&w, b, fid, true);
		tm_laser_attr_add_ulong(&w, CKA_CLASS, 0, CKO_CERTIFICATE);
		tm_laser_attr_add_bool(&w, CKA_TOKEN, 0, true);
		tm_laser_attr_add_bool(&w, CKA_PRIVATE, 0, false);
		tm_laser_attr_add(&w, CKA_LABEL, M, o->label, o->label_len);
		tm_laser_attr_add(&w, CKA_VALUE, 0, o->value, o->size);
		tm_laser_attr_add_ulong(&w, CKA_CERTIFICATE_TYPE, 0, CKC_X_509);
		tm_laser_attr_add(&w, CKA_ISSUER, M, is.data, is.len);
		tm_laser_attr_add(&w, CKA_SERIAL_NUMBER, M, sn.data, sn.len);
		tm_laser_attr_add_bool(&w, CKA_TRUSTED, 0x50, false);
		tm_laser_attr_add(&w, CKA_SUBJECT, 0, sub.data, sub.len);
		tm_laser_attr_add(&w, CKA_ID, M, o->id, o->id_len);
		tm_laser_attr_add_bool(&w, CKA_MODIFIABLE, 0, mod);
		tm_laser_attr_add_bool(&w, TM_LASER_ATTR_JACARTA, 0, true);
		tm_buf_free(&is), tm_buf_free(&sn), tm_buf_free(&sub);
		break;
	}
	case TM_OBJ_DATA: {
		uint8_t no_oid[64];
		memset(no_oid, 0xFF, sizeof(no_oid)); /* sixteen -1s: no OID */
		tm_laser_attr_begin(&w, b, fid, true);
		tm_laser_attr_add_ulong(&w, CKA_CLASS, 0, CKO_DATA);
		tm_laser_attr_add_bool(&w, CKA_TOKEN, 0, true);
		tm_laser_attr_add_bool(&w, CKA_PRIVATE, 0, o->flags & TM_OBJF_PRIVATE);
		tm_laser_attr_add(&w, CKA_LABEL, M, o->label, o->label_len);
		tm_laser_attr_add(&w, CKA_APPLICATION, M, o->app, o->app_len);
		tm_laser_attr_add(&w, CKA_VALUE, M, o->value, o->size);
		tm_laser_attr_add(&w, CKA_OBJECT_ID, M, no_oid, sizeof(no_oid));
		tm_laser_attr_add_bool(&w, CKA_MODIFIABLE, 0, mod);
		tm_laser_attr_add_bool(&w, TM_LASER_ATTR_JACARTA, 0, false);
		break;
	}
	default:
		return TM_ERR_ARGS;
	}
	tm_laser_attr_finish(&w, stamp);
	return tm_buf_ok(b) ? TM_OK : TM_ERR_NO_MEMORY;
}

static void stamp_of(struct tm_token *t, uint8_t stamp[4])
{
	const struct tm_laser_state *st = tm_laser_st(t);
	stamp[0] = (uint8_t)st->cont_fresh, stamp[1] = (uint8_t)(st->cont_fresh >> 8);
	stamp[2] = (uint8_t)st->file_fresh, stamp[3] = (uint8_t)(st->file_fresh >> 8);
}

static const uint8_t *acl_for(const struct tm_card_object *o)
{
	if (o->cls == TM_OBJ_DATA)
		return (o->flags & TM_OBJF_PRIVATE) ? acl_private : acl_open;
	return acl_public;
}

/* An object's attribute file written at df/fid (any old one replaced). */
static int write_object(struct tm_token *t, const struct tm_card_object *o, uint16_t df,
			uint16_t fid, bool replace)
{
	uint8_t stamp[4];
	struct tm_buf b;
	int rc;

	stamp_of(t, stamp);
	tm_buf_init_dynamic(&b, TM_LASER_MAX_FILE);
	rc = tm_laser_encode_attrs(o, fid, stamp, &b);
	/* Nothing resizes (§8): a rewrite is DELETE and CREATE. */
	if (rc == TM_OK && replace && (rc = tm_laser_delete(t, df, fid)) == TM_ERR_FILE_NOT_FOUND)
		rc = TM_OK;
	if (rc == TM_OK)
		rc = tm_laser_write_ef(t, df, fid, NULL, acl_for(o), b.data, b.len,
				       df == TM_LASER_FID_PRIVATE);
	tm_buf_free(&b);
	if (rc == TM_OK)
		rc = tm_laser_touch_cardcf(t, false);
	return rc;
}

/* The first free attribute file of a series: base+0 .. base+0x1D. */
static uint16_t free_fid(struct tm_token *t, uint16_t df, uint16_t base)
{
	for (uint16_t k = 0; k < 0x1E; k++) {
		uint16_t ref = tm_laser_ref_of(df, (uint16_t)(base + k));
		if (ref != 0 && tm_token_find(t, ref) == NULL &&
		    tm_laser_select_in(t, df, (uint16_t)(base + k), NULL) == TM_ERR_FILE_NOT_FOUND)
			return (uint16_t)(base + k);
	}
	return 0;
}

int tm_laser_create_object(struct tm_token *t, const struct tm_card_object *a,
			   const uint8_t *value, size_t len, uint16_t *ref)
{
	struct tm_card_object o = *a;
	uint16_t df = TM_LASER_FID_PUBLIC, fid = 0;

	if (len > TM_MAX_OBJECT_SIZE || (a->cls != TM_OBJ_CERTIFICATE && a->cls != TM_OBJ_DATA))
		return TM_ERR_ARGS;
	o.value = (uint8_t *)(uintptr_t)value;
	o.size = (uint32_t)len;
	o.pub = NULL;
	if (a->cls == TM_OBJ_CERTIFICATE) {
		/* A key's certificate is "kxc" of that key (§8). */
		for (size_t i = 0; fid == 0 && i < t->n_objects; i++) {
			const struct tm_card_object *k = &t->objects[i];
			uint16_t c = (uint16_t)(0x8400 + (k->ref & 0xFF) - 1);
			if (k->cls == TM_OBJ_KEY_PAIR && k->id_len == a->id_len && a->id_len &&
			    memcmp(k->id, a->id, a->id_len) == 0 &&
			    tm_token_find(t, tm_laser_ref_of(df, c)) == NULL)
				fid = c;
		}
		if (fid == 0)
			fid = free_fid(t, df, 0x0440);
	} else {
		if (a->flags & TM_OBJF_PRIVATE)
			df = TM_LASER_FID_PRIVATE;
		fid = free_fid(t, df, 0x0600);
	}
	if (fid == 0)
		return TM_ERR_CARD_MEMORY;
	int rc = write_object(t, &o, df, fid, false);
	if (rc == TM_OK)
		*ref = tm_laser_ref_of(df, fid);
	return rc;
}

int tm_laser_set_attributes(struct tm_token *t, const struct tm_card_object *o, unsigned what)
{
	(void)what; /* the file holds all of them: it is written whole */
	uint16_t df = tm_laser_ref_df(o->ref), fid = tm_laser_ref_fid(o->ref);
	if (df == 0 || fid == 0 || o->ref == TM_LREF_CMAPFILE)
		return TM_ERR_ARGS;
	return write_object(t, o, df, fid, true);
}

int tm_laser_delete_object(struct tm_token *t, uint16_t ref)
{
	uint16_t df = tm_laser_ref_df(ref), fid = tm_laser_ref_fid(ref);
	int rc;

	if (df == 0 || fid == 0 || ref == TM_LREF_CMAPFILE)
		return TM_ERR_ARGS;
	rc = tm_laser_delete(t, df, fid);
	if (rc == TM_OK && ((ref & 0xF000) == TM_LREF_PRIVATE || (ref & 0xF000) == TM_LREF_PUBLIC)) {
		/* The key itself: its KO goes with its attributes. */
		uint16_t ko = (uint16_t)(((ref & 0xF000) == TM_LREF_PRIVATE ? TM_LASER_PRIVATE_KO_BASE
									      : TM_LASER_PUBLIC_KO_BASE) +
					 (ref & 0xFF));
		rc = tm_laser_delete(t, df, ko);
		if (rc == TM_ERR_FILE_NOT_FOUND)
			rc = TM_OK;
	}
	if (rc == TM_OK)
		rc = tm_laser_touch_cardcf(t, (ref & 0xF000) == TM_LREF_PRIVATE);
	return rc;
}
