/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Certificates and data objects: CREATE FILE, READ BINARY, UPDATE
 * BINARY, PUT DATA, DELETE FILE (docs/protocol.md §5.2). */
#include <config.h>

#include <string.h>

#include <openssl/crypto.h>

#include "apdu/protocol.h"
#include "apdu/rc.h"
#include "emulator/applet_internal.h"

/* An optional attribute of at most max bytes: false when it is there but
 * too long (or the template is malformed). */
static bool take_attr(const uint8_t *d, size_t n, uint32_t tag, uint8_t *dst,
		      size_t max, size_t *len)
{
	struct tm_tlv t;
	int rc = tm_tlv_find(d, n, tag, &t);

	if (rc == TM_ERR_NOT_FOUND)
		return true;
	if (rc != TM_OK || t.len > max)
		return false;
	if (t.len)
		memcpy(dst, t.value, t.len);
	*len = t.len;
	return true;
}

/* A date attribute: empty, or eight ASCII digits (CK_DATE, "YYYYMMDD"). */
static bool take_date(const uint8_t *d, size_t n, uint32_t tag, uint8_t *dst, size_t *len)
{
	struct tm_tlv t;
	int rc = tm_tlv_find(d, n, tag, &t);

	if (rc == TM_ERR_NOT_FOUND)
		return true; /* not given: unchanged */
	if (rc != TM_OK || (t.len != 0 && t.len != TM_OBJ_DATE_LEN))
		return false;
	for (size_t i = 0; i < t.len; i++)
		if (t.value[i] < '0' || t.value[i] > '9')
			return false;
	if (t.len)
		memcpy(dst, t.value, t.len);
	*len = t.len;
	return true;
}

uint16_t tm_applet_read_attrs(const uint8_t *d, size_t n, struct tm_object *o)
{
	if (!take_attr(d, n, TM_TAG_OBJ_ID, o->id, sizeof(o->id), &o->id_len) ||
	    !take_attr(d, n, TM_TAG_OBJ_LABEL, o->label, sizeof(o->label), &o->label_len) ||
	    !take_attr(d, n, TM_TAG_OBJ_APPLICATION, o->app, sizeof(o->app), &o->app_len) ||
	    !take_attr(d, n, TM_TAG_OBJ_SUBJECT, o->subject, sizeof(o->subject), &o->subject_len) ||
	    !take_date(d, n, TM_TAG_OBJ_START, o->start, &o->start_len) ||
	    !take_date(d, n, TM_TAG_OBJ_END, o->end, &o->end_len))
		return TM_SW_WRONG_DATA;
	return TM_SW_OK;
}

/* The whole data field is exactly one object with this tag. */
static bool only(const struct tm_apdu *c, uint32_t tag, struct tm_tlv *t)
{
	return tm_tlv_find(c->data, c->nc, tag, t) == TM_OK &&
	       t->value + t->len == c->data + c->nc;
}

uint16_t tm_h_create_file(struct tm_applet *a, const struct tm_apdu *c, struct tm_buf *out)
{
	struct tm_tlv fcp, a5, t;
	uint32_t size, cls, flags = 0;
	uint16_t sw;

	if ((sw = tm_applet_need_user(a)) != TM_SW_OK)
		return sw;
	if (c->p1 != 0 || c->p2 != 0)
		return TM_SW_WRONG_P1P2;
	if (!only(c, TM_TAG_FCP, &fcp) ||
	    tm_tlv_find(fcp.value, fcp.len, TM_TAG_FILE_SIZE, &t) != TM_OK ||
	    tm_tlv_get_uint(&t, &size) != TM_OK || size > TM_MAX_OBJECT_SIZE ||
	    tm_tlv_find(fcp.value, fcp.len, TM_TAG_PROPRIETARY, &a5) != TM_OK ||
	    tm_tlv_find(a5.value, a5.len, TM_TAG_OBJ_CLASS, &t) != TM_OK ||
	    tm_tlv_get_uint(&t, &cls) != TM_OK ||
	    (cls != TM_OBJ_CERTIFICATE && cls != TM_OBJ_DATA))
		return TM_SW_WRONG_DATA;
	if (tm_tlv_find(a5.value, a5.len, TM_TAG_OBJ_FLAGS, &t) == TM_OK &&
	    (tm_tlv_get_uint(&t, &flags) != TM_OK ||
	     (flags & ~(uint32_t)(TM_OBJF_PRIVATE | TM_OBJF_MODIFIABLE)) != 0))
		return TM_SW_WRONG_DATA;

	struct tm_object tmp = {.cls = (uint8_t)cls, .flags = (uint8_t)flags, .size = size};
	if ((sw = tm_applet_read_attrs(a5.value, a5.len, &tmp)) != TM_SW_OK)
		return sw;
	if (tm_object_cost(&tmp) > tm_card_free_bytes(a->card))
		return TM_SW_NO_MEMORY;
	uint8_t *value = OPENSSL_zalloc(size ? size : 1);
	struct tm_object *o = value ? tm_card_add(a->card) : NULL;
	if (o == NULL) {
		OPENSSL_free(value);
		return TM_SW_NO_MEMORY;
	}
	uint16_t ref = o->ref;
	tmp.ref = ref;
	tmp.value = value;
	*o = tmp;
	if ((sw = tm_applet_commit(a, true)) != TM_SW_OK)
		return sw;
	tm_tlv_put_u16(out, TM_TAG_FILE_ID, ref);
	return TM_SW_OK;
}

/* The object named by P1-P2, for the binary commands. */
static uint16_t binary_object(struct tm_applet *a, const struct tm_apdu *c,
			      struct tm_object **o)
{
	*o = tm_card_find(a->card, (uint16_t)(c->p1 << 8 | c->p2));
	if (*o == NULL)
		return TM_SW_FILE_NOT_FOUND;
	if ((*o)->cls == TM_OBJ_KEY_PAIR || (*o)->cls == TM_OBJ_PUBLIC_KEY)
		return 0x6981; /* command incompatible with the object */
	return TM_SW_OK;
}

static bool get_offset(const uint8_t *d, size_t n, uint32_t *offset)
{
	struct tm_tlv t;
	return tm_tlv_find(d, n, TM_TAG_OFFSET, &t) == TM_OK && t.len <= 3 &&
	       tm_tlv_get_uint(&t, offset) == TM_OK;
}

uint16_t tm_h_read_binary(struct tm_applet *a, const struct tm_apdu *c, struct tm_buf *out)
{
	struct tm_object *o;
	uint32_t offset;
	uint16_t sw;

	if ((sw = binary_object(a, c, &o)) != TM_SW_OK)
		return sw;
	if ((o->flags & TM_OBJF_PRIVATE) && !a->verified[TM_PIN_IDX_USER])
		return TM_SW_SECURITY_STATUS;
	a->private_out = (o->flags & TM_OBJF_PRIVATE) != 0; /* no trace shows it */
	if (!get_offset(c->data, c->nc, &offset))
		return TM_SW_WRONG_DATA;
	if (c->ne == 0)
		return TM_SW_WRONG_LENGTH;
	if (offset > o->size)
		return TM_SW_OFFSET_OUTSIDE;
	/* At most Ne bytes (7816-4 §11.3.3): the reader asks for the rest. */
	size_t n = o->size - offset;
	if (n > c->ne)
		n = c->ne;
	tm_buf_add(out, o->value + offset, n);
	return TM_SW_OK;
}

uint16_t tm_h_update_binary(struct tm_applet *a, const struct tm_apdu *c, struct tm_buf *out)
{
	struct tm_object *o;
	struct tm_tlv data;
	uint32_t offset;
	uint16_t sw;

	(void)out;
	if ((sw = tm_applet_need_user(a)) != TM_SW_OK)
		return sw;
	if ((sw = binary_object(a, c, &o)) != TM_SW_OK)
		return sw;
	if (!get_offset(c->data, c->nc, &offset) ||
	    tm_tlv_find(c->data, c->nc, TM_TAG_DISCRETIONARY, &data) != TM_OK)
		return TM_SW_WRONG_DATA;
	if (offset > o->size || data.len > o->size - offset)
		return TM_SW_OFFSET_OUTSIDE;
	if (o->written == o->size && o->size > 0 && !(o->flags & TM_OBJF_MODIFIABLE))
		return TM_SW_CONDITIONS; /* written once, and not modifiable */
	if (data.len)
		memcpy(o->value + offset, data.value, data.len);
	if (offset <= o->written && offset + data.len > o->written)
		o->written = offset + data.len;
	return tm_applet_commit(a, true);
}

static bool same(const uint8_t *x, size_t xl, const uint8_t *y, size_t yl)
{
	return xl == yl && (xl == 0 || memcmp(x, y, xl) == 0);
}

/* The attributes PUT DATA sets, compared. */
static bool same_attrs(const struct tm_object *o, const struct tm_object *n)
{
	return same(o->id, o->id_len, n->id, n->id_len) &&
	       same(o->label, o->label_len, n->label, n->label_len) &&
	       same(o->app, o->app_len, n->app, n->app_len) &&
	       same(o->subject, o->subject_len, n->subject, n->subject_len) &&
	       same(o->start, o->start_len, n->start, n->start_len) &&
	       same(o->end, o->end_len, n->end, n->end_len);
}

uint16_t tm_h_put_data(struct tm_applet *a, const struct tm_apdu *c, struct tm_buf *out)
{
	struct tm_object *o;
	struct tm_tlv a5;
	uint16_t sw;

	(void)out;
	if ((sw = tm_applet_need_user(a)) != TM_SW_OK)
		return sw;
	o = tm_card_find(a->card, (uint16_t)(c->p1 << 8 | c->p2));
	if (o == NULL)
		return TM_SW_FILE_NOT_FOUND;
	if (!only(c, TM_TAG_PROPRIETARY, &a5))
		return TM_SW_WRONG_DATA;
	/* Modifiable objects take any change; any object without an ID may
	 * get its first one (a key's default ID, made from its public key
	 * after generation), as an object is written once after creation. */
	struct tm_tlv id;
	bool first_id = o->id_len == 0 && tm_tlv_find(a5.value, a5.len, TM_TAG_OBJ_ID, &id) == TM_OK &&
			id.value + id.len == a5.value + a5.len && id.value - 2 == a5.value;
	if (!(o->flags & TM_OBJF_MODIFIABLE) && !first_id)
		return TM_SW_CONDITIONS;

	/* Work on a copy of the attributes, so a refusal changes nothing. */
	struct tm_object attrs = *o;
	if ((sw = tm_applet_read_attrs(a5.value, a5.len, &attrs)) != TM_SW_OK)
		return sw;
	size_t old = tm_object_cost(o), now = tm_object_cost(&attrs);
	if (now > old && now - old > tm_card_free_bytes(a->card))
		return TM_SW_NO_MEMORY;
	/* Nothing changed: nothing to write, and the change counter stays
	 * (drivers that cache the directory would read it again for nothing). */
	bool changed = !same_attrs(o, &attrs);
	memcpy(o->id, attrs.id, sizeof(o->id));
	o->id_len = attrs.id_len;
	memcpy(o->label, attrs.label, sizeof(o->label));
	o->label_len = attrs.label_len;
	memcpy(o->app, attrs.app, sizeof(o->app));
	o->app_len = attrs.app_len;
	memcpy(o->subject, attrs.subject, sizeof(o->subject));
	o->subject_len = attrs.subject_len;
	memcpy(o->start, attrs.start, sizeof(o->start));
	o->start_len = attrs.start_len;
	memcpy(o->end, attrs.end, sizeof(o->end));
	o->end_len = attrs.end_len;
	return changed ? tm_applet_commit(a, true) : TM_SW_OK;
}

/* Deleting one half of a key pair leaves the other (protocol.md §5.2).
 * A temporary or incomplete object needs no PIN: any process may remove
 * what a dead process left behind, before anyone logs in. */
uint16_t tm_h_delete_file(struct tm_applet *a, const struct tm_apdu *c, struct tm_buf *out)
{
	uint16_t sw;

	(void)out;
	if (c->p1 != TM_P1_DELETE_BY_FID || c->p2 != 0)
		return TM_SW_WRONG_P1P2;
	if (c->nc != 2)
		return TM_SW_WRONG_DATA;
	uint16_t ref = (uint16_t)(c->data[0] << 8 | c->data[1]);
	const struct tm_object *o = tm_card_find(a->card, ref);
	if (o == NULL || !tm_object_sweepable(o)) {
		if ((sw = tm_applet_need_user(a)) != TM_SW_OK)
			return sw;
	}
	if (o == NULL)
		return TM_SW_FILE_NOT_FOUND;
	if (a->se_sign.key_ref == ref)
		a->se_sign.set = false;
	if (a->se_decrypt.key_ref == ref)
		a->se_decrypt.set = false;
	tm_card_remove(a->card, ref);
	return tm_applet_commit(a, true);
}
