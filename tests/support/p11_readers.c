#include <config.h>

#include "p11_readers.h"

#include <stdio.h>
#include <string.h>

#include "apdu/apdu.h"
#include "apdu/rc.h"
#include "emulator/applet.h"
#include "emulator/models.h"

struct vreader {
	struct tm_applet applet;
	bool present;
	unsigned events;
	unsigned long apdus, transactions;
	bool reset_pending;   /* a foreign reset not yet reported to us */
	unsigned connection;  /* bumps on removal: old connections fail */
};

static struct vreader readers[TM_TEST_READERS];

struct vconn {
	int i;
	unsigned connection;
};
static struct vconn conns[TM_TEST_READERS];

void tm_test_reader_remove(int i)
{
	struct vreader *r = &readers[i];
	if (r->present) {
		tm_applet_free(&r->applet);
		r->present = false;
		r->events++;
		r->connection++;
	}
}

void tm_test_reader_insert(int i, const char *model)
{
	tm_test_reader_remove(i);
	if (model == NULL)
		return;
	const struct tm_model *m = tm_model_find(model);
	struct tm_card *c = m ? tm_card_new(m, "UNIT0001", NULL, m->user.factory[0] ? NULL : "135790") : NULL;
	if (c == NULL)
		return;
	tm_applet_init(&readers[i].applet, c);
	readers[i].present = true;
	readers[i].events++;
	readers[i].apdus = readers[i].transactions = 0;
	readers[i].reset_pending = false;
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
	tm_applet_reset(&readers[i].applet);
	readers[i].reset_pending = true;
}

void tm_test_readers_reset(void)
{
	for (int i = 0; i < TM_TEST_READERS; i++)
		tm_test_reader_remove(i);
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
	*present = readers[i].present;
	*events = readers[i].events;
	return TM_OK;
}

static int v_connect(void *ctx, const char *reader, void **conn, uint8_t *atr, size_t *atr_len)
{
	int i = index_of(reader);
	(void)ctx;
	if (i < 0 || !readers[i].present)
		return TM_ERR_NO_CARD;
	const struct tm_model *m = readers[i].applet.card->model;
	memcpy(atr, m->atr, m->atr_len);
	*atr_len = m->atr_len;
	tm_applet_reset(&readers[i].applet); /* power on */
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

static int v_begin(void *vconn)
{
	struct vconn *c = vconn;
	struct vreader *r = &readers[c->i];

	if (!r->present || r->connection != c->connection)
		return TM_ERR_CARD_REMOVED;
	if (r->reset_pending)
		return TM_ERR_CARD_RESET;
	r->transactions++;
	return TM_OK;
}

static void v_end(void *conn) { (void)conn; }

static int v_transmit(void *vconn, const uint8_t *cmd, size_t len, uint8_t *resp, size_t *resp_len)
{
	static uint8_t out[TM_APDU_MAX_RESPONSE];
	struct vconn *c = vconn;
	struct vreader *r = &readers[c->i];

	if (!r->present || r->connection != c->connection)
		return TM_ERR_CARD_REMOVED;
	if (r->reset_pending)
		return TM_ERR_CARD_RESET;
	size_t n = tm_applet_process(&r->applet, cmd, len, out, sizeof(out));
	if (n == 0 || n > *resp_len)
		return TM_ERR_TRANSPORT;
	memcpy(resp, out, n);
	*resp_len = n;
	r->apdus++;
	return TM_OK;
}

static int v_wait(void *ctx, unsigned timeout_ms)
{
	(void)ctx;
	(void)timeout_ms;
	return TM_ERR_TIMEOUT;
}

static void v_cancel(void *ctx) { (void)ctx; }
static void v_free(void *ctx) { (void)ctx; }

static const struct tm_reader_ops ops = {
	.list = v_list, .status = v_status, .connect = v_connect, .disconnect = v_disconnect,
	.reconnect = v_reconnect, .begin = v_begin, .end = v_end, .transmit = v_transmit,
	.wait = v_wait, .cancel = v_cancel, .free = v_free,
};

int tm_test_readers(struct tm_readers *r)
{
	r->ops = &ops;
	r->ctx = NULL;
	return TM_OK;
}
