/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tumar-tool: outputs created before the token is touched
 * (tools/tool_out.h). */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tools/tool.h"
#include "tools/tool_out.h"

bool tt_out_open(struct tt_out *o, const char *path)
{
	size_t n = strlen(path);
	int fd;

	o->path = path;
	o->tmp = NULL;
	o->f = NULL;
	if (strcmp(path, "-") == 0) {
		o->f = stdout;
		return true;
	}
	if (n == 0 || path[n - 1] == '/') {
		tt_err("%s: not a file name", path);
		return false;
	}
	if ((o->tmp = malloc(n + sizeof(".XXXXXX"))) == NULL) {
		tt_err("out of memory");
		return false;
	}
	memcpy(o->tmp, path, n);
	memcpy(o->tmp + n, ".XXXXXX", sizeof(".XXXXXX"));
	/* mkstemp makes it 0600; it gets the mode fopen() would have given
	 * (the umask's), as the user expects of a request or a signature. */
	mode_t mask = umask(0);
	umask(mask);
	if ((fd = mkstemp(o->tmp)) < 0 || fchmod(fd, 0666 & ~mask) != 0 ||
	    (o->f = fdopen(fd, "wb")) == NULL) {
		int e = errno;
		if (fd >= 0) {
			close(fd);
			unlink(o->tmp);
		}
		tt_err("%s: cannot write there (%s); nothing was done on the token", path,
		       strerror(e));
		free(o->tmp);
		o->tmp = NULL;
		return false;
	}
	return true;
}

bool tt_out_commit(struct tt_out *o)
{
	bool ok;

	if (o->f == NULL)
		return false;
	if (o->tmp == NULL) {
		ok = fflush(o->f) == 0;
		o->f = NULL;
		if (!ok)
			tt_err("could not write to the standard output");
		return ok;
	}
	ok = fflush(o->f) == 0 && fsync(fileno(o->f)) == 0;
	ok = fclose(o->f) == 0 && ok;
	o->f = NULL;
	if (ok && rename(o->tmp, o->path) != 0)
		ok = false;
	if (!ok) {
		tt_err("%s: could not write it (%s)", o->path, strerror(errno));
		unlink(o->tmp);
	}
	free(o->tmp);
	o->tmp = NULL;
	return ok;
}

void tt_out_abort(struct tt_out *o)
{
	if (o->tmp != NULL) {
		if (o->f != NULL)
			fclose(o->f);
		unlink(o->tmp);
		free(o->tmp);
	}
	o->tmp = NULL;
	o->f = NULL;
}
