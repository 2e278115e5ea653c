/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Replays a fuzz target over its seed corpus, one TAP test per input.
 * The corpus is $TM_CORPUS_DIR/<program name>/, or the directories and
 * files given as arguments.  A crash or sanitizer report ends the program,
 * which the test harness reports as a failure.
 */
#include <config.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static int run_file(const char *path, int n)
{
	FILE *f = fopen(path, "rb");
	long size;
	unsigned char *buf;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		printf("not ok %d - %s: cannot read\n", n, path);
		if (f)
			fclose(f);
		return 1;
	}
	/* An exact-size copy, so reads past the end are caught by ASan. */
	buf = malloc(size > 0 ? (size_t)size : 1);
	if (buf == NULL || fread(buf, 1, (size_t)size, f) != (size_t)size) {
		printf("not ok %d - %s: cannot read\n", n, path);
		free(buf);
		fclose(f);
		return 1;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf, (size_t)size);
	free(buf);
	printf("ok %d - %s\n", n, path);
	fflush(stdout);
	return 0;
}

static int skip_dots(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

static int run_dir(const char *dir, int *n)
{
	struct dirent **list;
	int count = scandir(dir, &list, skip_dots, alphasort);
	int failed = 0;

	if (count < 0) {
		printf("not ok %d - %s: cannot list the corpus\n", ++*n, dir);
		return 1;
	}
	for (int i = 0; i < count; i++) {
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s", dir, list[i]->d_name);
		failed += run_file(path, ++*n);
		free(list[i]);
	}
	free(list);
	if (count == 0) {
		printf("not ok %d - %s: no seed inputs\n", ++*n, dir);
		failed++;
	}
	return failed;
}

int main(int argc, char **argv)
{
	char dir[4096];
	int n = 0, failed = 0;

	if (argc > 1) {
		for (int i = 1; i < argc; i++) {
			struct stat st;
			if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode))
				failed += run_dir(argv[i], &n);
			else
				failed += run_file(argv[i], ++n);
		}
	} else {
		const char *base = getenv("TM_CORPUS_DIR");
		const char *name = strrchr(argv[0], '/');
		name = name ? name + 1 : argv[0];
		if (strncmp(name, "lt-", 3) == 0)
			name += 3;
		if (base == NULL) {
			fprintf(stderr, "%s: set TM_CORPUS_DIR or name seed files\n", name);
			return 2;
		}
		snprintf(dir, sizeof(dir), "%s/%s", base, name);
		failed += run_dir(dir, &n);
	}
	printf("1..%d\n", n);
	return failed ? 1 : 0;
}
