/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include "server.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "apdu/apdu.h"
#include "apdu/rc.h"
#include "apdu/trace.h"
#include "emulator/faults.h"
#include "emulator/stop_point.h"
#include "emulator/vpcd.h"

/* A torn card comes back after this long, as if re-inserted. */
#define REINSERT_AFTER_TEAR_MS 500
#define RECONNECT_EVERY_MS 100

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

#define CONTROL_CLIENTS 4
#define CONTROL_DEADLINE_MS 1000 /* for a whole request, not a byte */

struct server {
	struct tm_chip *a;
	const struct tm_server_opts *o;
	struct tm_vpcd v;
	struct tm_faults faults;
	bool inserted;
	uint64_t not_before_ms;  /* no reconnect until then (after a tear) */
	/* The link as vpcd sees it: a TCP connection is not a card in the
	 * reader.  vpcd takes one card per port, and a second emulator on a
	 * taken port connects into the listen backlog and is never served;
	 * only vpcd's first frame says the card is in. */
	enum { LINK_NONE, LINK_OPEN, LINK_TAKEN } link;
	bool told_waiting;        /* "waiting for vpcd" said for this episode */
	bool told_backlog;        /* "vpcd has not taken the card" said */
	uint64_t opened_ms;
	int ctl_fd;
	/* Control clients being read: each request is bounded as a whole
	 * (CONTROL_DEADLINE_MS) and read only when poll says so, so a slow
	 * client never holds up the card's I/O. */
	struct ctl_client {
		int fd;
		uint64_t deadline_ms;
		size_t n;
		char line[256];
	} ctl[CONTROL_CLIENTS];
	FILE *trace;
	char reader[96];
	uint64_t seq, apdus;
	uint8_t cmd[TM_VPCD_MAX_FRAME];
	uint8_t resp[TM_APDU_MAX_RESPONSE];
};

static uint64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Durations in the trace: microseconds, as the trace format says (a
 * clock in milliseconds made most of them 0). */
static uint64_t mono_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static int64_t wall_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void sleep_us(uint64_t us)
{
	struct timespec ts = {(time_t)(us / 1000000u), (long)(us % 1000000u) * 1000};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR && !stop)
		;
}

static void vlog(const struct server *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void vlog(const struct server *s, const char *fmt, ...)
{
	va_list ap;

	if (!s->o->verbose)
		return;
	fprintf(stderr, "tumar-emu[%s]: ", s->a->model->key);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void power_loss(struct server *s)
{
	s->a->ops->reset(s->a);
}

static void remove_card(struct server *s)
{
	if (s->v.listen)
		tm_vpcd_shutdown(&s->v); /* else vpcd would connect right back */
	else
		tm_vpcd_close(&s->v);
	s->link = LINK_NONE;
	power_loss(s);
}

/* After a tear, RAM is gone and the image is the truth. */
static int reload(struct server *s)
{
	return s->a->ops->reload(s->a);
}

static void trace(struct server *s, const uint8_t *cmd, size_t len, const uint8_t *resp,
		  size_t resp_len, int64_t t0, uint64_t dur_us)
{
	if (s->trace == NULL || len < 4)
		return;
	struct tm_trace_event ev = {
		.seq = s->seq++, .time_us = t0, .duration_us = (uint32_t)dur_us,
		.reader = s->reader, .cmd = cmd, .cmd_len = len,
		.resp = resp, .resp_len = resp_len, .private_response = s->a->private_out,
		.sensitive = s->a->private_in,
	};
	tm_trace_write(s->trace, &ev);
}

static uint64_t op_latency_us(const struct server *s)
{
	const struct tm_model_latency *l = &s->a->model->latency;
	uint64_t us = l->per_apdu_us;

	switch (s->a->last_op) {
	case TM_OP_SIGN:
	case TM_OP_DECRYPT:
		return us + l->sign_us;
	case TM_OP_KEYGEN:
		return us + l->keygen_us;
	default:
		return us;
	}
}

static int handle_apdu(struct server *s, size_t len)
{
	int64_t t0 = wall_us();
	uint64_t m0 = mono_us();
	struct tm_fault_hit hit = tm_faults_apply(&s->faults, s->cmd, len);
	bool tear = hit.tear;
	uint16_t fault_sw = hit.sw;
	size_t n;

	s->apdus++;
	tm_stop_point(TM_STOP_COMMAND);
	if (fault_sw != 0) {
		s->resp[0] = (uint8_t)(fault_sw >> 8);
		s->resp[1] = (uint8_t)fault_sw;
		n = 2;
	} else {
		s->a->ops->arm_tear(s->a, tear);
		n = s->a->ops->process(s->a, s->cmd, len, s->resp, sizeof(s->resp));
		s->a->ops->arm_tear(s->a, false);
	}
	if (tear) {
		/* Power goes during this APDU: after its first write, if it
		 * made one; no answer either way. */
		vlog(s, "power torn during APDU %02X %02X", s->cmd[0], len > 1 ? s->cmd[1] : 0);
		trace(s, s->cmd, len, NULL, 0, t0, mono_us() - m0);
		remove_card(s);
		s->not_before_ms = mono_ms() + REINSERT_AFTER_TEAR_MS;
		return reload(s);
	}
	if (s->o->realistic)
		sleep_us(op_latency_us(s));
	if (hit.delay_ms)
		sleep_us((uint64_t)hit.delay_ms * 1000u);
	uint64_t dur_us = mono_us() - m0;
	if (len >= 4)
		vlog(s, "APDU %02X %02X %02X%02X (%zu bytes) -> %02X%02X (%zu bytes)", s->cmd[0],
		     s->cmd[1], s->cmd[2], s->cmd[3], len, s->resp[n - 2], s->resp[n - 1], n);
	trace(s, s->cmd, len, s->resp, n, t0, dur_us);
	if (tm_vpcd_send(&s->v, s->resp, n) != 0) {
		vlog(s, "vpcd went away while we answered");
		tm_vpcd_close(&s->v);
		s->link = LINK_NONE;
		power_loss(s);
	} else {
		tm_stop_point(TM_STOP_ANSWER);
	}
	return 0;
}

/* What the emulator tells its user about the link, with or without -v:
 * each state once, when it begins. */
static void say(const struct server *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(const struct server *s, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "tumar-emu[%s]: ", s->a->model->key);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void link_opened(struct server *s)
{
	s->link = LINK_OPEN;
	s->opened_ms = mono_ms();
	s->told_waiting = s->told_backlog = false;
	say(s, "connected to vpcd's port %u; waiting for vpcd to take the card", s->v.port);
}

static void link_closed(struct server *s)
{
	s->link = LINK_NONE;
}

/* vpcd has held the connection this long without a frame: say why the
 * card may not be in a reader yet (no timing decides anything else). */
#define BACKLOG_HINT_MS 3000

static void handle_frame(struct server *s)
{
	size_t len;

	if (tm_vpcd_recv(&s->v, s->cmd, sizeof(s->cmd), &len) != 0) {
		say(s, "the link to vpcd closed; %s", s->v.listen ? "listening again" : "reconnecting");
		tm_vpcd_close(&s->v);
		link_closed(s);
		power_loss(s);
		return;
	}
	if (s->link != LINK_TAKEN) {
		s->link = LINK_TAKEN;
		say(s, "vpcd took the card: it is in the reader on port %u", s->v.port);
	}
	if (len != 1) {
		if (handle_apdu(s, len) != 0)
			stop = 1;
		return;
	}
	switch (s->cmd[0]) {
	case TM_VPCD_POWER_OFF:
	case TM_VPCD_POWER_ON:
	case TM_VPCD_RESET:
		vlog(s, "%s", s->cmd[0] == TM_VPCD_RESET ? "reset" :
			      s->cmd[0] == TM_VPCD_POWER_ON ? "power on" : "power off");
		power_loss(s);
		break;
	case TM_VPCD_GET_ATR:
		tm_vpcd_send(&s->v, s->a->model->atr, s->a->model->atr_len);
		break;
	default:
		vlog(s, "unknown vpcd control code %02X", s->cmd[0]);
	}
}

/* --- The control socket ---------------------------------------------- */

static int control_listen(const char *path)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	struct stat st;
	int fd;

	if (strlen(path) >= sizeof(a.sun_path))
		return -1;
	/* A socket left behind by a dead emulator is stale; anything else at
	 * that path is not ours to remove. */
	if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
		unlink(path);
	strcpy(a.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	/* 0600 from the start, never a moment wider: whoever may connect can
	 * pull the card and arm faults (connect needs only write access). */
	mode_t old = umask(0177);
	int rc = bind(fd, (struct sockaddr *)&a, sizeof(a));
	umask(old);
	if (rc != 0 || listen(fd, 4) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static const char *link_name(const struct server *s)
{
	return s->link == LINK_TAKEN ? "connected" : s->link == LINK_OPEN ? "connecting" : "waiting";
}

/* A JSON string of s (a model key or serial: printable ASCII, but made
 * safe whatever it is). */
static void json_string(const char *s, char *out, size_t cap)
{
	size_t o = 0;

	if (cap < 3)
		return;
	out[o++] = '"';
	for (; *s && o + 8 < cap; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			o += (size_t)snprintf(out + o, cap - o, "\\%c", c);
		else if (c < 0x20 || c >= 0x7F)
			o += (size_t)snprintf(out + o, cap - o, "\\u%04x", c);
		else
			out[o++] = (char)c;
	}
	out[o++] = '"';
	out[o] = '\0';
}

/* "status": one line of state, then one per armed fault; "status
 * --json": the same as one JSON object. */
static void control_status(struct server *s, bool json, char *reply, size_t cap)
{
	char faults[TM_FAULTS_MAX * 200];

	if (json) {
		char model[80], serial[80];
		json_string(s->a->model->key, model, sizeof(model));
		json_string(s->a->ops->serial(s->a), serial, sizeof(serial));
		tm_faults_json(&s->faults, faults, sizeof(faults));
		snprintf(reply, cap,
			 "ok {\"inserted\":%s,\"model\":%s,\"serial\":%s,\"apdus\":%llu,"
			 "\"vpcd\":\"%s\",\"faults\":%s}",
			 s->inserted ? "true" : "false", model, serial, (unsigned long long)s->apdus,
			 link_name(s), faults);
		return;
	}
	tm_faults_list(&s->faults, faults, sizeof(faults));
	size_t len = strlen(faults);
	if (len > 0)
		faults[len - 1] = '\0'; /* the reply's newline comes later */
	snprintf(reply, cap, "ok %s model=%s serial=%s apdus=%llu vpcd=%s faults=%zu%s%s",
		 s->inserted ? "inserted" : "removed", s->a->model->key, s->a->ops->serial(s->a),
		 (unsigned long long)s->apdus, link_name(s), s->faults.n, len ? "\n" : "", faults);
}

static bool is_word(const char *line, const char *w)
{
	size_t n = strlen(w);
	return strncmp(line, w, n) == 0 && (line[n] == '\0' || line[n] == ' ');
}

static void control_command(struct server *s, const char *line, char *reply, size_t cap)
{
	if (tm_faults_command(&s->faults, line, reply, cap))
		return;
	if (is_word(line, "remove")) {
		remove_card(s);
		s->inserted = false;
		snprintf(reply, cap, "ok card removed");
	} else if (is_word(line, "insert")) {
		s->inserted = true;
		s->not_before_ms = 0;
		snprintf(reply, cap, "ok card inserted");
	} else if (strcmp(line, "status") == 0 || strcmp(line, "status --json") == 0) {
		control_status(s, strcmp(line, "status") != 0, reply, cap);
	} else {
		snprintf(reply, cap, "error: commands are remove, insert, status [--json], "
				     "fault sw|delay|tear|list|clear ...");
	}
}

static void control_close(struct ctl_client *c)
{
	close(c->fd);
	c->fd = -1;
}

/* A new control client: taken if there is room, else told so. */
static void control_accept(struct server *s)
{
	int fd = accept4(s->ctl_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

	if (fd < 0)
		return;
	for (size_t i = 0; i < CONTROL_CLIENTS; i++) {
		if (s->ctl[i].fd >= 0)
			continue;
		s->ctl[i] = (struct ctl_client){.fd = fd, .deadline_ms = mono_ms() + CONTROL_DEADLINE_MS};
		return;
	}
	static const char busy[] = "error: busy, try again\n";
	if (send(fd, busy, sizeof(busy) - 1, MSG_NOSIGNAL) < 0)
		vlog(s, "control client went away");
	close(fd);
}

/* Reads what a control client has sent; answers once its line is whole
 * (or the line is full, or it closed its end). */
static void control_read(struct server *s, struct ctl_client *c)
{
	char reply[TM_FAULTS_MAX * 200 + 512];

	for (;;) {
		if (c->n == sizeof(c->line) - 1)
			break;
		ssize_t r = recv(c->fd, c->line + c->n, sizeof(c->line) - 1 - c->n, 0);
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return; /* more later: poll says when */
		if (r <= 0)
			break;
		char *nl = memchr(c->line + c->n, '\n', (size_t)r);
		c->n += (size_t)r;
		if (nl != NULL) {
			c->n = (size_t)(nl - c->line);
			break;
		}
	}
	c->line[c->n] = '\0';
	control_command(s, c->line, reply, sizeof(reply));
	vlog(s, "control: %s -> %s", c->line, reply);
	strcat(reply, "\n");
	if (send(c->fd, reply, strlen(reply), MSG_NOSIGNAL) < 0)
		vlog(s, "control client went away");
	control_close(c);
}

/* Clients past their deadline are dropped, told why. */
static void control_expire(struct server *s)
{
	static const char late[] = "error: the request took too long\n";
	uint64_t now = mono_ms();

	for (size_t i = 0; i < CONTROL_CLIENTS; i++) {
		struct ctl_client *c = &s->ctl[i];
		if (c->fd < 0 || now < c->deadline_ms)
			continue;
		if (send(c->fd, late, sizeof(late) - 1, MSG_NOSIGNAL) < 0)
			vlog(s, "control client went away");
		control_close(c);
	}
}

/* --- The loop -------------------------------------------------------- */

static void try_connect(struct server *s)
{
	if (!s->inserted || s->v.fd >= 0 || mono_ms() < s->not_before_ms)
		return;
	if (s->v.listen) {
		/* After a removal: listen again; accept when poll says so. */
		if (tm_vpcd_listen(&s->v) != 0)
			vlog(s, "cannot listen on port %u: %s", s->v.port, strerror(errno));
		return;
	}
	if (tm_vpcd_open(&s->v) == 0) {
		link_opened(s);
	} else if (!s->told_waiting) {
		say(s, "waiting for vpcd at %s:%u (pcscd with vsmartcard-vpcd's reader on that port)",
		    s->v.host, s->v.port);
		s->told_waiting = true;
	}
}

int tm_server_run(struct tm_chip *a, const struct tm_server_opts *o)
{
	static struct server s;
	struct sigaction sa = {.sa_handler = on_signal};

	memset(&s, 0, sizeof(s));
	s.a = a;
	s.o = o;
	s.inserted = true;
	s.ctl_fd = -1;
	for (size_t i = 0; i < CONTROL_CLIENTS; i++)
		s.ctl[i].fd = -1;
	tm_faults_clear(&s.faults);
	tm_vpcd_init(&s.v, o->host, o->port, o->listen);
	snprintf(s.reader, sizeof(s.reader), "tumar-emu/%s@%u", a->model->key, o->port);

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (o->trace_path && (s.trace = tm_trace_open(o->trace_path)) == NULL) {
		fprintf(stderr, "tumar-emu: cannot open the trace file %s: %s\n", o->trace_path,
			strerror(errno));
		return 1;
	}
	if (o->control_path && (s.ctl_fd = control_listen(o->control_path)) < 0) {
		fprintf(stderr, "tumar-emu: cannot make the control socket %s: %s\n",
			o->control_path, strerror(errno));
		return 1;
	}
	/* Bind now, so a busy port is an error at start, not a retry. */
	if (o->listen && tm_vpcd_listen(&s.v) != 0) {
		fprintf(stderr, "tumar-emu: cannot listen on port %u: %s\n", o->port,
			strerror(errno));
		return 1;
	}

	while (!stop) {
		try_connect(&s);
		struct pollfd p[2 + CONTROL_CLIENTS];
		int client_slot[CONTROL_CLIENTS];
		nfds_t n = 0;
		int vpcd_slot = -1, ctl_slot = -1, vpcd_fd = -1;
		bool reading = false;
		if (s.ctl_fd >= 0) {
			ctl_slot = (int)n;
			p[n++] = (struct pollfd){.fd = s.ctl_fd, .events = POLLIN};
		}
		for (size_t i = 0; i < CONTROL_CLIENTS; i++) {
			client_slot[i] = -1;
			if (s.ctl[i].fd < 0)
				continue;
			client_slot[i] = (int)n;
			p[n++] = (struct pollfd){.fd = s.ctl[i].fd, .events = POLLIN};
			reading = true;
		}
		if (s.v.fd >= 0 || (s.v.listen && s.v.listen_fd >= 0 && s.inserted)) {
			vpcd_slot = (int)n;
			vpcd_fd = s.v.fd >= 0 ? s.v.fd : s.v.listen_fd;
			p[n++] = (struct pollfd){.fd = vpcd_fd, .events = POLLIN};
		}
		int waiting = s.inserted && s.v.fd < 0 && !s.v.listen;
		int timeout = waiting || mono_ms() < s.not_before_ms ? RECONNECT_EVERY_MS : -1;
		if (s.link == LINK_OPEN && !s.told_backlog) {
			uint64_t now = mono_ms(), at = s.opened_ms + BACKLOG_HINT_MS;
			if (now >= at) {
				say(&s, "vpcd has not taken the card on port %u yet: it serves one card "
				    "per port, so another token may be in that reader (tumar-emu ctl "
				    "SOCKET status says vpcd=connected once it is)", s.v.port);
				s.told_backlog = true;
			} else if (timeout < 0 || (uint64_t)timeout > at - now) {
				timeout = (int)(at - now);
			}
		}
		if (reading && (timeout < 0 || timeout > 100))
			timeout = 100; /* to see control deadlines pass */
		int r = poll(p, n, timeout);
		if (r < 0)
			continue; /* EINTR: stop is checked above */
		for (size_t i = 0; i < CONTROL_CLIENTS; i++)
			if (client_slot[i] >= 0 && p[client_slot[i]].revents)
				control_read(&s, &s.ctl[i]);
		control_expire(&s);
		if (ctl_slot >= 0 && (p[ctl_slot].revents & POLLIN))
			control_accept(&s);
		/* A control command read above may have pulled the card: then
		 * what poll saw ready is closed, and is no reason to read from
		 * vpcd -- nor to connect again, which would put a removed card
		 * back in the reader. */
		if (vpcd_slot >= 0 && p[vpcd_slot].revents) {
			if (s.v.fd >= 0 && s.v.fd == vpcd_fd)
				handle_frame(&s);
			else if (s.v.fd < 0 && s.v.listen && s.inserted && s.v.listen_fd == vpcd_fd &&
				 tm_vpcd_open(&s.v) == 0)
				link_opened(&s);
		}
	}
	vlog(&s, "stopping");
	for (size_t i = 0; i < CONTROL_CLIENTS; i++)
		if (s.ctl[i].fd >= 0)
			control_close(&s.ctl[i]);
	tm_vpcd_shutdown(&s.v);
	if (s.ctl_fd >= 0) {
		close(s.ctl_fd);
		unlink(o->control_path);
	}
	if (s.trace)
		fclose(s.trace);
	return 0;
}
