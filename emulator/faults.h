/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Faults a hardware tester injects into a running virtual token (through
 * the control socket, docs/emulator.md): a chosen status word, a delay,
 * or power torn away in the middle of an APDU.  Each fault matches the
 * commands it applies to (any, or one INS, optionally one P1P2), starts
 * at the Nth such command and fires a number of times (or for ever).
 * Up to TM_FAULTS_MAX are armed at once; each has an ID for `fault clear
 * ID`, and `status` lists what is armed in the words the arming reply
 * used.
 */
#ifndef TUMAR_EMU_FAULTS_H
#define TUMAR_EMU_FAULTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TM_FAULTS_MAX 16

enum tm_fault_kind { TM_FAULT_SW, TM_FAULT_DELAY, TM_FAULT_TEAR };

struct tm_fault {
	unsigned id;
	enum tm_fault_kind kind;
	int ins;           /* -1: any command */
	int p1p2;          /* -1: any P1P2 */
	long skip;         /* matching commands still to let pass */
	long count;        /* firings left; -1: for ever */
	uint16_t sw;       /* TM_FAULT_SW */
	unsigned delay_ms; /* TM_FAULT_DELAY */
};

struct tm_faults {
	struct tm_fault armed[TM_FAULTS_MAX];
	size_t n;
	unsigned next_id;
};

/* What the faults do to one APDU.  At most one of tear and sw: a tear
 * wins (the card never answers), and of several status-word faults the
 * oldest answers; the others keep their turn for the next such command.
 * Delays add up. */
struct tm_fault_hit {
	bool tear;
	uint16_t sw; /* 0: none */
	unsigned delay_ms;
};

void tm_faults_clear(struct tm_faults *f);

/* Runs one control command line starting "fault" against f, writing the
 * reply ("ok ..." or "error: ...", lines separated by '\n', no final
 * newline) into reply.  Returns false when the line is not a fault
 * command at all.  The grammar is in docs/emulator.md and in the error
 * reply. */
bool tm_faults_command(struct tm_faults *f, const char *line, char *reply, size_t cap);

/* Applies the armed faults to one APDU (counting it for every fault it
 * matches) and says what they do to it. */
struct tm_fault_hit tm_faults_apply(struct tm_faults *f, const uint8_t *apdu, size_t len);

/* One line per armed fault, "fault ID: ...", each ending in '\n'. */
void tm_faults_list(const struct tm_faults *f, char *out, size_t cap);

/* The armed faults as a JSON array. */
void tm_faults_json(const struct tm_faults *f, char *out, size_t cap);

#endif
