/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Stop points for crash tests (tumar-emu --stop-at EVENT:N): the emulator
 * stops itself (SIGSTOP) at the Nth time it reaches one named point of
 * its work, so a test can kill -9 it at exactly that point, however fast
 * or loaded the machine is, instead of after a sleep that means
 * something else on every machine.  SIGCONT lets it go on.
 */
#ifndef TUMAR_EMU_STOP_POINT_H
#define TUMAR_EMU_STOP_POINT_H

#include <stdbool.h>

enum tm_stop_event {
	TM_STOP_COMMAND, /* an APDU arrived, nothing done with it yet */
	TM_STOP_WRITE,   /* the new image is in its temporary file, not synced */
	TM_STOP_SYNC,    /* ... synced, not yet renamed over the image */
	TM_STOP_SAVED,   /* the image is replaced and its directory synced */
	TM_STOP_ANSWER,  /* the APDU's answer has been handed to vpcd */
	TM_STOP_EVENTS
};

/* Arms the one stop point "EVENT:N" (N >= 1; EVENT one of command, write,
 * sync, saved, answer).  False for anything else. */
bool tm_stop_at_arm(const char *spec);

/* Counts one occurrence of e; stops the process when it is the armed one. */
void tm_stop_point(enum tm_stop_event e);

#endif
