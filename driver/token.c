/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include "token.h"

#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "apdu/rc.h"
#include "apdu/trace.h"
#include "driver/log.h"

/* The card drivers, tried in order. */
static const struct tm_card_driver *const drivers[] = {&tm_card_laser, &tm_card_tumar};

/* Factory user PINs from the NCA's guides, by model. */
static const struct {
	const char *model, *pin;
} factory_pins[] = {
	{"kaztoken", "12345678"},
	{"etoken-pro-72k", "1234567890"},
	{"jacarta-pki", "1234567890"},
	{"akey", "1234567890"},
};

const char *tm_token_factory_pin(const struct tm_token *t)
{
	for (size_t i = 0; i < sizeof(factory_pins) / sizeof(factory_pins[0]); i++)
		if (strcmp(factory_pins[i].model, t->info.model_key) == 0)
			return factory_pins[i].pin;
	return NULL;
}

static int token_transmit(void *ctx, const uint8_t *cmd, size_t cmd_len, uint8_t *resp,
			  size_t *resp_len)
{
	struct tm_token *t = ctx;
	bool bare = t->bare && !t->in_txn;
	int rc;

	if (bare && t->op_exchanges > 0) {
		/* A second exchange: the rest of the operation in a transaction. */
		rc = t->readers->ops->begin(t->conn);
		if (rc != TM_OK) {
			t->reset_seen |= rc == TM_ERR_CARD_RESET;
			return rc;
		}
		t->in_txn = true;
		bare = false;
	}
	t->op_exchanges++;
	rc = t->readers->ops->transmit(t->conn, cmd, cmd_len, resp, resp_len);
	if (rc == TM_ERR_CARD_RESET) {
		t->reset_seen = true;
		t->bare_reset = bare;
	}
	return rc;
}

/* Every exchange: the debug log (header and status only) and the APDU
 * trace (secrets redacted by the trace writer). */
static void on_exchange(void *ctx, const struct tm_apdu *cmd, const uint8_t *raw,
			size_t raw_len, const uint8_t *resp, size_t resp_len,
			uint64_t duration_us, int rc)
{
	struct tm_token *t = ctx;

	if (tm_log_enabled(TM_LOG_APDU))
		tm_log(TM_LOG_APDU, "%s: %02X %02X %02X %02X Nc=%zu -> %s%02X%02X (%zu bytes, %llu us)",
		       t->reader, cmd->cla, cmd->ins, cmd->p1, cmd->p2, cmd->nc,
		       rc == TM_OK ? "" : tm_rc_name(rc),
		       resp && resp_len >= 2 ? resp[resp_len - 2] : 0,
		       resp && resp_len >= 2 ? resp[resp_len - 1] : 0, resp_len,
		       (unsigned long long)duration_us);
	if (t->trace != NULL) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		struct tm_trace_event ev = {
			.seq = t->trace_seq++,
			.time_us = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000 -
				   (int64_t)duration_us,
			.duration_us = (uint32_t)duration_us, .reader = t->reader,
			.sensitive = cmd->sensitive, .private_response = cmd->private_response,
			.cmd = raw, .cmd_len = raw_len,
			.resp = resp, .resp_len = resp_len,
		};
		tm_trace_write(t->trace, &ev);
	}
}

int tm_token_open(struct tm_token *t, const struct tm_readers *r, const char *reader, FILE *trace)
{
	struct tm_transport tr = {.transmit = token_transmit, .ctx = t};
	int rc;

	memset(t, 0, offsetof(struct tm_token, io));
	t->io = OPENSSL_malloc(TM_TOKEN_IO_SIZE);
	if (t->io == NULL)
		return TM_ERR_NO_MEMORY;
	t->readers = r;
	t->trace = trace;
	snprintf(t->reader, sizeof(t->reader), "%s", reader);
	t->atr_len = sizeof(t->atr);
	rc = r->ops->connect(r->ctx, reader, &t->conn, t->atr, &t->atr_len);
	if (rc != TM_OK) {
		tm_token_close(t);
		return rc;
	}
	t->ch = tm_channel_new(&tr, false);
	if (t->ch == NULL) {
		tm_token_close(t);
		return TM_ERR_NO_MEMORY;
	}
	t->ch->on_exchange = on_exchange;
	t->ch->on_exchange_ctx = t;
	rc = r->ops->begin(t->conn);
	if (rc != TM_OK) {
		tm_token_close(t);
		return rc;
	}
	rc = TM_ERR_FILE_NOT_FOUND;
	for (size_t i = 0; i < sizeof(drivers) / sizeof(drivers[0]) && rc == TM_ERR_FILE_NOT_FOUND; i++) {
		t->drv = drivers[i];
		rc = t->drv->bind(t);
	}
	r->ops->end(t->conn);
	if (rc != TM_OK) {
		tm_log(TM_LOG_CARD, "%s: no card driver knows this card (%s)", reader, tm_rc_name(rc));
		tm_token_close(t);
		return rc;
	}
	tm_log(TM_LOG_CARD, "%s: %s, serial %s, driver %s", reader, t->info.model_name,
	       t->info.serial, t->drv->name);
	return TM_OK;
}

void tm_token_drop_objects(struct tm_token *t)
{
	for (size_t i = 0; i < t->n_objects; i++) {
		EVP_PKEY_free(t->objects[i].pub);
		if (t->objects[i].value)
			OPENSSL_clear_free(t->objects[i].value, t->objects[i].size);
	}
	memset(t->objects, 0, sizeof(t->objects));
	t->n_objects = 0;
	t->objects_valid = false;
}

void tm_token_close(struct tm_token *t)
{
	tm_token_drop_objects(t);
	if (t->drv != NULL && t->drv->release != NULL)
		t->drv->release(t);
	if (t->conn != NULL)
		t->readers->ops->disconnect(t->conn);
	t->conn = NULL;
	tm_channel_free(t->ch);
	t->ch = NULL;
	OPENSSL_clear_free(t->io, TM_TOKEN_IO_SIZE);
	t->io = NULL;
}

/* The card was reset by another application: the card forgot our
 * SELECT and our logins.  Take it back as it is. */
static int take_back(struct tm_token *t)
{
	int rc = t->readers->ops->reconnect(t->conn);

	t->reset_seen = false;
	t->user_in = t->so_in = false;
	tm_token_drop_objects(t);
	tm_log(TM_LOG_CARD, "%s: the card was reset by another application: logged out", t->reader);
	if (rc == TM_OK)
		rc = t->readers->ops->begin(t->conn);
	if (rc == TM_OK) {
		t->in_txn = true;
		rc = t->drv->bind(t);
		if (rc != TM_OK)
			tm_token_end(t);
	}
	return rc;
}

void tm_token_reselected(struct tm_token *t, uint32_t old_counter)
{
	bool user = t->user_in && (t->pins[0].flags & TM_PINF_VERIFIED);
	bool so = t->so_in && (t->pins[1].flags & TM_PINF_VERIFIED);

	if (user != t->user_in || so != t->so_in)
		tm_log(TM_LOG_CARD, "%s: another application was selected: the card logged us out",
		       t->reader);
	else
		tm_log(TM_LOG_CARD, "%s: selected again, the card kept our logins", t->reader);
	if (t->info.change_counter != old_counter || (t->objects_private && !user))
		t->objects_valid = false;
	t->user_in = user;
	t->so_in = so;
}

/* The directory is cached for the login state: looking up an object
 * needs no card. */
static bool objects_cached(const struct tm_token *t)
{
	return t->objects_valid && (t->objects_private || !t->user_in);
}

int tm_token_begin(struct tm_token *t)
{
	int rc;

	t->bare = t->bare_reset = false;
	t->op_exchanges = 0;
	if (t->reset_seen)
		return take_back(t);
	rc = t->readers->ops->begin(t->conn);
	if (rc == TM_ERR_CARD_RESET)
		return take_back(t);
	t->in_txn = rc == TM_OK;
	return rc;
}

int tm_token_begin_bare(struct tm_token *t)
{
	if (t->reset_seen || !objects_cached(t))
		return tm_token_begin(t);
	t->bare = true;
	t->bare_reset = false;
	t->in_txn = false;
	t->op_exchanges = 0;
	return TM_OK;
}

void tm_token_end(struct tm_token *t)
{
	if (t->in_txn)
		t->readers->ops->end(t->conn);
	t->in_txn = t->bare = false;
}


int tm_token_objects(struct tm_token *t)
{
	int rc;

	if (objects_cached(t))
		return TM_OK;
	rc = t->drv->list_objects(t);
	t->objects_valid = rc == TM_OK;
	t->objects_private = t->user_in;
	return rc;
}

int tm_token_room(struct tm_token *t, size_t n)
{
	int rc = tm_token_objects(t);

	if (rc == TM_OK && t->n_objects + n > TM_TOKEN_MAX_OBJECTS)
		rc = TM_ERR_CARD_MEMORY;
	return rc;
}

struct tm_card_object *tm_token_find(struct tm_token *t, uint16_t ref)
{
	for (size_t i = 0; i < t->n_objects; i++)
		if (t->objects[i].ref == ref)
			return &t->objects[i];
	return NULL;
}
