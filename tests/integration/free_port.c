/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Prints a TCP port P such that P and P+1 are both free: vpcd serves two
 * readers, on its port and the next.  Tests then start on ports nobody
 * else uses, so two copies of a test can run side by side. */
#include <config.h>

#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int try_bind(unsigned port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				.sin_addr.s_addr = htonl(INADDR_ANY)};
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) != 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return ntohs(a.sin_port);
}

int main(void)
{
	for (int i = 0; i < 100; i++) {
		int p = try_bind(0); /* the kernel picks a free one */
		if (p > 0 && p < 65535 && try_bind((unsigned)p + 1) == p + 1) {
			printf("%d\n", p);
			return 0;
		}
	}
	fprintf(stderr, "free-port: no two free ports in a row\n");
	return 1;
}
