"""The state rules alone, without a database."""

from odoo.tests import BaseCase, tagged

from ..lib import communication_state as cs


@tagged("post_install", "-at_install")
class TestCommunicationStateRules(BaseCase):
    def test_01_order_shows_state_needing_most_attention(self):
        self.assertEqual(
            cs.order_state([cs.NEW, cs.CHANGE_REQUESTED, cs.ACCEPTED]), cs.CHANGE_REQUESTED
        )
        self.assertEqual(cs.order_state([cs.NEW, cs.CHANGED]), cs.CHANGED)
        self.assertEqual(cs.order_state([cs.ACCEPTED, cs.NEW]), cs.NEW)
        self.assertEqual(cs.order_state([cs.DISPATCHED, cs.ACCEPTED]), cs.ACCEPTED)
        self.assertEqual(cs.order_state([cs.FINALIZED, cs.DISPATCHED]), cs.DISPATCHED)
        self.assertEqual(cs.order_state([cs.FINALIZED]), cs.FINALIZED)

    def test_02_precedence_is_total_over_live_states(self):
        for stronger_index, stronger in enumerate(cs.PRECEDENCE):
            for weaker in cs.PRECEDENCE[stronger_index + 1 :]:
                with self.subTest(stronger=stronger, weaker=weaker):
                    self.assertEqual(cs.order_state([weaker, stronger]), stronger)
                    self.assertEqual(cs.order_state([stronger, weaker, cs.CANCELED]), stronger)

    def test_03_canceled_jobs_ignored_unless_all_canceled(self):
        self.assertEqual(cs.order_state([cs.CANCELED, cs.ACCEPTED]), cs.ACCEPTED)
        self.assertEqual(cs.order_state([cs.CANCELED, cs.CANCELED]), cs.CANCELED)

    def test_04_order_without_jobs_is_new(self):
        self.assertEqual(cs.order_state([]), cs.NEW)

    def test_05_unknown_state_is_refused(self):
        with self.assertRaises(ValueError):
            cs.order_state(["bogus"])

    def test_06_every_state_has_its_own_color_and_a_decoration(self):
        keys = [key for key, _label in cs.STATES]
        self.assertEqual(set(cs.COLORS), set(keys))
        self.assertEqual(set(cs.DECORATIONS), set(keys))
        self.assertEqual(len(set(cs.COLORS.values())), len(keys), "two states share a color")
        self.assertNotIn(0, cs.COLORS.values(), "0 is Odoo's 'no color'")
        self.assertNotEqual(cs.color(cs.CHANGE_REQUESTED), cs.color(cs.CHANGED))
        self.assertEqual(cs.color(False), 0)

    def test_07_dispatched_and_finalized_are_locked(self):
        self.assertEqual(cs.TRANSITIONS[cs.FINALIZED], set())
        self.assertEqual(cs.TRANSITIONS[cs.DISPATCHED], {cs.FINALIZED})
        self.assertTrue(cs.is_locked(cs.DISPATCHED))
        self.assertTrue(cs.is_locked(cs.FINALIZED))
        self.assertFalse(cs.is_locked(cs.ACCEPTED))
        for state in (cs.NEW, cs.CHANGE_REQUESTED, cs.ACCEPTED, cs.CANCELED):
            self.assertFalse(cs.can_move(cs.DISPATCHED, state))
            self.assertFalse(cs.can_move(cs.FINALIZED, state))

    def test_08_transitions_follow_the_loop(self):
        self.assertTrue(cs.can_move(cs.NEW, cs.CHANGE_REQUESTED))
        self.assertTrue(cs.can_move(cs.CHANGE_REQUESTED, cs.CHANGED))
        self.assertTrue(cs.can_move(cs.CHANGED, cs.CHANGE_REQUESTED))
        self.assertTrue(cs.can_move(cs.CHANGED, cs.ACCEPTED))
        self.assertFalse(
            cs.can_move(cs.NEW, cs.CHANGED), "only the customer's answer changes a job"
        )
        self.assertFalse(cs.can_move(cs.NEW, cs.DISPATCHED), "dispatch needs acceptance first")
        self.assertFalse(cs.can_move(cs.ACCEPTED, cs.CHANGE_REQUESTED))
        self.assertFalse(cs.can_move(cs.CANCELED, cs.NEW))
