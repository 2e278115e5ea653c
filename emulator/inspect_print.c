/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include "inspect_print.h"

#include <stdbool.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "apdu/laser.h"
#include "apdu/protocol.h"
#include "apdu/rc.h"
#include "apdu/tlv.h"
#include "emulator/image.h"
#include "emulator/image_file.h"
#include "emulator/laser_image.h"

/* Text as it is, where printable (UTF-8 labels included); quotes,
 * backslashes and control bytes escaped, so a line stays one line. */
static void text(FILE *out, const uint8_t *s, size_t n)
{
	fputc('"', out);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"' || s[i] == '\\')
			fprintf(out, "\\%c", s[i]);
		else if (s[i] < 0x20 || s[i] == 0x7F)
			fprintf(out, "\\x%02X", s[i]);
		else
			fputc(s[i], out);
	}
	fputc('"', out);
}

static void hex(FILE *out, const uint8_t *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fprintf(out, "%02X", s[i]);
	if (n == 0)
		fputc('-', out);
}

static const char *alg_name(uint8_t alg)
{
	switch (alg) {
	case TM_KEY_RSA: return "rsa";
	case TM_KEY_EC_P256: return "ec-p256";
	case TM_KEY_GOST2012_512: return "gost-512";
	case TM_KEY_GOST2012_256: return "gost-256";
	default: return "unknown";
	}
}

static void pin_line(FILE *out, const char *who, const struct tm_pin *p, unsigned limit)
{
	fprintf(out, "pin %s tries_left=%u of %u%s%s%s\n", who, p->tries_left, limit,
		!(p->flags & TM_PINF_INITIALIZED) ? " not-set"
		: p->tries_left == 0              ? " blocked"
						  : "",
		p->flags & TM_PINF_FACTORY ? " factory" : "",
		p->flags & TM_PINF_MUST_CHANGE ? " must-change" : "");
}

void tm_inspect_print_card(const struct tm_card *c, FILE *out)
{
	static const char *const classes[] = {"?", "certificate", "data", "private-key",
					      "public-key"};

	pin_line(out, "user", &c->pins[TM_PIN_IDX_USER], c->model->user.tries);
	pin_line(out, "so", &c->pins[TM_PIN_IDX_SO], c->model->so.tries);
	for (size_t i = 0; i < c->n_objects; i++) {
		const struct tm_object *o = &c->objects[i];
		fprintf(out, "object %04X %s id=", o->ref, o->cls <= 4 ? classes[o->cls] : "?");
		hex(out, o->id, o->id_len);
		fputs(" label=", out);
		text(out, o->label, o->label_len);
		if (o->cls == TM_OBJ_KEY_PAIR || o->cls == TM_OBJ_PUBLIC_KEY)
			fprintf(out, " alg=%s bits=%u", alg_name(o->key_alg), o->bits);
		if (o->cls == TM_OBJ_KEY_PAIR)
			fprintf(out, " usage=%s%s%s", o->usage & TM_USAGE_SIGN ? "sign" : "",
				(o->usage & TM_USAGE_SIGN) && (o->usage & TM_USAGE_DECRYPT) ? "," : "",
				o->usage & TM_USAGE_DECRYPT ? "decrypt" : "");
		if (o->cls == TM_OBJ_CERTIFICATE || o->cls == TM_OBJ_DATA)
			fprintf(out, " size=%zu written=%zu", o->size, o->written);
		fprintf(out, "%s%s%s%s%s\n", o->flags & TM_OBJF_PRIVATE ? " private" : "",
			o->flags & TM_OBJF_MODIFIABLE ? " modifiable" : "",
			o->flags & TM_OBJF_TEMPORARY ? " temporary" : "",
			o->flags & TM_OBJF_IMPORTED ? " imported" : "",
			o->flags & TM_OBJF_INCOMPLETE ? " incomplete" : "");
	}
}

static void laser_file(FILE *out, const struct tm_lfile *f, const char *parent)
{
	char path[128];

	snprintf(path, sizeof(path), "%s%s%04X", parent, parent[0] ? "/" : "", f->fcp.fid);
	const char *kind = f->fcp.desc == TM_LASER_DESC_DF ? "df"
			   : f->fcp.desc == TM_LASER_DESC_KO ? "ko"
							     : "ef";
	fprintf(out, "file %s %s size=%u lcs=%02X", path, kind, f->fcp.size, f->fcp.lcs);
	if (f->fcp.name_len) {
		bool printable = true;
		for (size_t i = 0; i < f->fcp.name_len; i++)
			printable = printable && f->fcp.name[i] >= 0x20 && f->fcp.name[i] < 0x7F;
		fputs(" name=", out);
		if (printable)
			text(out, f->fcp.name, f->fcp.name_len);
		else
			hex(out, f->fcp.name, f->fcp.name_len);
	}
	if (f->pin_set)
		fprintf(out, " pin tries_left=%u of %u%s%s", tm_laser_pin_tries(f),
			tm_laser_pin_limit(f), tm_laser_pin_tries(f) == 0 ? " blocked" : "",
			f->pin_factory ? " factory" : "");
	if (f->key)
		fprintf(out, " key=rsa-%d %s", EVP_PKEY_get_bits(f->key),
			f->parent && f->parent->fcp.fid == TM_LASER_FID_PRIVATE ? "private" : "public");
	fputc('\n', out);
	for (const struct tm_lfile *ch = f->children; ch; ch = ch->next)
		laser_file(out, ch, path);
}

void tm_inspect_print_laser(const struct tm_laser_card *c, FILE *out)
{
	if (c->mf)
		laser_file(out, c->mf, "");
}

int tm_inspect_model_key_of(const uint8_t *data, size_t len, char *key, size_t cap, char *why,
			    size_t why_cap)
{
	size_t body_len;
	const uint8_t *body;
	unsigned version;
	struct tm_tlv card, t;
	int rc;

	bool laser = len >= 8 && memcmp(data, TM_LASER_IMAGE_MAGIC, 8) == 0;
	rc = tm_image_frame_open(data, len, laser ? TM_LASER_IMAGE_MAGIC : TM_IMAGE_MAGIC,
				 laser ? "LASER card image" : "Tumar card image",
				 laser ? TM_LASER_IMAGE_VERSION : TM_IMAGE_VERSION_OLDEST,
				 laser ? TM_LASER_IMAGE_VERSION : TM_IMAGE_VERSION, &version, &body,
				 &body_len, why, why_cap);
	if (rc == TM_OK && (tm_tlv_find(body, body_len, 0xE0, &card) != TM_OK ||
			    tm_tlv_find(card.value, card.len, 0xC1, &t) != TM_OK || t.len == 0 ||
			    t.len >= cap || memchr(t.value, '\0', t.len) != NULL)) {
		snprintf(why, why_cap, "the card image names no model");
		rc = TM_ERR_MALFORMED;
	}
	if (rc == TM_OK) {
		memcpy(key, t.value, t.len);
		key[t.len] = '\0';
	}
	return rc;
}

int tm_inspect_model_key(const char *path, char *key, size_t cap, char *why, size_t why_cap)
{
	uint8_t *data;
	size_t len;
	int rc = tm_image_file_read(path, &data, &len, why, why_cap);

	if (rc != TM_OK)
		return rc;
	rc = tm_inspect_model_key_of(data, len, key, cap, why, why_cap);
	OPENSSL_clear_free(data, len);
	return rc;
}
