"""The seven state colors are told apart with every kind of color vision."""

from odoo.tests import BaseCase, tagged

from ..lib import communication_state as cs
from . import color_vision


@tagged("post_install", "-at_install")
class TestStateColors(BaseCase):
    def test_01_each_state_has_its_own_color(self):
        colors = [cs.color(key) for key, _label in cs.STATES]
        self.assertEqual(len(set(colors)), len(cs.STATES))
        self.assertNotIn(0, colors, "every state has a color")

    def test_02_no_two_state_colors_look_alike_even_when_color_blind(self):
        hexes = [color_vision.ODOO_COLORS[cs.color(key)] for key, _label in cs.STATES]
        distance, vision, first, second = color_vision.closest_pair(hexes)
        self.assertGreaterEqual(
            distance, 12.0, f"{first} and {second} look alike with {vision} ({distance:.1f})"
        )
