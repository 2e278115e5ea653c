/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include "p11_readers.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "apdu/apdu.h"
#include "apdu/rc.h"
#include "emulator/applet.h"
#include "emulator/chip.h"
#include "tests/support/test_models.h"

struct vreader {
	struct tm_chip *chip;   /* the card: either applet */
	bool present;
	unsigned events;
	unsigned long apdus, transactions;
	bool reset_pending;   /* a foreign reset not yet reported to us */
	tm_test_filter_fn *filter;
	unsigned connection;  /* bumps on removal: old connections fail */
	/* The card's answer.  One per reader: the module talks to two
	 * readers from two threads at once (a static buffer shared by the
	 * readers gave a thread the other card's bytes: test_p11_threads). */
	uint8_t out[TM_APDU_MAX_RESPONSE];
};

static struct vreader readers[TM_TEST_READERS];

/* Insertions and removals come from the test's thread while the module
 * may wait for them in another (C_WaitForSlotEvent): they and the
 * presence the module reads are under this lock, and a change or a
 * cancel wakes the waiters. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;
static unsigned long changes, cancels;

struct vconn {
	int i;
	unsigned connection;
};
static struct vconn conns[TM_TEST_READERS];

static void remove_locked(int i)
{
	struct vreader *r = &readers[i];
	if (r->present) {
		tm_chip_free(r->chip);
		r->chip = NULL;
		r->present = false;
		r->events++;
		r->connection++;
		changes++;
		pthread_cond_broadcast(&changed);
	}
}

void tm_test_reader_remove(int i)
{
	pthread_mutex_lock(&lock);
	remove_locked(i);
	pthread_mutex_unlock(&lock);
}

static struct tm_chip *new_card(const char *model, const char *serial)
{
	const struct tm_model *m = tm_test_model(model);
	return m ? tm_chip_new(m, serial, m->user.factory[0] ? NULL : "135790") : NULL;
}

void tm_test_reader_insert(int i, const char *model)
{
	pthread_mutex_lock(&lock);
	remove_locked(i);
	struct tm_chip *c = new_card(model, "UNIT0001");
	if (c == NULL) {
		pthread_mutex_unlock(&lock);
		return;
	}
	readers[i].chip = c;
	readers[i].present = true;
	readers[i].events++;
	readers[i].apdus = readers[i].transactions = 0;
	readers[i].reset_pending = false;
	changes++;
	pthread_cond_broadcast(&changed);
	pthread_mutex_unlock(&lock);
}

void tm_test_reader_replug(int i)
{
	pthread_mutex_lock(&lock);
	struct vreader *r = &readers[i];
	if (r->present) {
		r->chip->ops->reset(r->chip);
		r->events += 2; /* out, and in again */
		r->connection++;
		changes++;
		pthread_cond_broadcast(&changed);
	}
	pthread_mutex_unlock(&lock);
}

void tm_test_reader_swap_card(int i, const char *model, const char *serial)
{
	struct tm_chip *c = new_card(model, serial);

	pthread_mutex_lock(&lock);
	if (c != NULL && readers[i].present) {
		tm_chip_free(readers[i].chip);
		readers[i].chip = c;
		c = NULL;
	}
	pthread_mutex_unlock(&lock);
	tm_chip_free(c);
}

unsigned long tm_test_reader_apdus(int i)
{
	return readers[i].apdus;
}

unsigned long tm_test_reader_transactions(int i)
{
	return readers[i].transactions;
}

void tm_test_reader_foreign_reset(int i)
{
	readers[i].chip->ops->reset(readers[i].chip);
	readers[i].reset_pending = true;
}

unsigned tm_test_reader_foreign_apdu(int i, const char *hex)
{
	uint8_t out[TM_APDU_MAX_RESPONSE];
	long len = 0;
	unsigned char *cmd = OPENSSL_hexstr2buf(hex, &len);
	size_t n = cmd ? readers[i].chip->ops->process(readers[i].chip, cmd, (size_t)len, out,
						       sizeof(out))
		       : 0;

	OPENSSL_free(cmd);
	return n >= 2 ? (unsigned)(out[n - 2] << 8 | out[n - 1]) : 0;
}

void tm_test_reader_filter(int i, tm_test_filter_fn *fn)
{
	readers[i].filter = fn;
}

void tm_test_readers_reset(void)
{
	for (int i = 0; i < TM_TEST_READERS; i++) {
		tm_test_reader_remove(i);
		readers[i].filter = NULL;
	}
}

static int v_list(void *ctx, char *names, size_t cap)
{
	size_t n = 0;
	(void)ctx;
	for (int i = 0; i < TM_TEST_READERS; i++)
		n += (size_t)snprintf(names + n, cap - n, "Test Reader %d", i) + 1;
	names[n] = '\0';
	return TM_OK;
}

static int index_of(const char *reader)
{
	int i;
	return sscanf(reader, "Test Reader %d", &i) == 1 && i >= 0 && i < TM_TEST_READERS ? i : -1;
}

static int v_status(void *ctx, const char *reader, bool *present, unsigned *events)
{
	int i = index_of(reader);
	(void)ctx;
	if (i < 0)
		return TM_ERR_CARD_REMOVED;
	pthread_mutex_lock(&lock);
	*present = readers[i].present;
	*events = readers[i].events;
	pthread_mutex_unlock(&lock);
	return TM_OK;
}

static int v_connect(void *ctx, const char *reader, void **conn, uint8_t *atr, size_t *atr_len)
{
	int i = index_of(reader);
	(void)ctx;
	if (i < 0 || !readers[i].present)
		return TM_ERR_NO_CARD;
	const struct tm_model *m = readers[i].chip->model;
	memcpy(atr, m->atr, m->atr_len);
	*atr_len = m->atr_len;
	readers[i].chip->ops->reset(readers[i].chip); /* power on */
	conns[i] = (struct vconn){i, readers[i].connection};
	*conn = &conns[i];
	return TM_OK;
}

static void v_disconnect(void *conn) { (void)conn; }
static int v_reconnect(void *vconn)
{
	struct vconn *c = vconn;
	readers[c->i].reset_pending = false;
	return TM_OK;
}

/* What pcsc-lite says of a connection: the card gone, reset by someone
 * else, or fine. */
static int conn_state(const struct vconn *c)
{
	const struct vreader *r = &readers[c->i];

	if (!r->present || r->connection != c->connection)
		return TM_ERR_CARD_REMOVED;
	return r->reset_pending ? TM_ERR_CARD_RESET : TM_OK;
}

static int v_begin(void *vconn)
{
	struct vconn *c = vconn;
	int rc = conn_state(c);

	if (rc == TM_OK)
		readers[c->i].transactions++;
	return rc;
}

static void v_end(void *conn) { (void)conn; }

static int v_transmit(void *vconn, const uint8_t *cmd, size_t len, uint8_t *resp, size_t *resp_len)
{
	struct vconn *c = vconn;
	struct vreader *r = &readers[c->i];
	int rc = conn_state(c);

	if (rc != TM_OK)
		return rc;
	size_t n = r->chip->ops->process(r->chip, cmd, len, r->out, sizeof(r->out));
	if (n == 0 || n > *resp_len)
		return TM_ERR_TRANSPORT;
	memcpy(resp, r->out, n);
	*resp_len = n;
	if (r->filter != NULL)
		r->filter(cmd, len, resp, n);
	r->apdus++;
	return TM_OK;
}

/* Blocks until a card goes in or out, a cancel, or the timeout. */
static int v_wait(void *ctx, unsigned timeout_ms)
{
	struct timespec until;
	int rc = TM_ERR_TIMEOUT;

	(void)ctx;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += timeout_ms / 1000;
	until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&lock);
	unsigned long c = changes, k = cancels;
	while (changes == c && cancels == k)
		if (pthread_cond_timedwait(&changed, &lock, &until) != 0)
			break;
	if (changes != c)
		rc = TM_OK;
	pthread_mutex_unlock(&lock);
	return rc;
}

static void v_cancel(void *ctx)
{
	(void)ctx;
	pthread_mutex_lock(&lock);
	cancels++;
	pthread_cond_broadcast(&changed);
	pthread_mutex_unlock(&lock);
}

static void v_free(void *ctx) { (void)ctx; }

static const struct tm_reader_ops ops = {
	.list = v_list, .status = v_status, .connect = v_connect, .disconnect = v_disconnect,
	.reconnect = v_reconnect, .begin = v_begin, .end = v_end, .transmit = v_transmit,
	.wait = v_wait, .cancel = v_cancel, .free = v_free,
};

size_t tm_test_reader_objects(int i, uint8_t flags)
{
	const struct tm_chip *chip = readers[i].chip;
	/* The Tumar applet's cards only: a LASER card has files, not objects. */
	const struct tm_card *c = chip && chip->model->applet == TM_APPLET_TUMAR
					  ? ((const struct tm_applet *)chip->impl)->card
					  : NULL;
	size_t n = 0;
	for (size_t k = 0; c != NULL && k < c->n_objects; k++)
		n += (c->objects[k].flags & flags) == flags;
	return n;
}

int tm_test_readers(struct tm_readers *r)
{
	r->ops = &ops;
	r->ctx = NULL;
	return TM_OK;
}
