/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tumar-emu's event loop: the vpcd link, the control socket, faults,
 * traces and latency around the applet.
 */
#ifndef TUMAR_EMU_SERVER_H
#define TUMAR_EMU_SERVER_H

#include <stdbool.h>
#include <stdint.h>

#include "emulator/chip.h"

struct tm_server_opts {
	char host[256];
	uint16_t port;
	bool listen;
	const char *trace_path;   /* may be NULL */
	const char *control_path; /* may be NULL */
	bool verbose;
	bool realistic;           /* --latency realistic */
};

/* Runs until SIGINT or SIGTERM; returns the exit status. */
int tm_server_run(struct tm_chip *a, const struct tm_server_opts *o);

#endif
