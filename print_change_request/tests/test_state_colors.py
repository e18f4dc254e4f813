"""The seven state colours are told apart with every kind of colour vision."""

from odoo.tests import BaseCase, tagged

from ..lib import communication_state as cs
from . import color_vision


@tagged("post_install", "-at_install")
class TestStateColors(BaseCase):
    def test_01_each_state_has_its_own_colour(self):
        colors = [cs.color(key) for key, _label in cs.STATES]
        self.assertEqual(len(set(colors)), len(cs.STATES))
        self.assertNotIn(0, colors, "every state has a colour")

    def test_02_no_two_state_colours_look_alike_even_when_colour_blind(self):
        hexes = [color_vision.ODOO_COLORS[cs.color(key)] for key, _label in cs.STATES]
        distance, vision, first, second = color_vision.closest_pair(hexes)
        self.assertGreaterEqual(
            distance, 12.0, f"{first} and {second} look alike with {vision} ({distance:.1f})"
        )

    def test_03_the_check_sees_what_it_should(self):
        lavender, light_blue = color_vision.ODOO_COLORS[11], color_vision.ODOO_COLORS[4]
        red, orange = color_vision.ODOO_COLORS[1], color_vision.ODOO_COLORS[2]
        # The old New / Job is changed pair, and red against orange for protanopes.
        self.assertLess(color_vision.delta_e(lavender, light_blue, "deuteranopia"), 12.0)
        self.assertLess(
            color_vision.delta_e(red, orange, "protanopia"),
            color_vision.delta_e(red, orange, "normal"),
        )
        self.assertEqual(color_vision.delta_e(red, red, "tritanopia"), 0.0)
