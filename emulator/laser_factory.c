/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A new JaCarta PKI as it leaves personalisation: the tree that Aladdin's
 * pkcs15init driver builds (jacartapki_init_card_internal and its
 * profile, jacarta-laser.md §4), with the model's PINs.  The real factory
 * state before that step is not public; this is the state a Kazakh owner
 * receives, as far as the host drivers show it.  docs/emulator.md lists
 * what is assumed.
 */
#include <config.h>

#include "laser_factory.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/sha.h>

#include "apdu/laser_attr.h"

/* ACL shorthands: two bytes per operation. */
#define AC(ref) 0x00, (ref)
#define NONE AC(0x00)
#define NEVER AC(0xFF)

struct spec {
	uint16_t parent;        /* FID of the parent DF (3F00 for the MF's children) */
	uint16_t fid;
	uint8_t desc;
	const char *name;
	uint16_t size;
	uint8_t acl[TM_LASER_ACL_MAX];
	const uint8_t *content; /* EF bytes or a logical expression */
	size_t content_len;
};

static const uint8_t user_pin_type[] = {0x01};
static const uint8_t eeed[] = {0x02, 0xD0, 0x01, 0x64};
static const uint8_t cardapps[] = {0x00, 0x08, 'm', 's', 'c', 'p', 0x00, 0x00, 0x00, 0x00};
/* cardcf: four unused bytes, then container and file freshness (u16 LE). */
static const uint8_t cardcf[TM_LASER_CARDCF_LEN] = {0x00, 0x06, 0x00, 0x03, 0x01, 0x00, 0x01, 0x00};
/* OR(SO, user) and OR(SO, user, transport 2), as the profile's KOs. */
static const uint8_t so_or_user[] = {0xE3, 0x0A, 0x89, 0x02, 0x00, 0x10, 0x89, 0x02, 0x00, 0x20,
				     0x88, 0x00};
static const uint8_t any_pin[] = {0xE3, 0x10, 0x89, 0x02, 0x00, 0x10, 0x89, 0x02, 0x00, 0x20,
				  0x89, 0x02, 0x00, 0x02, 0x88, 0x00, 0x88, 0x00};

#define DF_ACL(c, cd, del, deact) {AC(c), AC(cd), NEVER, AC(del), NONE, AC(deact)}
#define EF_ACL(r, w, adm, del) {AC(r), AC(w), AC(adm), AC(del)}
#define KO_ACL(r, u, adm, del, gen, rst, cry) {AC(r), AC(u), AC(adm), AC(del), AC(gen), AC(rst), AC(cry)}
#define C(x) x, sizeof(x)

/* The order is the init's own: PINs, then DFs, then their files. */
static const struct spec tree[] = {
	{0x3F00, 0x1000, TM_LASER_DESC_EF, "Verification", 1, EF_ACL(0, 0, 0, 0), C(user_pin_type)},
	{0x3F00, 0x0030, TM_LASER_DESC_KO, NULL, 14, KO_ACL(0, 0xFF, 0xFF, 0x10, 0, 0, 0), C(so_or_user)},
	{0x3F00, 0x0032, TM_LASER_DESC_KO, NULL, 18, KO_ACL(0, 0xFF, 0xFF, 0x10, 0, 0, 0), C(any_pin)},
	{0x3F00, 0x0035, TM_LASER_DESC_KO, NULL, 14, KO_ACL(0, 0xFF, 0xFF, 0x10, 0, 0, 0), C(so_or_user)},
	{0x3F00, 0x3000, TM_LASER_DESC_DF, "ASEPKCS", 0, DF_ACL(0x10, 0x10, 0x10, 0x10), NULL, 0},
	{0x3000, 0x3001, TM_LASER_DESC_DF, "PUBLIC", 0, DF_ACL(0, 0, 0x10, 0x10), NULL, 0},
	{0x3000, 0x3002, TM_LASER_DESC_DF, "PRIVATE", 0, DF_ACL(0x20, 0x20, 0x10, 0x10), NULL, 0},
	{0x3000, 0x3003, TM_LASER_DESC_DF, "MD", 0, DF_ACL(0x30, 0x30, 0x30, 0xFF), NULL, 0},
	{0x3000, 0xB000, TM_LASER_DESC_EF, "UserHist", 26, EF_ACL(0x30, 0x30, 0x30, 0x30), NULL, 0},
	{0x3000, 0xC000, TM_LASER_DESC_EF, "TokenInfo", TM_LASER_TOKEN_INFO_FILE_LEN,
	 EF_ACL(0, 0x30, 0x30, 0x30), NULL, 0},
	{0x3000, 0xEEED, TM_LASER_DESC_EF, "EEED", 4, EF_ACL(0, 0x30, 0xFF, 0x30), C(eeed)},
	{0x3000, 0xEEEE, TM_LASER_DESC_EF, "EEEE", 173, EF_ACL(0, 0x10, 0xFF, 0x10), NULL, 0},
	{0x3000, 0xEEEF, TM_LASER_DESC_EF, "EEEF", 15, EF_ACL(0, 0x30, 0xFF, 0x30), NULL, 0},
	{0x3003, 0x4000, TM_LASER_DESC_EF, "cardid", 18, EF_ACL(0, 0x10, 0xFF, 0x10), NULL, 0},
	{0x3003, 0x4001, TM_LASER_DESC_EF, "cardcf", 8, EF_ACL(0, 0x32, 0xFF, 0x32), C(cardcf)},
	{0x3003, 0x4002, TM_LASER_DESC_EF, "cardapps", 10, EF_ACL(0, 0x30, 0xFF, 0x30), C(cardapps)},
	{0x3003, 0x3005, TM_LASER_DESC_DF, "mscp", 0, DF_ACL(0x30, 0x30, 0x30, 0xFF), NULL, 0},
};

static struct tm_lfile *find_df(struct tm_laser_card *c, uint16_t fid)
{
	if (fid == TM_LASER_FID_MF)
		return c->mf;
	struct tm_lfile *app = tm_laser_child(c->mf, TM_LASER_FID_APP);
	if (fid == TM_LASER_FID_APP)
		return app;
	struct tm_lfile *f = tm_laser_child(app, fid);
	if (f == NULL)
		f = tm_laser_child(tm_laser_child(app, TM_LASER_FID_MD), fid);
	return f;
}

static struct tm_lfile *add(struct tm_laser_card *c, uint16_t parent, uint16_t fid, uint8_t desc,
			    const char *name, uint16_t size, const uint8_t *acl,
			    const uint8_t *prop, size_t prop_len)
{
	struct tm_laser_fcp fcp = {.fid = fid, .size = size, .desc = desc,
				   .lcs = TM_LASER_LCS_ACTIVATED, .has_fid = true, .has_size = true};
	uint16_t sw;

	if (name) {
		fcp.name_len = strlen(name);
		memcpy(fcp.name, name, fcp.name_len);
	}
	fcp.acl_len = tm_laser_acl_len(desc);
	memcpy(fcp.acl, acl, fcp.acl_len);
	if (prop_len) {
		memcpy(fcp.prop, prop, prop_len);
		fcp.prop_len = prop_len;
	}
	return tm_laser_file_add(c, find_df(c, parent), &fcp, &sw);
}

static bool set_data(struct tm_lfile *f, const uint8_t *p, size_t n)
{
	if (f == NULL)
		return false;
	if (f->data == NULL || n > f->data_len) {
		uint8_t *d = OPENSSL_zalloc(n ? n : 1);
		if (d == NULL)
			return false;
		if (f->data)
			OPENSSL_clear_free(f->data, f->data_len);
		f->data = d;
		f->data_len = n;
	}
	memcpy(f->data, p, n);
	return true;
}

/* A PIN KO's tag 85 in the layout the driver reads (§10.1). */
static void pin_prop(uint8_t prop[TM_LASER_PIN_PROP_LEN], uint8_t cls, unsigned tries,
		     unsigned min, unsigned max)
{
	memset(prop, 0, TM_LASER_PIN_PROP_LEN);
	prop[0] = cls;
	prop[1] = TM_LASER_KO_USAGE_AUTH;
	prop[2] = TM_LASER_KO_ALG_PIN;
	prop[TM_LASER_PIN_PROP_TRIES] = (uint8_t)((tries & 0x0F) << 4 | (tries & 0x0F));
	prop[TM_LASER_PIN_PROP_MIN] = (uint8_t)min;
	prop[TM_LASER_PIN_PROP_MAX] = (uint8_t)max;
	prop[13] = (uint8_t)max; /* occurrence and sequence: no limit */
	prop[14] = (uint8_t)max;
}

static struct tm_lfile *add_pin(struct tm_laser_card *c, uint8_t ref, uint8_t cls,
				const struct tm_pin_policy *pol, const char *value,
				bool factory, const uint8_t acl[TM_LASER_ACL_MAX])
{
	uint8_t prop[TM_LASER_PIN_PROP_LEN];
	pin_prop(prop, cls, pol->tries, pol->min_len, pol->max_len);
	struct tm_lfile *f = add(c, TM_LASER_FID_MF, ref, TM_LASER_DESC_KO, NULL, pol->max_len, acl,
				 prop, sizeof(prop));
	if (f != NULL)
		tm_laser_pin_store(f, (const uint8_t *)value, strlen(value), factory);
	return f;
}

static void pad_copy(uint8_t *dst, size_t n, const char *s)
{
	size_t l = strlen(s);
	memset(dst, ' ', n);
	memcpy(dst, s, l < n ? l : n);
}

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)(v >> 16), p[3] = (uint8_t)(v >> 24);
}

/* CKF_RNG | CKF_LOGIN_REQUIRED | CKF_USER_PIN_INITIALIZED | CKF_TOKEN_INITIALIZED */
#define TOKEN_FLAGS 0x0000040Du

static void token_info(const struct tm_laser_card *c, const char *label, uint8_t *ti)
{
	char utc[17];
	time_t now = time(NULL);
	struct tm tmv;

	memset(ti, 0, TM_LASER_TOKEN_INFO_FILE_LEN);
	pad_copy(ti + TM_LASER_TI_LABEL, 32, label ? label : c->model->name);
	pad_copy(ti + TM_LASER_TI_MANUFACTURER, 32, c->model->manufacturer);
	pad_copy(ti + TM_LASER_TI_MODEL, 16, "JaCarta PKI");
	pad_copy(ti + TM_LASER_TI_SERIAL, 16, c->serial);
	put_le32(ti + TM_LASER_TI_FLAGS, TOKEN_FLAGS);
	put_le32(ti + TM_LASER_TI_MAX_PIN, c->model->user.max_len);
	put_le32(ti + TM_LASER_TI_MIN_PIN, c->model->user.min_len);
	put_le32(ti + 124, 0xFFFFFFFFu); /* total public memory: unknown, as the driver writes */
	put_le32(ti + 132, 0xFFFFFFFFu);
	ti[TM_LASER_TI_VERSIONS] = 1; /* hardware 1.0, firmware 1.0 (the driver's defaults) */
	ti[TM_LASER_TI_VERSIONS + 2] = 1;
	gmtime_r(&now, &tmv);
	strftime(utc, sizeof(utc), "%Y%m%d%H%M%S00", &tmv);
	memcpy(ti + TM_LASER_TI_UTC, utc, 16);
}

/* The empty container map: a public data object "cmapfile" of
 * application "CSP" whose value is zeros (no containers), stamp zero. */
static bool cmapfile(struct tm_laser_card *c)
{
	static const uint8_t zeros[643];
	struct tm_buf b;
	bool ok;

	tm_buf_init_dynamic(&b, 4096);
	tm_laser_attr_cmapfile(&b, zeros, sizeof(zeros));
	static const uint8_t acl[] = EF_ACL(0, 0x30, 0x30, 0x30);
	struct tm_lfile *f = tm_buf_ok(&b) ? add(c, TM_LASER_FID_PUBLIC, TM_LASER_FID_CMAP,
						 TM_LASER_DESC_EF, "cmapfile", (uint16_t)b.len, acl,
						 NULL, 0)
					   : NULL;
	ok = f != NULL && set_data(f, b.data, b.len);
	tm_buf_free(&b);
	return ok;
}

/* The MS minidriver card id: "ALDNSN" and the serial (the driver's). */
static void card_id(const struct tm_laser_card *c, uint8_t out[18])
{
	uint8_t cap[TM_LASER_CAP_SERIAL_LEN];
	memset(out, 0, 18);
	out[1] = 0x10;
	memcpy(out + 2, "ALDNSN", 6);
	tm_laser_serial_capability(c, cap);
	memcpy(out + 8, cap, sizeof(cap));
}

void tm_laser_serial_capability(const struct tm_laser_card *c, uint8_t out[TM_LASER_CAP_SERIAL_LEN])
{
	uint8_t md[SHA_DIGEST_LENGTH];

	/* 2 bytes "data", 4 of serial number, 2 of batch (§2).  The card's
	 * serial string is what PKCS#11 shows (TokenInfo); these bytes are
	 * derived from it so both stay one identity. */
	SHA1((const uint8_t *)c->serial, strlen(c->serial), md);
	out[0] = 0x00, out[1] = 0x00;
	memcpy(out + 2, md, 4);
	out[6] = 0x00, out[7] = 0x01;
}

struct tm_laser_card *tm_laser_card_new(const struct tm_model *m, const char *serial,
					const char *label, const char *user_pin)
{
	static const uint8_t mf_acl[TM_LASER_ACL_MAX] = {0};
	static const uint8_t so_acl[] = KO_ACL(0xFF, 0x10, 0xFF, 0x10, 0xFF, 0xFF, 0);
	static const uint8_t user_acl[] = KO_ACL(0xFF, 0x30, 0xFF, 0x10, 0xFF, 0x10, 0);
	static const uint8_t transport_acl[] = KO_ACL(0, 0xFF, 0xFF, 0x10, 0, 0, 0);
	static const struct tm_pin_policy transport = {"", 3, 4, 16, 0, 0};
	struct tm_laser_card *c = tm_laser_card_alloc(m);
	uint8_t buf[TM_LASER_TOKEN_INFO_FILE_LEN];
	uint16_t sw;

	if (c == NULL)
		return NULL;
	snprintf(c->serial, sizeof(c->serial), "%s", serial);
	struct tm_laser_fcp mf = {.fid = TM_LASER_FID_MF, .desc = TM_LASER_DESC_DF,
				  .lcs = TM_LASER_LCS_ACTIVATED, .has_fid = true,
				  .acl_len = 2 * TM_LASER_DF_OPS};
	memcpy(mf.acl, mf_acl, mf.acl_len);
	c->mf = tm_laser_file_add(c, NULL, &mf, &sw);
	if (c->mf == NULL)
		goto fail;

	/* The PINs: SO 0010, user 0020, transport 0001 ("1234") and 0002
	 * ("LASER+"), as the init and the driver's defaults have them. */
	bool user_factory = user_pin == NULL;
	if (!add_pin(c, TM_LASER_PIN_SO, TM_LASER_KO_FLAG_TICKET | TM_LASER_KO_FLAG_SECURE_VERIFY,
		     &m->so, m->so.factory, true, so_acl) ||
	    !add_pin(c, TM_LASER_PIN_USER, TM_LASER_KO_FLAG_TICKET | TM_LASER_KO_FLAG_SECURE_VERIFY,
		     &m->user, user_pin ? user_pin : m->user.factory, user_factory, user_acl) ||
	    !add_pin(c, TM_LASER_PIN_TRANSPORT1, TM_LASER_KO_FLAG_TICKET, &transport, "1234", true,
		     transport_acl) ||
	    !add_pin(c, TM_LASER_PIN_TRANSPORT2, TM_LASER_KO_FLAG_TICKET, &transport, "LASER+", true,
		     transport_acl))
		goto fail;

	static const uint8_t logic_prop[] = {0x00, TM_LASER_KO_USAGE_AUTH, TM_LASER_KO_ALG_LOGIC, 0x00, 0x00};
	for (size_t i = 0; i < sizeof(tree) / sizeof(tree[0]); i++) {
		const struct spec *s = &tree[i];
		bool logic = s->desc == TM_LASER_DESC_KO;
		struct tm_lfile *f = add(c, s->parent, s->fid, s->desc, s->name, s->size, s->acl,
					 logic ? logic_prop : NULL, logic ? sizeof(logic_prop) : 0);
		if (f == NULL || (s->content && !set_data(f, s->content, s->content_len)))
			goto fail;
	}
	token_info(c, label, buf);
	if (!set_data(tm_laser_path(c, (const uint8_t[]){0x3F, 0x00, 0x30, 0x00, 0xC0, 0x00}, 6),
		      buf, sizeof(buf)))
		goto fail;
	/* EEEF, the user-PIN policy: 02C4 "user must change after first
	 * use" (on while the NCA's factory PIN is in), 02C7 the start date. */
	uint8_t eeef[15] = {0x02, 0xC4, 0x01, user_factory ? 0x01 : 0x00, 0x02, 0xC7, 0x08};
	time_t now = time(NULL);
	struct tm tmv;
	char date[9];
	gmtime_r(&now, &tmv);
	strftime(date, sizeof(date), "%Y%m%d", &tmv);
	memcpy(eeef + 7, date, 8);
	if (!set_data(tm_laser_path(c, (const uint8_t[]){0x3F, 0x00, 0x30, 0x00, 0xEE, 0xEF}, 6),
		      eeef, sizeof(eeef)))
		goto fail;
	card_id(c, buf);
	if (!set_data(tm_laser_path(c, (const uint8_t[]){0x3F, 0x00, 0x30, 0x00, 0x30, 0x03, 0x40, 0x00}, 8),
		      buf, 18))
		goto fail;
	if (!cmapfile(c))
		goto fail;
	return c;
fail:
	tm_laser_card_free(c);
	return NULL;
}
