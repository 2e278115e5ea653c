/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Plays vpcd toward a tumar-emu started with --listen PORT: powers the
 * card on, prints its ATR, then sends each hex APDU read from stdin and
 * prints the response in hex, one a line.  Lets tests drive the emulator
 * over its real socket without pcscd (the crash test kills it mid-APDU).
 */
#include <config.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "apdu/apdu.h"
#include "tests/support/script.h"

static int fd = -1;

static int xfer(const uint8_t *out, size_t n, uint8_t *in, size_t cap, size_t *got)
{
	uint8_t hdr[2] = {(uint8_t)(n >> 8), (uint8_t)n};

	if (send(fd, hdr, 2, MSG_NOSIGNAL) != 2 ||
	    send(fd, out, n, MSG_NOSIGNAL) != (ssize_t)n)
		return -1;
	if (in == NULL)
		return 0; /* power on/off: no answer */
	if (recv(fd, hdr, 2, MSG_WAITALL) != 2)
		return -1;
	size_t len = (size_t)hdr[0] << 8 | hdr[1];
	if (len > cap || (len && recv(fd, in, len, MSG_WAITALL) != (ssize_t)len))
		return -1;
	*got = len;
	return 0;
}

static void print_hex(const char *prefix, const uint8_t *p, size_t n)
{
	printf("%s", prefix);
	for (size_t i = 0; i < n; i++)
		printf("%02X", p[i]);
	printf("\n");
	fflush(stdout);
}

int main(int argc, char **argv)
{
	static uint8_t cmd[TM_APDU_MAX_COMMAND], resp[65536];
	static char line[2 * TM_APDU_MAX_COMMAND + 8];
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	size_t n;
	int one = 1;

	if (argc != 2 || atoi(argv[1]) <= 0) {
		fprintf(stderr, "usage: vpcd-client PORT < apdus.hex\n");
		return 2;
	}
	a.sin_port = htons((uint16_t)atoi(argv[1]));
	fd = socket(AF_INET, SOCK_STREAM, 0);
	/* The emulator may still be starting: on a loaded machine, or under
	 * ASan, that can take seconds.  30 s only bounds a start that hangs. */
	for (int i = 0; i < 1500; i++) {
		if (connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0)
			break;
		if (i == 1499) {
			perror("vpcd-client: connect");
			return 1;
		}
		usleep(20000);
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	const uint8_t power_on = 0x01, get_atr = 0x04;
	if (xfer(&power_on, 1, NULL, 0, NULL) != 0 ||
	    xfer(&get_atr, 1, resp, sizeof(resp), &n) != 0)
		return 1;
	print_hex("ATR ", resp, n);
	while (fgets(line, sizeof(line), stdin) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '\0' || line[0] == '#')
			continue;
		long len = tm_hex_decode(line, cmd, sizeof(cmd));
		if (len < 4) {
			fprintf(stderr, "vpcd-client: bad APDU line: %s\n", line);
			return 2;
		}
		if (xfer(cmd, (size_t)len, resp, sizeof(resp), &n) != 0) {
			fprintf(stderr, "vpcd-client: the card went away\n");
			return 1;
		}
		print_hex("", resp, n);
	}
	close(fd);
	return 0;
}
