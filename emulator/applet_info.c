/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* GET DATA: card information, PIN information and the object directory
 * (docs/protocol.md §3, §5.1). */
#include <config.h>

#include <string.h>

#include "apdu/protocol.h"
#include "apdu/pubkey.h"
#include "emulator/applet_internal.h"

static void put_str(struct tm_buf *out, uint32_t tag, const char *s)
{
	tm_tlv_put(out, tag, s, strlen(s));
}

static void put_u32(struct tm_buf *out, uint32_t v)
{
	tm_buf_add_u32(out, v);
}

void tm_applet_put_card_info(const struct tm_applet *a, struct tm_buf *out)
{
	const struct tm_card *c = a->card;
	const struct tm_model *m = c->model;

	tm_tlv_put_u8(out, TM_TAG_CI_VERSION, TM_PROTOCOL_VERSION);
	put_str(out, TM_TAG_CI_MODEL, m->key);
	put_str(out, TM_TAG_CI_MODEL_NAME, m->name);
	put_str(out, TM_TAG_CI_SERIAL, c->serial);
	put_str(out, TM_TAG_CI_LABEL, c->label);
	tm_tlv_put_u16(out, TM_TAG_CI_CAPS, m->caps);
	tm_tlv_put_u16(out, TM_TAG_CI_MAX_CMD, m->max_cmd);
	tm_tlv_put_u16(out, TM_TAG_CI_MAX_RESP, m->max_resp);
	size_t mem = tm_tlv_begin(out, TM_TAG_CI_MEMORY);
	put_u32(out, m->memory);
	put_u32(out, (uint32_t)tm_card_free_bytes(c));
	tm_tlv_end(out, mem);
	put_str(out, TM_TAG_CI_MANUFACTURER, m->manufacturer);
	size_t algs = tm_tlv_begin(out, TM_TAG_CI_ALGORITHMS);
	for (size_t i = 0; i < m->n_algs; i++) {
		if (!tm_model_alg_usable(m->algs[i].key_alg))
			continue;
		tm_buf_add_u8(out, m->algs[i].key_alg);
		tm_buf_add_u16(out, m->algs[i].min_bits);
		tm_buf_add_u16(out, m->algs[i].max_bits);
	}
	tm_tlv_end(out, algs);
	size_t ctr = tm_tlv_begin(out, TM_TAG_CI_CHANGE_COUNTER);
	put_u32(out, c->change_counter);
	tm_tlv_end(out, ctr);
	/* So a driver learns at SELECT whether anything is left to sweep. */
	uint16_t sweep = 0;
	for (size_t i = 0; i < c->n_objects; i++)
		sweep += tm_object_sweepable(&c->objects[i]);
	tm_tlv_put_u16(out, TM_TAG_CI_SWEEP, sweep);
}

void tm_applet_put_pin_info(const struct tm_applet *a, struct tm_buf *out)
{
	for (int i = 0; i < TM_PIN_COUNT; i++) {
		const struct tm_pin *p = &a->card->pins[i];
		const struct tm_pin_policy *pol = tm_card_pin_policy(a->card, p->ref);
		size_t m = tm_tlv_begin(out, TM_TAG_PIN_INFO);

		tm_tlv_put_u8(out, TM_TAG_PIN_REF, p->ref);
		tm_tlv_put_u8(out, TM_TAG_PIN_FLAGS,
			      (uint8_t)(p->flags | (a->verified[i] ? TM_PINF_VERIFIED : 0)));
		tm_tlv_put_u8(out, TM_TAG_PIN_TRIES_LEFT, p->tries_left);
		tm_tlv_put_u8(out, TM_TAG_PIN_TRIES_MAX, pol->tries);
		tm_tlv_put_u8(out, TM_TAG_PIN_MIN_LEN, pol->min_len);
		tm_tlv_put_u8(out, TM_TAG_PIN_MAX_LEN, pol->max_len);
		tm_tlv_put_u16(out, TM_TAG_PIN_CHARSET,
			       (uint16_t)(pol->allowed << 8 | pol->required));
		tm_tlv_end(out, m);
	}
}

static void put_directory(struct tm_applet *a, struct tm_buf *out)
{
	bool user = a->verified[TM_PIN_IDX_USER];

	for (size_t i = 0; i < a->card->n_objects; i++) {
		const struct tm_object *o = &a->card->objects[i];
		if ((o->flags & TM_OBJF_PRIVATE) && !user)
			continue;
		if (o->flags & TM_OBJF_PRIVATE)
			a->private_out = true; /* what the PIN opens, no trace shows */
		size_t m = tm_tlv_begin(out, TM_TAG_OBJECT);
		tm_tlv_put_u16(out, TM_TAG_FILE_ID, o->ref);
		tm_tlv_put_u8(out, TM_TAG_OBJ_CLASS, o->cls);
		/* A value never wholly written is a torn write (a process that
		 * died between CREATE FILE and its last UPDATE BINARY). */
		bool incomplete = tm_object_incomplete(o);
		tm_tlv_put_u8(out, TM_TAG_OBJ_FLAGS,
			      (uint8_t)(o->flags | (incomplete ? TM_OBJF_INCOMPLETE : 0)));
		tm_tlv_put(out, TM_TAG_OBJ_ID, o->id, o->id_len);
		tm_tlv_put(out, TM_TAG_OBJ_LABEL, o->label, o->label_len);
		/* Attributes most objects leave empty are listed only when set. */
		if (o->subject_len)
			tm_tlv_put(out, TM_TAG_OBJ_SUBJECT, o->subject, o->subject_len);
		if (o->start_len)
			tm_tlv_put(out, TM_TAG_OBJ_START, o->start, o->start_len);
		if (o->end_len)
			tm_tlv_put(out, TM_TAG_OBJ_END, o->end, o->end_len);
		if (o->owner_len)
			tm_tlv_put(out, TM_TAG_OBJ_OWNER, o->owner, o->owner_len);
		if (o->cls == TM_OBJ_KEY_PAIR || o->cls == TM_OBJ_PUBLIC_KEY) {
			tm_tlv_put_u8(out, TM_TAG_OBJ_USAGE, o->usage);
			tm_tlv_put_u8(out, TM_TAG_OBJ_KEY_ALG, o->key_alg);
			tm_tlv_put_u16(out, TM_TAG_OBJ_KEY_BITS, o->bits);
			tm_pubkey_encode(o->pkey, out);
		} else {
			if (o->cls == TM_OBJ_DATA)
				tm_tlv_put(out, TM_TAG_OBJ_APPLICATION, o->app, o->app_len);
			tm_tlv_put_u16(out, TM_TAG_FILE_SIZE, (uint16_t)o->size);
		}
		tm_tlv_end(out, m);
	}
}

uint16_t tm_h_get_data(struct tm_applet *a, const struct tm_apdu *c, struct tm_buf *out)
{
	switch ((unsigned)c->p1 << 8 | c->p2) {
	case TM_GET_DATA_CARD_INFO: {
		size_t m = tm_tlv_begin(out, TM_TAG_PROPRIETARY);
		tm_applet_put_card_info(a, out);
		tm_tlv_end(out, m);
		return TM_SW_OK;
	}
	case TM_GET_DATA_PIN_INFO:
		tm_applet_put_pin_info(a, out);
		return TM_SW_OK;
	case TM_GET_DATA_DIRECTORY:
		put_directory(a, out);
		return TM_SW_OK;
	default:
		return TM_SW_REF_NOT_FOUND;
	}
}
