/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Faults a hardware tester injects into a running virtual token (through
 * the control socket, docs/emulator.md): a chosen status word for a
 * chosen instruction, a delay on every response, and power torn away in
 * the middle of a chosen APDU.
 */
#ifndef TUMAR_EMU_FAULTS_H
#define TUMAR_EMU_FAULTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tm_faults {
	int sw_ins;        /* -1: no status-word fault */
	uint16_t sw;
	long sw_count;     /* answers left; -1: every time */
	unsigned delay_ms; /* added before every response */
	long tear_in;      /* -1: none; 0: tear the next APDU; n: after n APDUs */
};

void tm_faults_clear(struct tm_faults *f);

/* Runs one control command line ("fault sw 2A 6F00 1", "fault delay 50",
 * "fault tear 3", "fault clear") against f; writes the reply ("ok ..." or
 * "error: ...") into reply.  Returns true when the command was a fault
 * command at all. */
bool tm_faults_command(struct tm_faults *f, const char *line, char *reply, size_t cap);

/* For an APDU with this INS: the injected SW, or 0 for none. */
uint16_t tm_faults_take_sw(struct tm_faults *f, uint8_t ins);

/* True when this APDU is the one to tear. */
bool tm_faults_take_tear(struct tm_faults *f);

#endif
