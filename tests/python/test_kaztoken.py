# SPDX-License-Identifier: LGPL-2.1-or-later
"""An example of a hardware tester's test, written with tumar_test: a
virtual Kaztoken in a private stack, driven by APDUs through pcsc-lite and
by its control socket.  Run it as root:

    python3 -m unittest -v test_kaztoken
"""

import unittest

from tumar_test import PcscError, Stack

SELECT_TUMAR = "00 A4 04 0C 07 F0 54 55 4D 41 52 01"
VERIFY_STATUS = "00 20 00 81"  # no data: tries left, and no try spent


def verify(pin):
    return bytes.fromhex("00200081") + bytes([len(pin)]) + pin.encode()


class KaztokenTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = Stack()
        cls.token = cls.stack.start("kaztoken")

    @classmethod
    def tearDownClass(cls):
        cls.stack.stop()

    def setUp(self):
        self.card = self.token.connect()
        self.assertEqual(self.card.transmit(SELECT_TUMAR).sw, 0x9000)

    def tearDown(self):
        self.card.close()
        self.token.control.clear_faults()

    def test_atr_is_the_kaztoken_one(self):
        self.assertEqual(self.card.atr().hex().upper(), "3B88014B415A544F4B454E82")

    def test_wrong_pin_spends_a_try_and_the_right_one_restores_them(self):
        self.assertEqual(self.card.transmit(VERIFY_STATUS).sw, 0x63CA)
        self.assertEqual(self.card.transmit(verify("00000000")).sw, 0x63C9)
        self.assertEqual(self.card.transmit(VERIFY_STATUS).sw, 0x63C9)
        self.assertEqual(self.card.transmit(verify("12345678")).sw, 0x9000)
        self.assertEqual(self.card.transmit(VERIFY_STATUS).sw, 0x9000)

    def test_a_fault_answers_once_and_is_listed_until_then(self):
        fid = self.token.control.fault("sw 84 6581 count=1")
        faults = self.token.status()["faults"]
        self.assertEqual([(f["id"], f["kind"], f["ins"], f["sw"]) for f in faults],
                         [(fid, "sw", "84", "6581")])
        self.assertEqual(self.card.transmit("00 84 00 00 08").sw, 0x6581)
        r = self.card.transmit("00 84 00 00 08")
        self.assertEqual((r.sw, len(r.data)), (0x9000, 8))
        self.assertEqual(self.token.status()["faults"], [])

    def test_a_pulled_card_fails_the_transmit_and_comes_back(self):
        self.token.remove()
        with self.assertRaises(PcscError) as e:
            self.card.transmit(VERIFY_STATUS)
        self.assertIn(e.exception.code & 0xFFFFFFFF,
                      (0x80100069, 0x80100068, 0x8010000C))  # removed, reset, no smart card
        self.assertFalse(self.token.status()["inserted"])
        self.token.insert()
        self.card.close()
        self.card = self.token.connect()
        self.assertEqual(self.card.transmit(SELECT_TUMAR).sw, 0x9000)


if __name__ == "__main__":
    unittest.main()
