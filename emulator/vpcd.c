/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include "vpcd.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

void tm_vpcd_init(struct tm_vpcd *v, const char *host, uint16_t port, bool listen)
{
	memset(v, 0, sizeof(*v));
	snprintf(v->host, sizeof(v->host), "%s", host ? host : "localhost");
	v->port = port;
	v->listen = listen;
	v->listen_fd = -1;
	v->fd = -1;
}

static void tune(int fd)
{
	int one = 1;

	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof(one));
}

static int connect_to(const char *host, uint16_t port)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res, *ai;
	char service[8];
	int fd = -1;

	snprintf(service, sizeof(service), "%u", port);
	if (getaddrinfo(host, service, &hints, &res) != 0)
		return -1;
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0)
			continue;
		/* A port whose listen backlog is full drops the SYN, and a
		 * blocking connect would wait minutes with the control socket
		 * unserved: Linux bounds connect by SO_SNDTIMEO (socket(7)).
		 * Cleared again once connected, so answers are never cut. */
		struct timeval bound = {.tv_sec = 1}, none = {0};
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &bound, sizeof(bound));
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0 &&
		    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &none, sizeof(none)) == 0)
			break;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

/* Binds host:port.  "localhost" (what --listen PORT means) is 127.0.0.1:
 * the link carries PINs in the clear and has no authentication, so it
 * is offered to other machines only when an address says so. */
static int listen_on(const char *host, uint16_t port)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
				 .ai_flags = AI_PASSIVE | AI_NUMERICSERV}, *res, *ai;
	char service[8];
	int one = 1, fd = -1;

	snprintf(service, sizeof(service), "%u", port);
	if (strcmp(host, "localhost") == 0)
		host = "127.0.0.1";
	if (getaddrinfo(host, service, &hints, &res) != 0)
		return -1;
	for (ai = res; ai != NULL && fd < 0; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (fd < 0)
			continue;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, 1) != 0) {
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(res);
	return fd;
}

int tm_vpcd_listen(struct tm_vpcd *v)
{
	if (v->listen_fd >= 0)
		return 0;
	v->listen_fd = listen_on(v->host, v->port);
	return v->listen_fd >= 0 ? 0 : -1;
}

int tm_vpcd_open(struct tm_vpcd *v)
{
	if (v->fd >= 0)
		return 0;
	if (!v->listen)
		v->fd = connect_to(v->host, v->port);
	else if (v->listen_fd >= 0)
		v->fd = accept4(v->listen_fd, NULL, NULL, SOCK_CLOEXEC); /* blocking */
	if (v->fd < 0)
		return -1;
	tune(v->fd);
	return 0;
}

void tm_vpcd_close(struct tm_vpcd *v)
{
	if (v->fd >= 0)
		close(v->fd);
	v->fd = -1;
}

void tm_vpcd_shutdown(struct tm_vpcd *v)
{
	tm_vpcd_close(v);
	if (v->listen_fd >= 0)
		close(v->listen_fd);
	v->listen_fd = -1;
}

/*
 * Reads n bytes, re-arming TCP_QUICKACK after every recv().  vpcd writes
 * a frame's 2-byte length and its body in two sends without TCP_NODELAY,
 * so Nagle holds the body back until the length is ACKed.  Linux leaves
 * quick-ACK mode by itself (tcp(7)); setting TCP_QUICKACK again also
 * sends an ACK that is pending, so the body follows at once instead of
 * after the ~40 ms delayed-ACK timer.
 */
static int read_exact(int fd, uint8_t *p, size_t n)
{
	int one = 1;

	while (n > 0) {
		ssize_t r = recv(fd, p, n, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof(one));
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

int tm_vpcd_recv(struct tm_vpcd *v, uint8_t *buf, size_t cap, size_t *len)
{
	uint8_t hdr[2];

	if (v->fd < 0 || read_exact(v->fd, hdr, 2) != 0)
		return -1;
	size_t n = (size_t)hdr[0] << 8 | hdr[1];
	if (n > cap || read_exact(v->fd, buf, n) != 0)
		return -1;
	*len = n;
	return 0;
}

int tm_vpcd_send(struct tm_vpcd *v, const uint8_t *data, size_t len)
{
	static uint8_t frame[2 + TM_VPCD_MAX_FRAME];
	size_t off = 0;

	if (v->fd < 0 || len > TM_VPCD_MAX_FRAME)
		return -1;
	frame[0] = (uint8_t)(len >> 8);
	frame[1] = (uint8_t)len;
	memcpy(frame + 2, data, len);
	/* One send() for the whole frame: with TCP_NODELAY it leaves in one
	 * segment, and vpcd's two reads never wait on each other. */
	while (off < len + 2) {
		ssize_t w = send(v->fd, frame + off, len + 2 - off, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		off += (size_t)w;
	}
	return 0;
}

int tm_vpcd_parse_address(const char *s, char *host, size_t host_cap, uint16_t *port)
{
	const char *colon = strrchr(s, ':');
	char *end;
	long p = TM_VPCD_DEFAULT_PORT;

	if (colon == NULL && s[0] >= '0' && s[0] <= '9' && strspn(s, "0123456789") == strlen(s)) {
		snprintf(host, host_cap, "localhost");
		colon = s - 1;
	} else if (colon == NULL) {
		snprintf(host, host_cap, "%s", s);
		*port = (uint16_t)p;
		return host[0] ? 0 : -1;
	} else {
		if ((size_t)(colon - s) >= host_cap || colon == s)
			return -1;
		memcpy(host, s, (size_t)(colon - s));
		host[colon - s] = '\0';
	}
	errno = 0;
	p = strtol(colon + 1, &end, 10);
	if (errno || *end || end == colon + 1 || p < 1 || p > 65535)
		return -1;
	*port = (uint16_t)p;
	return 0;
}
