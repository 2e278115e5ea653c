/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * LASER file commands as the card driver sends them (jacarta-laser.md
 * §3, §4, §8): SELECT by path with its FCP, READ BINARY in pieces of at
 * most 256, LIST FILES, CREATE FILE then UPDATE BINARY, DELETE FILE of
 * the selected file, and cardcf's freshness counters.
 */
#include <config.h>

#include <string.h>

#include <openssl/crypto.h>

#include "apdu/buf.h"
#include "apdu/rc.h"
#include "apdu/sw.h"
#include "apdu/tlv.h"
#include "driver/laser.h"
#include "driver/log.h"

/* One exchange in the clear, or wrapped when an SM session is open. */
static int exchange(struct tm_token *t, struct tm_apdu *c, uint8_t *out, size_t cap,
		    size_t *len, uint16_t *sw)
{
	struct tm_laser_state *st = tm_laser_st(t);
	struct tm_response r = {.data = out ? out : t->io, .cap = out ? cap : TM_TOKEN_IO_SIZE};

	if (st == NULL || !st->sm.open) {
		int rc = tm_transceive(t->ch, c, &r);
		*len = r.len;
		*sw = r.sw;
		return rc;
	}
	struct tm_apdu w;
	struct tm_buf wb, data;
	uint8_t resp[600];
	struct tm_response wr = {.data = resp, .cap = sizeof(resp)};
	int rc = TM_ERR_NO_MEMORY;
	tm_buf_init_dynamic(&wb, 1024);
	tm_buf_init_dynamic(&data, 1024);
	if (tm_laser_sm_wrap_command(&st->sm, c, &w, &wb)) {
		rc = tm_transceive(t->ch, &w, &wr);
		if (rc == TM_OK && wr.sw != TM_SW_OK) {
			/* A plain error: the card ended the session (§9). */
			*sw = wr.sw;
			*len = 0;
			tm_laser_sm_end(&st->sm);
		} else if (rc == TM_OK) {
			rc = tm_laser_sm_unwrap_response(&st->sm, resp, wr.len, &data, sw) &&
					     data.len <= r.cap
				     ? TM_OK
				     : TM_ERR_PROTOCOL;
			if (rc == TM_OK) {
				if (data.len)
					memcpy(r.data, data.data, data.len);
				*len = data.len;
			}
		}
	}
	tm_buf_free(&wb);
	tm_buf_free(&data);
	return rc;
}

static bool not_selected(const struct tm_apdu *c, uint16_t sw)
{
	return c->ins != TM_LASER_INS_SELECT &&
	       (sw == TM_SW_INS_NOT_SUPPORTED || sw == TM_SW_CLA_NOT_SUPPORTED);
}

/* The application again, as after another application's SELECT: the
 * bind (same serial, logins the card kept, tm_token_reselected), then
 * the file the command works on. */
static int rebind(struct tm_token *t)
{
	struct tm_laser_state *st = tm_laser_st(t);
	uint8_t path[sizeof(st->path)];
	size_t n = st->path_len;

	memcpy(path, st->path, n);
	tm_log(TM_LOG_CARD, "%s: the LASER application is not selected: selecting it again",
	       t->reader);
	st->rebinding = true;
	int rc = t->drv->bind(t);
	if (rc == TM_OK && n > 0)
		rc = tm_laser_select(t, path, n, NULL);
	st->rebinding = false;
	if (rc == TM_ERR_FILE_NOT_FOUND)
		rc = TM_ERR_CARD_REMOVED; /* a card without the application */
	return rc;
}

int tm_laser_run(struct tm_token *t, struct tm_apdu *c, uint8_t *out, size_t cap, size_t *len)
{
	struct tm_laser_state *st = tm_laser_st(t);
	bool wrapped = st != NULL && st->sm.open;
	size_t n = 0;
	uint16_t sw = 0;
	int rc = exchange(t, c, out, cap, &n, &sw);

	if (rc == TM_OK && not_selected(c, sw) && st != NULL && !st->rebinding) {
		rc = rebind(t);
		/* Under SM the command is not sent again, in the clear: the
		 * operation fails (the PIN change is begun again). */
		if (rc == TM_OK && wrapped)
			return TM_ERR_CARD;
		if (rc == TM_OK)
			rc = exchange(t, c, out, cap, &n, &sw);
		if (rc == TM_OK && not_selected(c, sw)) {
			tm_log(TM_LOG_CARD, "%s: the card forgot the application again", t->reader);
			rc = TM_ERR_CARD_REMOVED;
		}
	}
	if (len != NULL)
		*len = n;
	if (rc != TM_OK)
		return rc;
	if (sw == TM_SW_OK || sw == TM_SW_END_OF_FILE)
		return TM_OK;
	tm_log(TM_LOG_CARD, "INS %02X: SW %04X (%s)", c->ins, sw, tm_sw_lookup(sw)->name);
	return tm_sw_to_rc(sw);
}

int tm_laser_select(struct tm_token *t, const uint8_t *path, size_t n, struct tm_laser_fcp *fcp)
{
	uint8_t out[256];
	size_t len;
	struct tm_apdu c = {.cla = TM_CLA_PROPRIETARY, .ins = TM_LASER_INS_SELECT,
			    .p1 = TM_LASER_SELECT_PATH, .p2 = 0x0C, .data = path, .nc = n, .ne = 256};
	struct tm_laser_fcp f;
	struct tm_laser_state *st = tm_laser_st(t);
	int rc = tm_laser_run(t, &c, out, sizeof(out), &len);

	if (st) {
		st->key_selected = 0;
		st->path_len = 0;
	}
	if (rc != TM_OK)
		return rc;
	if (tm_laser_fcp_decode(out, len, false, &f) != TM_OK)
		return TM_ERR_PROTOCOL;
	if (st && n <= sizeof(st->path)) {
		memcpy(st->path, path, n);
		st->path_len = n;
	}
	if (st && f.desc == TM_LASER_DESC_KO)
		st->key_selected = f.fid;
	if (fcp)
		*fcp = f;
	return TM_OK;
}

int tm_laser_select_in(struct tm_token *t, uint16_t df, uint16_t fid, struct tm_laser_fcp *fcp)
{
	uint8_t p[8] = {0x3F, 0x00, 0x30, 0x00};
	size_t n = 4;

	if (df != TM_LASER_FID_APP) {
		p[n++] = (uint8_t)(df >> 8);
		p[n++] = (uint8_t)df;
	}
	if (fid) {
		p[n++] = (uint8_t)(fid >> 8);
		p[n++] = (uint8_t)fid;
	}
	return tm_laser_select(t, p, n, fcp);
}

int tm_laser_read(struct tm_token *t, size_t size, bool secret, uint8_t **data)
{
	uint8_t *v = OPENSSL_zalloc(size ? size : 1);
	size_t off = 0;
	int rc = v ? TM_OK : TM_ERR_NO_MEMORY;

	if (size > TM_LASER_MAX_FILE)
		rc = TM_ERR_PROTOCOL;
	while (rc == TM_OK && off < size) {
		size_t want = size - off > 256 ? 256 : size - off, got;
		struct tm_apdu c = {.ins = TM_LASER_INS_READ_BINARY, .p1 = (uint8_t)(off >> 8),
				    .p2 = (uint8_t)off, .ne = want, .private_response = secret};
		rc = tm_laser_run(t, &c, v + off, want, &got);
		if (rc == TM_OK && got == 0)
			rc = TM_ERR_PROTOCOL;
		off += got;
	}
	if (rc != TM_OK) {
		OPENSSL_clear_free(v, size ? size : 1);
		return rc;
	}
	*data = v;
	return TM_OK;
}

int tm_laser_list(struct tm_token *t, uint8_t kind, uint16_t *fids, size_t cap, size_t *n)
{
	uint8_t out[4096];
	size_t len;
	struct tm_apdu c = {.cla = TM_CLA_PROPRIETARY, .ins = TM_LASER_INS_LIST_FILES, .p1 = kind,
			    .ne = 256};
	int rc = tm_laser_run(t, &c, out, sizeof(out), &len);

	*n = 0;
	if (rc != TM_OK)
		return rc;
	if (len < 4 || out[0] != TM_LASER_LIST_COUNT_TAG || out[1] != 2)
		return TM_ERR_PROTOCOL;
	size_t count = (size_t)out[2] << 8 | out[3];
	for (size_t off = 4; off + 4 <= len && *n < count; off += 2 + (size_t)out[off + 1]) {
		if (out[off] != TM_LASER_LIST_FILE_TAG || out[off + 1] < 2)
			return TM_ERR_PROTOCOL;
		if (*n < cap)
			fids[(*n)++] = (uint16_t)(out[off + 2] << 8 | out[off + 3]);
	}
	return TM_OK;
}

int tm_laser_write_ef(struct tm_token *t, uint16_t df, uint16_t fid, const char *name,
		      const uint8_t acl[8], const uint8_t *data, size_t len, bool secret)
{
	struct tm_laser_fcp f = {.fid = fid, .size = (uint16_t)len, .desc = TM_LASER_DESC_EF,
				 .acl_len = 8, .has_fid = true, .has_size = true};
	struct tm_buf b;
	int rc;

	if (len == 0 || len > TM_LASER_MAX_FILE)
		return TM_ERR_ARGS;
	memcpy(f.acl, acl, 8);
	if (name) {
		f.name_len = strlen(name) < sizeof(f.name) ? strlen(name) : sizeof(f.name);
		memcpy(f.name, name, f.name_len);
	}
	if ((rc = tm_laser_select_in(t, df, 0, NULL)) != TM_OK)
		return rc;
	tm_buf_init_dynamic(&b, 256);
	tm_laser_fcp_encode_create(&f, &b);
	struct tm_apdu c = {.ins = TM_LASER_INS_CREATE_FILE, .p1 = TM_LASER_DESC_EF,
			    .data = b.data, .nc = b.len};
	rc = tm_buf_ok(&b) ? tm_laser_run(t, &c, NULL, 0, NULL) : TM_ERR_NO_MEMORY;
	tm_buf_free(&b);
	if (rc != TM_OK)
		return rc;
	/* The new EF is the current file: its bytes, 255 at a time. */
	for (size_t off = 0; rc == TM_OK && off < len; off += 255) {
		size_t n = len - off > 255 ? 255 : len - off;
		struct tm_apdu u = {.ins = TM_LASER_INS_UPDATE_BINARY, .p1 = (uint8_t)(off >> 8),
				    .p2 = (uint8_t)off, .data = data + off, .nc = n,
				    .sensitive = secret};
		rc = tm_laser_run(t, &u, NULL, 0, NULL);
	}
	if (rc != TM_OK) {
		tm_log(TM_LOG_CARD, "%s: writing %04X/%04X failed (%s): removing it", t->reader, df,
		       fid, tm_rc_name(rc));
		tm_laser_delete(t, df, fid);
	}
	return rc;
}

int tm_laser_delete(struct tm_token *t, uint16_t df, uint16_t fid)
{
	struct tm_laser_fcp f;
	int rc = tm_laser_select_in(t, df, fid, &f);

	if (rc != TM_OK)
		return rc;
	/* DELETE takes the selected file (§8); P1 01 for a DF. */
	struct tm_apdu c = {.ins = TM_LASER_INS_DELETE_FILE,
			    .p1 = f.desc == TM_LASER_DESC_DF ? 1 : 0};
	rc = tm_laser_run(t, &c, NULL, 0, NULL);
	tm_laser_st(t)->key_selected = 0;
	return rc;
}

int tm_laser_touch_cardcf(struct tm_token *t, bool containers)
{
	struct tm_laser_state *st = tm_laser_st(t);
	uint8_t cf[TM_LASER_CARDCF_LEN], *old = NULL;
	struct tm_laser_fcp f;
	int rc = tm_laser_select_in(t, TM_LASER_FID_MD, TM_LASER_FID_CARDCF, &f);

	if (rc == TM_OK && f.size == TM_LASER_CARDCF_LEN)
		rc = tm_laser_read(t, f.size, false, &old);
	else if (rc == TM_OK)
		rc = TM_ERR_PROTOCOL;
	if (rc != TM_OK)
		return rc;
	memcpy(cf, old, sizeof(cf));
	OPENSSL_free(old);
	/* Four bytes unused, then container and file freshness, u16 LE. */
	uint16_t cont = (uint16_t)(cf[4] | cf[5] << 8), files = (uint16_t)(cf[6] | cf[7] << 8);
	if (containers)
		cont++;
	files++;
	cf[4] = (uint8_t)cont, cf[5] = (uint8_t)(cont >> 8);
	cf[6] = (uint8_t)files, cf[7] = (uint8_t)(files >> 8);
	struct tm_apdu u = {.ins = TM_LASER_INS_UPDATE_BINARY, .data = cf, .nc = sizeof(cf)};
	rc = tm_laser_run(t, &u, NULL, 0, NULL);
	if (rc == TM_OK) {
		st->cont_fresh = cont;
		st->file_fresh = files;
	}
	return rc;
}

uint16_t tm_laser_ref_df(uint16_t ref)
{
	switch (ref & 0xF000) {
	case TM_LREF_PRIVATE:
	case TM_LREF_PRIVATE_DATA:
		return TM_LASER_FID_PRIVATE;
	case TM_LREF_PUBLIC:
	case TM_LREF_CERT:
	case TM_LREF_DATA:
		return TM_LASER_FID_PUBLIC;
	default:
		return 0;
	}
}

uint16_t tm_laser_ref_fid(uint16_t ref)
{
	unsigned k = ref & 0x0FFF;

	switch (ref & 0xF000) {
	case TM_LREF_PRIVATE: return k >= 1 && k <= 0x1E ? (uint16_t)(0x0200 + k - 1) : 0;
	case TM_LREF_PUBLIC: return k >= 1 && k <= 0x1E ? (uint16_t)(0x0140 + k - 1) : 0;
	case TM_LREF_CERT:
		if (k < 0x200)
			return (uint16_t)(0x0400 + k);
		return k >= 0x400 && k < 0x500 ? (uint16_t)(0x8400 + (k - 0x400)) : 0;
	case TM_LREF_DATA:
		if (ref == TM_LREF_CMAPFILE)
			return TM_LASER_FID_CMAP;
		return k < 0x100 ? (uint16_t)(0x0600 + k) : 0;
	case TM_LREF_PRIVATE_DATA: return k < 0x100 ? (uint16_t)(0x0600 + k) : 0;
	default: return 0;
	}
}

uint16_t tm_laser_ref_of(uint16_t df, uint16_t fid)
{
	if (df == TM_LASER_FID_PRIVATE) {
		if ((fid & 0xFF00) == 0x0200 && (fid & 0xFF) < 0x1E)
			return (uint16_t)(TM_LREF_PRIVATE | ((fid & 0xFF) + 1));
		if ((fid & 0xFF00) == 0x0600)
			return (uint16_t)(TM_LREF_PRIVATE_DATA + (fid & 0xFF));
		return 0;
	}
	if (df != TM_LASER_FID_PUBLIC)
		return 0;
	if (fid == TM_LASER_FID_CMAP)
		return TM_LREF_CMAPFILE;
	if (fid >= 0x0140 && fid < 0x0140 + 0x1E)
		return (uint16_t)(TM_LREF_PUBLIC | (fid - 0x0140 + 1));
	if ((fid & 0xFE00) == 0x0400)
		return (uint16_t)(TM_LREF_CERT + (fid - 0x0400));
	if ((fid & 0xFF00) == 0x8400)
		return (uint16_t)(TM_LREF_CMAP_CERT + (fid & 0xFF));
	if ((fid & 0xFF00) == 0x0600)
		return (uint16_t)(TM_LREF_DATA + (fid & 0xFF));
	return 0;
}
