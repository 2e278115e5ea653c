/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Who made a temporary card object (a session key pair): this process,
 * named so that another process can tell whether its maker still runs.
 * The card keeps the bytes without reading them (protocol.md §5). */
#ifndef TUMAR_DRIVER_OWNER_H
#define TUMAR_DRIVER_OWNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The boot's ID (16 bytes of /proc/sys/kernel/random/boot_id), the PID
 * namespace (4: the inode of /proc/self/ns/pid), the process ID (4) and
 * the process's start time in clock ticks since boot (8): a PID alone is
 * reused, a start time with it is not, and a PID means something only in
 * its namespace (pcscd is often shared with containers). */
#define TM_OWNER_LEN 32

/* This process's owner bytes (TM_OWNER_LEN of them). */
void tm_owner_self(uint8_t out[TM_OWNER_LEN]);
bool tm_owner_is_self(const uint8_t *owner, size_t len);

/* Whether the process named may still run: false when it is known to
 * have ended (another boot, or no such process in our PID namespace);
 * true for a process of another PID namespace, which this one cannot
 * see (its own namespace's processes sweep it).  Bytes of another length:
 * false. */
bool tm_owner_alive(const uint8_t *owner, size_t len);

#endif
