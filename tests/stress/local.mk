# SPDX-License-Identifier: LGPL-2.1-or-later
# tests/stress/: hardening at scale (docs/testing.md).  make check runs
# each script in its short form; make stress runs the long forms
# (TM_STRESS_LONG=1), whose figures docs/testing.md records.
stress_tests = \
	tests/stress/card_pulls.sh \
	tests/stress/crash_points.sh \
	tests/stress/limits.sh \
	tests/stress/threads.sh
TESTS += $(stress_tests)
EXTRA_DIST += $(stress_tests)

# (tests/unit/test_p11_threads is the threads' in-process half, the one
# CI's ThreadSanitizer build runs.)
stress: all
	TM_STRESS_LONG=1 TM_THREAD_SIGNATURES=1000 $(MAKE) $(AM_MAKEFLAGS) check \
		TESTS="$(stress_tests) tests/unit/test_p11_threads"
.PHONY: stress
