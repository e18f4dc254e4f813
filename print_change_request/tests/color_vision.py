"""How far apart two colors look, for everyone: normal vision and the three kinds of
dichromacy (protanopia, deuteranopia, tritanopia).

Plain Python, no ORM.  Color-blindness is simulated with the matrices of Machado, Oliveira
and Fernandes (2009, severity 1.0) applied to linear sRGB; the distance is CIE76 delta E in
CIELAB (D65).  A delta E around 2 is barely noticeable; above 10 two colors are told apart
at a glance.
"""

import itertools

#: Odoo's color palette (web/static/src/scss/secondary_variables.scss, ``$o-colors``):
#: index -> hex.  Index 0 means "no color".
ODOO_COLORS = (
    "#a2a2a2",
    "#ee2d2d",
    "#dc8534",
    "#e8bb1d",
    "#5794dd",
    "#9f628f",
    "#db8865",
    "#41a9a2",
    "#304be0",
    "#ee2f8a",
    "#61c36e",
    "#9872e6",
)

VISIONS = {
    "normal": None,
    "protanopia": (
        (0.152286, 1.052583, -0.204868),
        (0.114503, 0.786281, 0.099216),
        (-0.003882, -0.048116, 1.051998),
    ),
    "deuteranopia": (
        (0.367322, 0.860646, -0.227968),
        (0.280085, 0.672501, 0.047413),
        (-0.011820, 0.042940, 0.968881),
    ),
    "tritanopia": (
        (1.255528, -0.076749, -0.178779),
        (-0.078411, 0.930809, 0.147602),
        (0.004733, 0.691367, 0.303900),
    ),
}


def _linear(channel):
    value = channel / 255
    return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4


def _lab(linear_rgb):
    red, green, blue = linear_rgb
    x = (0.4124 * red + 0.3576 * green + 0.1805 * blue) / 0.95047
    y = 0.2126 * red + 0.7152 * green + 0.0722 * blue
    z = (0.0193 * red + 0.1192 * green + 0.9505 * blue) / 1.08883

    def f(t):
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    return (116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z)))


def seen_as(hex_color, vision="normal"):
    """CIELAB of ``hex_color`` ("#rrggbb") as seen with ``vision`` (a key of VISIONS)."""
    rgb = [_linear(int(hex_color[index : index + 2], 16)) for index in (1, 3, 5)]
    matrix = VISIONS[vision]
    if matrix:
        rgb = [
            max(0.0, min(1.0, sum(m * v for m, v in zip(row, rgb, strict=True)))) for row in matrix
        ]
    return _lab(rgb)


def delta_e(hex_a, hex_b, vision="normal"):
    """CIE76 distance between two colors as seen with ``vision``."""
    lab_a, lab_b = seen_as(hex_a, vision), seen_as(hex_b, vision)
    return sum((a - b) ** 2 for a, b in zip(lab_a, lab_b, strict=True)) ** 0.5


def closest_pair(hex_colors):
    """(delta E, vision, color a, color b) of the two colors that look most alike, over
    every kind of vision."""
    return min(
        (delta_e(a, b, vision), vision, a, b)
        for vision in VISIONS
        for a, b in itertools.combinations(hex_colors, 2)
    )
