/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A slow control client, for the emulator's control socket test: it
 * connects and sends one byte every half second, never ending its line,
 * until the emulator hangs up.  Prints "connected", then what the
 * emulator answered.
 *
 *   ctl-trickle SOCKET
 */
#include <config.h>

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	char reply[256];

	if (argc != 2 || strlen(argv[1]) >= sizeof(a.sun_path)) {
		fprintf(stderr, "usage: ctl-trickle SOCKET\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	strcpy(a.sun_path, argv[1]);
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
		perror("ctl-trickle: connect");
		return 1;
	}
	printf("connected\n");
	fflush(stdout);
	/* "status" one byte at a time, with no end of line. */
	for (int i = 0; send(fd, &"status"[i % 6], 1, MSG_NOSIGNAL) == 1; i++) {
		struct timeval tv = {0, 500000};
		fd_set r;
		FD_ZERO(&r);
		FD_SET(fd, &r);
		if (select(fd + 1, &r, NULL, NULL, &tv) > 0)
			break; /* the emulator said something, or hung up */
	}
	ssize_t n = recv(fd, reply, sizeof(reply) - 1, 0);
	reply[n > 0 ? n : 0] = '\0';
	printf("%s", n > 0 ? reply : "(hung up)\n");
	close(fd);
	return 0;
}
