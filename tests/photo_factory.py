"""Photos made for tests with Pillow: a photo-like background, optionally a plate-like
sign with text, and EXIF data with a GPS position and a capture time."""

from __future__ import annotations

import io
from fractions import Fraction

import numpy as np
from PIL import Image, ImageDraw, ImageFont

GPS_IFD = 0x8825
EXIF_IFD = 0x8769


def _dms(value: float) -> tuple[Fraction, Fraction, Fraction]:
    value = abs(value)
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = Fraction(round((value - degrees - minutes / 60) * 3600 * 100), 100)
    return Fraction(degrees), Fraction(minutes), seconds


def make_photo(
    *,
    size: tuple[int, int] = (1200, 900),
    text: str | None = None,
    gps: tuple[float, float] | None = None,
    taken_at: str | None = None,
    seed: int = 7,
    fmt: str = "JPEG",
) -> bytes:
    """A JPEG (or `fmt`) of `size`; `text` is drawn large on a white plate-like sign."""
    width, height = size
    rng = np.random.default_rng(seed)
    coarse = rng.normal(115, 30, (max(height // 16, 2), max(width // 16, 2), 3))
    image = Image.fromarray(coarse.clip(0, 255).astype("uint8")).resize(size, Image.BILINEAR)
    if text:
        draw = ImageDraw.Draw(image)
        font_size = max(width // 25, 24)
        font = ImageFont.load_default(size=font_size)
        left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
        text_w, text_h = right - left, bottom - top
        x, y = (width - text_w) // 2, int(height * 0.6)
        pad = font_size // 3
        draw.rectangle(
            (x - pad, y - pad, x + text_w + pad, y + text_h + pad * 2),
            fill=(246, 246, 240),
            outline=(25, 25, 25),
            width=max(font_size // 12, 2),
        )
        draw.text((x - left, y - top), text, font=font, fill=(15, 15, 70))
    exif = Image.Exif()
    if gps is not None:
        lat, lon = gps
        exif.get_ifd(GPS_IFD).update(
            {1: "N" if lat >= 0 else "S", 2: _dms(lat), 3: "E" if lon >= 0 else "W", 4: _dms(lon)}
        )
    if taken_at:
        exif.get_ifd(EXIF_IFD)[36867] = taken_at
    buffer = io.BytesIO()
    image.save(buffer, fmt, quality=90, exif=exif) if fmt == "JPEG" else image.save(buffer, fmt)
    return buffer.getvalue()
