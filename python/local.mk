# SPDX-License-Identifier: LGPL-2.1-or-later
# tumar_test: the Python test API for hardware testers (docs/testing.md,
# "Tests in Python"); the standard library and python3-pyscard only.
tumar_testdir = $(tm_pythondir)/tumar_test
dist_tumar_test_DATA = python/tumar_test/__init__.py python/tumar_test/control.py \
	python/tumar_test/pcsc.py python/tumar_test/stack.py
