/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The Tumar applet protocol (docs/protocol.md) as a card driver. */
#include <config.h>

#include <string.h>

#include <openssl/crypto.h>

#include "apdu/buf.h"
#include "apdu/pubkey.h"
#include "apdu/rc.h"
#include "apdu/sw.h"
#include "apdu/tlv.h"
#include "driver/log.h"
#include "driver/token.h"

/* One exchange: the command, its response data and status word. */
static int transmit(struct tm_token *t, struct tm_apdu *c, uint8_t *out, size_t cap,
		    size_t *len, uint16_t *sw)
{
	/* Commands that expect no data still get room for some. */
	struct tm_response r = {.data = out ? out : t->io, .cap = out ? cap : TM_TOKEN_IO_SIZE};
	int rc = tm_transceive(t->ch, c, &r);

	if (len != NULL)
		*len = r.len;
	*sw = r.sw;
	if (rc == TM_OK && r.sw != TM_SW_OK)
		tm_log(TM_LOG_CARD, "INS %02X: SW %04X (%s)", c->ins, r.sw, tm_sw_lookup(r.sw)->name);
	return rc;
}

/* Every instruction we send exists in the applet and has its class: an
 * answer that knows neither means the applet is not selected. */
static bool not_selected(const struct tm_apdu *c, uint16_t sw)
{
	return c->ins != TM_INS_SELECT &&
	       (sw == TM_SW_INS_NOT_SUPPORTED || sw == TM_SW_CLA_NOT_SUPPORTED);
}

static int reselect(struct tm_token *t);

/* One command; the status word mapped to a tm_rc.  When the applet is no
 * longer selected -- another application selected its own (ISO 7816-4
 * §7.1.1), or the card lost power too briefly for pcscd to see -- it is
 * selected again and the command sent once more: the applet never saw
 * it (6D00 came from whatever was selected), and every command names
 * what it works on, so sending it again is safe.  Only a card that no
 * longer has our applet, or is another card, is gone. */
static int run(struct tm_token *t, struct tm_apdu *c, uint8_t *out, size_t cap, size_t *len)
{
	uint16_t sw;
	int rc = transmit(t, c, out, cap, len, &sw);

	if (rc == TM_OK && not_selected(c, sw)) {
		tm_log(TM_LOG_CARD, "%s: the applet is not selected: selecting it again", t->reader);
		rc = reselect(t);
		if (rc == TM_OK)
			rc = transmit(t, c, out, cap, len, &sw);
		if (rc == TM_OK && not_selected(c, sw)) {
			tm_log(TM_LOG_CARD, "%s: the card forgot the applet again", t->reader);
			return TM_ERR_CARD_REMOVED;
		}
	}
	if (rc != TM_OK)
		return rc;
	/* The tries left of a wrong PIN are read again from PIN info. */
	return tm_sw_to_rc(sw);
}

static void copy_str(char *dst, size_t cap, const struct tm_tlv *t)
{
	size_t n = t->len < cap - 1 ? t->len : cap - 1;
	memcpy(dst, t->value, n);
	dst[n] = '\0';
}

static uint32_t be(const uint8_t *p, size_t n)
{
	uint32_t v = 0;
	for (size_t i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

static int parse_card_info(struct tm_token *t, const uint8_t *d, size_t n)
{
	struct tm_card_info *ci = &t->info;
	struct tm_tlv_iter it;
	struct tm_tlv x;
	int rc;

	memset(ci, 0, sizeof(*ci));
	tm_tlv_iter_init(&it, d, n);
	while ((rc = tm_tlv_next(&it, &x)) == TM_OK) {
		switch (x.tag) {
		case TM_TAG_CI_MODEL: copy_str(ci->model_key, sizeof(ci->model_key), &x); break;
		case TM_TAG_CI_MODEL_NAME: copy_str(ci->model_name, sizeof(ci->model_name), &x); break;
		case TM_TAG_CI_MANUFACTURER: copy_str(ci->manufacturer, sizeof(ci->manufacturer), &x); break;
		case TM_TAG_CI_SERIAL: copy_str(ci->serial, sizeof(ci->serial), &x); break;
		case TM_TAG_CI_LABEL: copy_str(ci->label, sizeof(ci->label), &x); break;
		case TM_TAG_CI_CAPS: if (x.len == 2) ci->caps = (uint16_t)be(x.value, 2); break;
		case TM_TAG_CI_MAX_CMD: if (x.len == 2) ci->max_cmd = (uint16_t)be(x.value, 2); break;
		case TM_TAG_CI_MAX_RESP: if (x.len == 2) ci->max_resp = (uint16_t)be(x.value, 2); break;
		case TM_TAG_CI_MEMORY:
			if (x.len == 8) {
				ci->mem_total = be(x.value, 4);
				ci->mem_free = be(x.value + 4, 4);
				ci->mem_known = true;
			}
			break;
		case TM_TAG_CI_CHANGE_COUNTER: if (x.len == 4) ci->change_counter = be(x.value, 4); break;
		case TM_TAG_CI_SWEEP: if (x.len == 2) ci->sweep = (uint16_t)be(x.value, 2); break;
		case TM_TAG_CI_ALGORITHMS:
			for (size_t i = 0; i + 5 <= x.len && ci->n_algs < TM_TOKEN_MAX_ALGS; i += 5) {
				ci->algs[ci->n_algs].key_alg = x.value[i];
				ci->algs[ci->n_algs].min_bits = (uint16_t)be(x.value + i + 1, 2);
				ci->algs[ci->n_algs].max_bits = (uint16_t)be(x.value + i + 3, 2);
				ci->n_algs++;
			}
			break;
		default: break;
		}
	}
	return rc == TM_ERR_NOT_FOUND && ci->model_key[0] ? TM_OK : TM_ERR_PROTOCOL;
}

static int parse_pin_info(struct tm_token *t, const uint8_t *d, size_t n)
{
	struct tm_tlv_iter it;
	struct tm_tlv e, x;
	int rc, seen = 0;

	tm_tlv_iter_init(&it, d, n);
	while ((rc = tm_tlv_next(&it, &e)) == TM_OK) {
		if (e.tag != TM_TAG_PIN_INFO)
			continue;
		struct tm_pin_state p = {0};
		static const uint32_t tags[] = {TM_TAG_PIN_REF, TM_TAG_PIN_FLAGS, TM_TAG_PIN_TRIES_LEFT,
						TM_TAG_PIN_TRIES_MAX, TM_TAG_PIN_MIN_LEN, TM_TAG_PIN_MAX_LEN};
		uint8_t *fields[] = {&p.ref, &p.flags, &p.tries_left, &p.tries_max, &p.min_len, &p.max_len};
		for (size_t i = 0; i < 6; i++) {
			if (tm_tlv_find(e.value, e.len, tags[i], &x) != TM_OK || x.len != 1)
				return TM_ERR_PROTOCOL;
			*fields[i] = x.value[0];
		}
		if (tm_tlv_find(e.value, e.len, TM_TAG_PIN_CHARSET, &x) == TM_OK && x.len == 2) {
			p.allowed = x.value[0];
			p.required = x.value[1];
		}
		if (p.ref == TM_PIN_USER)
			t->pins[0] = p, seen |= 1;
		else if (p.ref == TM_PIN_SO)
			t->pins[1] = p, seen |= 2;
	}
	return rc == TM_ERR_NOT_FOUND && seen == 3 ? TM_OK : TM_ERR_PROTOCOL;
}

/* SELECT by AID; the FCI gives the card and PIN information. */
static int select_applet(struct tm_token *t, uint8_t *out, size_t cap)
{
	static const uint8_t aid[] = {TM_AID_BYTES};
	struct tm_apdu c = {.ins = TM_INS_SELECT, .p1 = TM_P1_SELECT_BY_AID, .data = aid,
			    .nc = sizeof(aid), .ne = 256};
	struct tm_tlv fci, a5;
	size_t len;
	int rc = run(t, &c, out, cap, &len);

	if (rc != TM_OK)
		return rc == TM_ERR_INS_NOT_SUPPORTED || rc == TM_ERR_CLA_NOT_SUPPORTED ||
				       rc == TM_ERR_WRONG_P1P2
			       ? TM_ERR_FILE_NOT_FOUND
			       : rc;
	if (tm_tlv_find(out, len, TM_TAG_FCI, &fci) != TM_OK ||
	    tm_tlv_find(fci.value, fci.len, TM_TAG_PROPRIETARY, &a5) != TM_OK ||
	    parse_card_info(t, a5.value, a5.len) != TM_OK ||
	    parse_pin_info(t, fci.value, fci.len) != TM_OK)
		return TM_ERR_PROTOCOL;
	return TM_OK;
}

static int t_bind(struct tm_token *t)
{
	int rc = select_applet(t, t->io, TM_TOKEN_IO_SIZE);

	/* From now on, the card says how long our APDUs may be. */
	if (rc == TM_OK)
		t->ch->extended = (t->info.caps & TM_CAP_EXTENDED_LENGTH) != 0;
	return rc;
}

/* The applet selected again in the middle of an operation: its own
 * buffer, since the command being retried may answer into t->io.  The
 * same card has the same serial; the token layer then learns from the
 * PIN information which of our logins the card kept. */
static int reselect(struct tm_token *t)
{
	char serial[sizeof(t->info.serial)];
	uint32_t counter = t->info.change_counter;
	uint8_t fci[1024];

	memcpy(serial, t->info.serial, sizeof(serial));
	int rc = select_applet(t, fci, sizeof(fci));
	if (rc == TM_OK && strcmp(serial, t->info.serial) != 0)
		rc = TM_ERR_CARD_REMOVED; /* another card, put in too quickly to see */
	if (rc == TM_ERR_FILE_NOT_FOUND)
		rc = TM_ERR_CARD_REMOVED; /* a card without our applet */
	if (rc != TM_OK) {
		tm_log(TM_LOG_CARD, "%s: the applet cannot be selected again: the card is gone (%s)",
		       t->reader, tm_rc_name(rc));
		return rc;
	}
	tm_token_reselected(t, counter);
	return TM_OK;
}

static int get_data(struct tm_token *t, uint16_t tag, uint8_t *out, size_t cap, size_t *len)
{
	/* After login the directory lists private objects too: what the
	 * user PIN opens, no trace shows. */
	struct tm_apdu c = {.ins = TM_INS_GET_DATA, .p1 = (uint8_t)(tag >> 8), .p2 = (uint8_t)tag,
			    .ne = 65536,
			    .private_response = tag == TM_GET_DATA_DIRECTORY && t->user_in};
	return run(t, &c, out, cap, len);
}

static int t_refresh(struct tm_token *t)
{
	uint8_t *out = t->io;
	const size_t cap = TM_TOKEN_IO_SIZE;
	struct tm_tlv a5;
	size_t len;
	int rc = get_data(t, TM_GET_DATA_CARD_INFO, out, cap, &len);

	if (rc == TM_OK)
		rc = tm_tlv_find(out, len, TM_TAG_PROPRIETARY, &a5) == TM_OK
			     ? parse_card_info(t, a5.value, a5.len)
			     : TM_ERR_PROTOCOL;
	if (rc == TM_OK)
		rc = get_data(t, TM_GET_DATA_PIN_INFO, out, cap, &len);
	if (rc == TM_OK)
		rc = parse_pin_info(t, out, len);
	return rc;
}

static int parse_object(const struct tm_tlv *e, struct tm_card_object *o)
{
	struct tm_tlv_iter it;
	struct tm_tlv x;
	int rc;

	tm_tlv_iter_init(&it, e->value, e->len);
	while ((rc = tm_tlv_next(&it, &x)) == TM_OK) {
		switch (x.tag) {
		case TM_TAG_FILE_ID: if (x.len == 2) o->ref = (uint16_t)be(x.value, 2); break;
		case TM_TAG_OBJ_CLASS: if (x.len == 1) o->cls = x.value[0]; break;
		case TM_TAG_OBJ_FLAGS: if (x.len == 1) o->flags = x.value[0]; break;
		case TM_TAG_OBJ_ID:
			if (x.len > sizeof(o->id))
				return TM_ERR_PROTOCOL;
			memcpy(o->id, x.value, x.len);
			o->id_len = x.len;
			break;
		case TM_TAG_OBJ_LABEL:
			if (x.len > TM_MAX_OBJ_LABEL)
				return TM_ERR_PROTOCOL;
			memcpy(o->label, x.value, x.len);
			o->label[x.len] = '\0';
			o->label_len = x.len;
			break;
		case TM_TAG_OBJ_APPLICATION:
			if (x.len > sizeof(o->app))
				return TM_ERR_PROTOCOL;
			memcpy(o->app, x.value, x.len);
			o->app_len = x.len;
			break;
		case TM_TAG_OBJ_SUBJECT:
			if (x.len > sizeof(o->subject))
				return TM_ERR_PROTOCOL;
			memcpy(o->subject, x.value, x.len);
			o->subject_len = x.len;
			break;
		case TM_TAG_OBJ_START:
		case TM_TAG_OBJ_END:
			if (x.len != TM_OBJ_DATE_LEN)
				return TM_ERR_PROTOCOL;
			memcpy(x.tag == TM_TAG_OBJ_START ? o->start : o->end, x.value, x.len);
			*(x.tag == TM_TAG_OBJ_START ? &o->start_len : &o->end_len) = x.len;
			break;
		case TM_TAG_OBJ_OWNER:
			if (x.len > sizeof(o->owner))
				return TM_ERR_PROTOCOL;
			memcpy(o->owner, x.value, x.len);
			o->owner_len = x.len;
			break;
		case TM_TAG_FILE_SIZE: if (x.len >= 1 && x.len <= 4) o->size = be(x.value, x.len); break;
		case TM_TAG_OBJ_USAGE: if (x.len == 1) o->usage = x.value[0]; break;
		case TM_TAG_OBJ_KEY_ALG: if (x.len == 1) o->key_alg = x.value[0]; break;
		case TM_TAG_OBJ_KEY_BITS: if (x.len == 2) o->bits = (uint16_t)be(x.value, 2); break;
		default: break;
		}
	}
	if (rc != TM_ERR_NOT_FOUND || o->ref == 0 || o->cls < TM_OBJ_CERTIFICATE ||
	    o->cls > TM_OBJ_PUBLIC_KEY)
		return TM_ERR_PROTOCOL;
	if ((o->cls == TM_OBJ_KEY_PAIR || o->cls == TM_OBJ_PUBLIC_KEY) &&
	    tm_pubkey_decode(e->value, e->len, &o->pub) != TM_OK)
		return TM_ERR_PROTOCOL;
	return TM_OK;
}

static int t_list_objects(struct tm_token *t)
{
	uint8_t *out = t->io;
	struct tm_tlv_iter it;
	struct tm_tlv e;
	size_t len;
	int rc = get_data(t, TM_GET_DATA_DIRECTORY, out, TM_TOKEN_IO_SIZE, &len);

	tm_token_drop_objects(t);
	if (rc != TM_OK)
		return rc;
	tm_tlv_iter_init(&it, out, len);
	while ((rc = tm_tlv_next(&it, &e)) == TM_OK) {
		if (e.tag != TM_TAG_OBJECT)
			continue;
		if (t->n_objects == TM_TOKEN_MAX_OBJECTS) {
			/* More than the module's table holds (another program
			 * filled the card): the rest is left out, the token
			 * stays usable.  Failing here made the whole token
			 * look removed. */
			tm_log(TM_LOG_CARD, "%s: more than %d objects: the rest is left out", t->reader,
			       TM_TOKEN_MAX_OBJECTS);
			rc = TM_ERR_NOT_FOUND;
			break;
		}
		struct tm_card_object *o = &t->objects[t->n_objects];
		if ((rc = parse_object(&e, o)) != TM_OK) {
			/* One object we cannot take in (a public key that does
			 * not decode, say) is left out, not the whole token: the
			 * rest of it stays usable. */
			tm_log(TM_LOG_CARD, "%s: object %04X left out of the directory (%s)", t->reader,
			       o->ref, tm_rc_name(rc));
			EVP_PKEY_free(o->pub);
			memset(o, 0, sizeof(*o));
			continue;
		}
		t->n_objects++;
	}
	return rc == TM_ERR_NOT_FOUND ? TM_OK : TM_ERR_PROTOCOL;
}

static int t_read_value(struct tm_token *t, struct tm_card_object *o)
{
	uint8_t *v = OPENSSL_zalloc(o->size ? o->size : 1);
	size_t off = 0;
	int rc = v ? TM_OK : TM_ERR_NO_MEMORY;

	/* READ BINARY gives at most Ne from an offset: ask for the rest
	 * until it is all there (one APDU when extended Le reaches). */
	while (rc == TM_OK && off < o->size) {
		uint8_t d[5] = {TM_TAG_OFFSET, 0x02, (uint8_t)(off >> 8), (uint8_t)off};
		struct tm_apdu c = {.ins = TM_INS_READ_BINARY_ODD, .p1 = (uint8_t)(o->ref >> 8),
				    .p2 = (uint8_t)o->ref, .data = d, .nc = 4, .ne = 65536,
				    /* a private object's value: no trace shows it */
				    .private_response = (o->flags & TM_OBJF_PRIVATE) != 0};
		size_t len;
		rc = run(t, &c, v + off, o->size - off, &len);
		if (rc == TM_OK && len == 0)
			rc = TM_ERR_PROTOCOL;
		off += len;
	}
	if (rc != TM_OK) {
		OPENSSL_free(v);
		return rc;
	}
	o->value = v;
	return TM_OK;
}

static int pin_cmd(struct tm_token *t, uint8_t ins, uint8_t p1, uint8_t p2,
		   const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	uint8_t data[2 * TM_MAX_PIN_LEN + 2];
	struct tm_apdu c = {.ins = ins, .p1 = p1, .p2 = p2, .data = data, .nc = alen + blen,
			    .sensitive = true};
	int rc;

	if (alen + blen > sizeof(data))
		return TM_ERR_ARGS;
	if (alen)
		memcpy(data, a, alen);
	if (blen)
		memcpy(data + alen, b, blen);
	if (c.nc == 0)
		c.data = NULL;
	rc = run(t, &c, NULL, 0, NULL);
	OPENSSL_cleanse(data, sizeof(data));
	return rc;
}

static int t_verify(struct tm_token *t, uint8_t ref, const uint8_t *pin, size_t len)
{
	return pin_cmd(t, TM_INS_VERIFY, TM_P1_VERIFY, ref, pin, len, NULL, 0);
}

static int t_logout(struct tm_token *t, uint8_t ref)
{
	return pin_cmd(t, TM_INS_VERIFY, TM_P1_VERIFY_LOGOUT, ref, NULL, 0, NULL, 0);
}

static int t_change_pin(struct tm_token *t, uint8_t ref, const uint8_t *old_pin, size_t old_len,
			const uint8_t *new_pin, size_t new_len)
{
	return pin_cmd(t, TM_INS_CHANGE_REFERENCE_DATA, TM_P1_CHANGE_REF_OLD_NEW, ref, old_pin,
		       old_len, new_pin, new_len);
}

static int t_init_pin(struct tm_token *t, const uint8_t *pin, size_t len)
{
	return pin_cmd(t, TM_INS_RESET_RETRY_COUNTER, TM_P1_RESET_NEW_ONLY, TM_PIN_USER, pin, len,
		       NULL, 0);
}

static int t_init_token(struct tm_token *t, const char *label)
{
	struct tm_buf b;
	uint8_t mem[64];
	tm_buf_init_fixed(&b, mem, sizeof(mem));
	tm_tlv_put(&b, TM_TAG_CI_LABEL, label, strlen(label));
	struct tm_apdu c = {.cla = TM_CLA_PROPRIETARY, .ins = TM_INS_INITIALIZE_TOKEN,
			    .data = mem, .nc = b.len};
	return tm_buf_ok(&b) ? run(t, &c, NULL, 0, NULL) : TM_ERR_ARGS;
}

static void put_attrs(struct tm_buf *b, const struct tm_card_object *o)
{
	tm_tlv_put(b, TM_TAG_OBJ_ID, o->id, o->id_len);
	tm_tlv_put(b, TM_TAG_OBJ_LABEL, o->label, o->label_len);
	if (o->cls == TM_OBJ_DATA) {
		tm_tlv_put(b, TM_TAG_OBJ_APPLICATION, o->app, o->app_len);
		return;
	}
	tm_tlv_put(b, TM_TAG_OBJ_SUBJECT, o->subject, o->subject_len);
	tm_tlv_put(b, TM_TAG_OBJ_START, o->start, o->start_len);
	tm_tlv_put(b, TM_TAG_OBJ_END, o->end, o->end_len);
}

/* secret: a private object's value -- no trace shows it. */
static int write_value(struct tm_token *t, uint16_t ref, const uint8_t *value, size_t len,
		       bool secret)
{
	/* Pieces that fit the card's command size, with room for the DOs. */
	size_t piece = t->info.max_cmd > 16 ? t->info.max_cmd - 16u : 240u;
	int rc = TM_OK;

	for (size_t off = 0; rc == TM_OK && off < len; off += piece) {
		size_t n = len - off < piece ? len - off : piece;
		struct tm_buf b;
		tm_buf_init_dynamic(&b, n + 32);
		uint8_t offset[2] = {(uint8_t)(off >> 8), (uint8_t)off};
		tm_tlv_put(&b, TM_TAG_OFFSET, offset, 2);
		tm_tlv_put(&b, TM_TAG_DISCRETIONARY, value + off, n);
		struct tm_apdu c = {.ins = TM_INS_UPDATE_BINARY_ODD, .p1 = (uint8_t)(ref >> 8),
				    .p2 = (uint8_t)ref, .data = b.data, .nc = b.len, .sensitive = secret};
		rc = tm_buf_ok(&b) ? run(t, &c, NULL, 0, NULL) : TM_ERR_NO_MEMORY;
		tm_buf_free(&b);
	}
	return rc;
}

static int t_create_object(struct tm_token *t, const struct tm_card_object *a,
			   const uint8_t *value, size_t len, uint16_t *ref)
{
	struct tm_buf b;
	uint8_t out[16];
	size_t olen;

	if (len > TM_MAX_OBJECT_SIZE)
		return TM_ERR_ARGS;
	tm_buf_init_dynamic(&b, 1024);
	size_t fcp = tm_tlv_begin(&b, TM_TAG_FCP);
	tm_tlv_put_u16(&b, TM_TAG_FILE_SIZE, (uint16_t)len);
	size_t a5 = tm_tlv_begin(&b, TM_TAG_PROPRIETARY);
	tm_tlv_put_u8(&b, TM_TAG_OBJ_CLASS, a->cls);
	tm_tlv_put_u8(&b, TM_TAG_OBJ_FLAGS, a->flags);
	put_attrs(&b, a);
	tm_tlv_end(&b, a5);
	tm_tlv_end(&b, fcp);
	struct tm_apdu c = {.ins = TM_INS_CREATE_FILE, .data = b.data, .nc = b.len, .ne = 256};
	int rc = tm_buf_ok(&b) ? run(t, &c, out, sizeof(out), &olen) : TM_ERR_NO_MEMORY;
	tm_buf_free(&b);
	if (rc != TM_OK)
		return rc;
	if (olen != 4 || out[0] != TM_TAG_FILE_ID)
		return TM_ERR_PROTOCOL;
	*ref = (uint16_t)be(out + 2, 2);
	rc = write_value(t, *ref, value, len, (a->flags & TM_OBJF_PRIVATE) != 0);
	if (rc != TM_OK) {
		/* Leave no half-written object behind. */
		uint8_t del[2] = {out[2], out[3]};
		struct tm_apdu d = {.ins = TM_INS_DELETE_FILE, .data = del, .nc = 2};
		run(t, &d, NULL, 0, NULL);
	}
	return rc;
}

static int t_set_attributes(struct tm_token *t, const struct tm_card_object *o, unsigned what)
{
	struct tm_buf b;
	tm_buf_init_dynamic(&b, 512);
	size_t a5 = tm_tlv_begin(&b, TM_TAG_PROPRIETARY);
	if (what & TM_SET_ID)
		tm_tlv_put(&b, TM_TAG_OBJ_ID, o->id, o->id_len);
	if (what & TM_SET_LABEL)
		tm_tlv_put(&b, TM_TAG_OBJ_LABEL, o->label, o->label_len);
	if (what & TM_SET_APPLICATION)
		tm_tlv_put(&b, TM_TAG_OBJ_APPLICATION, o->app, o->app_len);
	if (what & TM_SET_SUBJECT)
		tm_tlv_put(&b, TM_TAG_OBJ_SUBJECT, o->subject, o->subject_len);
	if (what & TM_SET_DATES) {
		tm_tlv_put(&b, TM_TAG_OBJ_START, o->start, o->start_len);
		tm_tlv_put(&b, TM_TAG_OBJ_END, o->end, o->end_len);
	}
	tm_tlv_end(&b, a5);
	struct tm_apdu c = {.ins = TM_INS_PUT_DATA_ODD, .p1 = (uint8_t)(o->ref >> 8),
			    .p2 = (uint8_t)o->ref, .data = b.data, .nc = b.len};
	int rc = tm_buf_ok(&b) ? run(t, &c, NULL, 0, NULL) : TM_ERR_NO_MEMORY;
	tm_buf_free(&b);
	return rc;
}

static int t_delete_object(struct tm_token *t, uint16_t ref)
{
	uint8_t d[2] = {(uint8_t)(ref >> 8), (uint8_t)ref};
	struct tm_apdu c = {.ins = TM_INS_DELETE_FILE, .data = d, .nc = 2};
	return run(t, &c, NULL, 0, NULL);
}

/* GENERATE's and IMPORT KEY's E2 content: algorithm, size, usage, flags,
 * owner of a temporary key, and the attributes. */
static void put_key_header(struct tm_buf *b, const struct tm_card_object *a)
{
	tm_tlv_put_u8(b, TM_TAG_OBJ_KEY_ALG, a->key_alg);
	tm_tlv_put_u16(b, TM_TAG_OBJ_KEY_BITS, a->bits);
	tm_tlv_put_u8(b, TM_TAG_OBJ_USAGE, a->usage);
	tm_tlv_put_u8(b, TM_TAG_OBJ_FLAGS, a->flags & (TM_OBJF_MODIFIABLE | TM_OBJF_TEMPORARY));
	if (a->flags & TM_OBJF_TEMPORARY)
		tm_tlv_put(b, TM_TAG_OBJ_OWNER, a->owner, a->owner_len);
	put_attrs(b, a);
}

static int t_generate(struct tm_token *t, const struct tm_card_object *a,
		      const struct tm_card_object *pa, uint16_t *ref, uint16_t *pub_ref)
{
	uint8_t *out = t->io;
	struct tm_buf b;
	size_t len;

	tm_buf_init_dynamic(&b, 512);
	size_t e2 = tm_tlv_begin(&b, TM_TAG_KEYGEN);
	put_key_header(&b, a);
	size_t a5 = tm_tlv_begin(&b, TM_TAG_PROPRIETARY); /* the public key object's own */
	tm_tlv_put_u8(&b, TM_TAG_OBJ_FLAGS, pa->flags & (TM_OBJF_PRIVATE | TM_OBJF_MODIFIABLE));
	put_attrs(&b, pa);
	tm_tlv_end(&b, a5);
	tm_tlv_end(&b, e2);
	struct tm_apdu c = {.ins = TM_INS_GENERATE_KEY_PAIR, .p1 = TM_P1_GENERATE, .data = b.data,
			    .nc = b.len, .ne = 65536};
	int rc = tm_buf_ok(&b) ? run(t, &c, out, TM_TOKEN_IO_SIZE, &len) : TM_ERR_NO_MEMORY;
	tm_buf_free(&b);
	if (rc != TM_OK)
		return rc;
	struct tm_tlv r, p;
	if (tm_tlv_find(out, len, TM_TAG_FILE_ID, &r) != TM_OK || r.len != 2 ||
	    tm_tlv_find(out, len, TM_TAG_PUBLIC_REF, &p) != TM_OK || p.len != 2)
		return TM_ERR_PROTOCOL;
	*ref = (uint16_t)be(r.value, 2);
	*pub_ref = (uint16_t)be(p.value, 2);
	return TM_OK;
}

/* IMPORT KEY (protocol.md §6.5): the key's parts go in one command,
 * flagged sensitive (traces show its length only) and wiped after. */
static int t_import_key(struct tm_token *t, const struct tm_card_object *a,
			const struct tm_key_parts *k, uint16_t *ref)
{
	static const uint32_t rsa_tags[8] = {TM_TAG_RSA_MODULUS, TM_TAG_RSA_EXPONENT, TM_TAG_RSA_D,
					     TM_TAG_RSA_P, TM_TAG_RSA_Q, TM_TAG_RSA_DP,
					     TM_TAG_RSA_DQ, TM_TAG_RSA_QINV};
	uint8_t *out = t->io;
	struct tm_buf b;
	size_t len;

	tm_buf_init_dynamic(&b, 2048);
	size_t e2 = tm_tlv_begin(&b, TM_TAG_KEYGEN);
	put_key_header(&b, a);
	size_t key = tm_tlv_begin(&b, TM_TAG_PRIVATE_KEY);
	if (a->key_alg == TM_KEY_RSA)
		for (int i = 0; i < 8; i++)
			tm_tlv_put(&b, rsa_tags[i], k->v[i], k->len[i]);
	else
		tm_tlv_put(&b, TM_TAG_EC_SCALAR, k->v[TM_PART_EC_D], k->len[TM_PART_EC_D]);
	tm_tlv_end(&b, key);
	tm_tlv_end(&b, e2);
	struct tm_apdu c = {.cla = TM_CLA_PROPRIETARY, .ins = TM_INS_IMPORT_KEY, .data = b.data,
			    .nc = b.len, .ne = 65536, .sensitive = true};
	int rc = tm_buf_ok(&b) ? run(t, &c, out, TM_TOKEN_IO_SIZE, &len) : TM_ERR_NO_MEMORY;
	tm_buf_free(&b); /* wipes */
	struct tm_tlv r;
	if (rc == TM_OK && (tm_tlv_find(out, len, TM_TAG_FILE_ID, &r) != TM_OK || r.len != 2))
		rc = TM_ERR_PROTOCOL;
	if (rc == TM_OK)
		*ref = (uint16_t)be(r.value, 2);
	return rc;
}

/* PSO with the DOs that name key and algorithm: one APDU per operation. */
static int pso(struct tm_token *t, uint16_t p1p2, uint32_t in_tag, uint16_t ref,
	       const struct tm_card_op *op, const uint8_t *in, size_t n, uint8_t *out,
	       size_t *out_len)
{
	struct tm_buf b;
	tm_buf_init_dynamic(&b, n + 128);
	tm_tlv_put_u16(&b, TM_TAG_KEY_REF, ref);
	tm_tlv_put_u8(&b, TM_TAG_ALGORITHM, op->alg);
	if (op->hash)
		tm_tlv_put_u8(&b, TM_TAG_PARAM_HASH, op->hash);
	if (op->mgf_hash)
		tm_tlv_put_u8(&b, TM_TAG_PARAM_MGF_HASH, op->mgf_hash);
	if (op->salt_len >= 0)
		tm_tlv_put_u16(&b, TM_TAG_PARAM_SALT_LEN, (uint16_t)op->salt_len);
	if (op->label_len)
		tm_tlv_put(&b, TM_TAG_PARAM_LABEL, op->label, op->label_len);
	tm_tlv_put(&b, in_tag, in, n);
	struct tm_apdu c = {.ins = TM_INS_PSO, .p1 = (uint8_t)(p1p2 >> 8), .p2 = (uint8_t)p1p2,
			    .data = b.data, .nc = b.len, .ne = 65536};
	int rc = tm_buf_ok(&b) ? run(t, &c, out, *out_len, out_len) : TM_ERR_NO_MEMORY;
	tm_buf_free(&b);
	return rc;
}

static int t_sign(struct tm_token *t, uint16_t ref, const struct tm_card_op *op,
		  const uint8_t *in, size_t n, uint8_t *out, size_t *out_len)
{
	return pso(t, TM_P1P2_PSO_CDS_DOS, TM_TAG_PSO_INPUT, ref, op, in, n, out, out_len);
}

static int t_decrypt(struct tm_token *t, uint16_t ref, const struct tm_card_op *op,
		     const uint8_t *in, size_t n, uint8_t *out, size_t *out_len)
{
	return pso(t, TM_P1P2_PSO_DECIPHER_DOS, TM_TAG_PSO_CRYPTOGRAM, ref, op, in, n, out,
		   out_len);
}

static int t_random(struct tm_token *t, uint8_t *out, size_t n)
{
	size_t chunk = t->info.max_resp ? t->info.max_resp : 256;
	int rc = TM_OK;

	for (size_t off = 0; rc == TM_OK && off < n; ) {
		size_t want = n - off < chunk ? n - off : chunk, got;
		struct tm_apdu c = {.ins = TM_INS_GET_CHALLENGE, .ne = want};
		rc = run(t, &c, out + off, want, &got);
		if (rc == TM_OK && got != want)
			rc = TM_ERR_PROTOCOL;
		off += want;
	}
	return rc;
}

const struct tm_card_driver tm_card_tumar = {
	.name = "tumar",
	.bind = t_bind,
	.refresh = t_refresh,
	.list_objects = t_list_objects,
	.read_value = t_read_value,
	.verify = t_verify,
	.logout = t_logout,
	.change_pin = t_change_pin,
	.init_pin = t_init_pin,
	.init_token = t_init_token,
	.create_object = t_create_object,
	.set_attributes = t_set_attributes,
	.import_key = t_import_key,
	.delete_object = t_delete_object,
	.generate = t_generate,
	.sign = t_sign,
	.decrypt = t_decrypt,
	.random = t_random,
};
