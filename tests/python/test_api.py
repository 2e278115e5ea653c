# SPDX-License-Identifier: LGPL-2.1-or-later
"""tumar_test's own behaviour: two tokens in one stack, each in its own
reader; refusals and a missing socket as ControlError; 61xx answers
joined by GET RESPONSE."""

import os
import unittest

from tumar_test import Control, ControlError, PcscError, Stack, readers


class ApiTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = Stack()
        cls.kaztoken = cls.stack.start("kaztoken")
        cls.jacarta = cls.stack.start("jacarta-pki")

    @classmethod
    def tearDownClass(cls):
        cls.stack.stop()

    def test_two_tokens_two_readers(self):
        self.assertNotEqual(self.kaztoken.reader, self.jacarta.reader)
        present = dict(readers())
        self.assertTrue(present[self.kaztoken.reader])
        self.assertTrue(present[self.jacarta.reader])
        self.assertEqual(self.kaztoken.status()["model"], "kaztoken")
        self.assertEqual(self.jacarta.status()["model"], "jacarta-pki")
        with self.jacarta.connect() as j, self.kaztoken.connect() as k:
            self.assertNotEqual(j.atr(), k.atr())

    def test_a_refused_request_raises_with_the_emulators_words(self):
        with self.assertRaises(ControlError) as e:
            self.kaztoken.control.fault("sw 2A 12")
        self.assertIn("error:", str(e.exception))
        self.assertEqual(self.kaztoken.status()["faults"], [])

    def test_a_missing_socket_raises(self):
        with self.assertRaises(ControlError):
            Control(os.path.join(self.stack.state_dir, "no.ctl")).status()

    def test_get_response_joins_61xx(self):
        # Card information asked with Le = 4: the card answers 4 bytes and
        # 61xx; transmit() fetches the rest, as one answer.
        with self.kaztoken.connect() as card:
            self.assertEqual(card.transmit("00 A4 04 0C 07 F0 54 55 4D 41 52 01").sw, 0x9000)
            whole = card.transmit("00 CA 00 A5 00")
            self.assertEqual(whole.sw, 0x9000)
            part = card.transmit("00 CA 00 A5 04", get_response=False)
            self.assertEqual((part.sw1, part.data), (0x61, whole.data[:4]))
            joined = card.transmit("00 CA 00 A5 04")
            self.assertEqual((joined.sw, joined.data), (0x9000, whole.data))

    def test_a_61xx_that_never_ends_is_an_error_not_a_hang(self):
        with self.kaztoken.connect() as card:
            self.kaztoken.control.fault("sw * 6100 count=forever")
            try:
                with self.assertRaises(PcscError) as e:
                    card.transmit("00 84 00 00 08")
                self.assertIn("256 GET RESPONSE", str(e.exception))
            finally:
                self.kaztoken.control.clear_faults()


class StopTest(unittest.TestCase):
    def test_stop_ends_what_it_started_and_removes_its_state(self):
        stack = Stack()
        token = stack.start("etoken-pro-72k")
        pids = [token.pid, int(open(os.path.join(stack.state_dir, "pcscd.pid")).read())]
        stack.stop()
        for pid in pids:
            with self.assertRaises(ProcessLookupError):
                os.kill(pid, 0)
        self.assertFalse(os.path.exists(stack.state_dir))
        with self.assertRaises(PcscError) as e:  # no pcscd, so no reader
            readers()
        self.assertEqual(e.exception.code, 0x8010001D)  # SCARD_E_NO_SERVICE


if __name__ == "__main__":
    unittest.main()
