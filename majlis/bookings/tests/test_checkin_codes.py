"""The check-in QR code: drawn once per code and process, the same every time."""

import io

import segno
from PIL import Image

from majlis.bookings.calendar import checkin_qr_png, checkin_qr_svg


def test_a_code_is_drawn_once_and_then_given_again_unchanged():
    checkin_qr_png.cache_clear()
    first = checkin_qr_png("ABCD2345")
    again = checkin_qr_png("ABCD2345")
    other = checkin_qr_png("WXYZ6789")

    assert again is first
    assert other != first
    assert checkin_qr_png.cache_info().hits == 1
    assert checkin_qr_svg("ABCD2345") is checkin_qr_svg("ABCD2345")


def test_the_png_is_drawn_eight_pixels_a_module_with_its_quiet_zone():
    png = checkin_qr_png("ABCD2345")
    image = Image.open(io.BytesIO(png))

    # 21 modules (version 1) and 4 of quiet zone each side, 8 pixels a module.
    expected = segno.make_qr("ABCD2345", error="m")
    assert image.size == ((expected.symbol_size(scale=8, border=4)[0],) * 2)


def test_the_png_has_the_pixels_segno_would_draw():
    for checkin_code in ("ABCD2345", "WXYZ6789", "K7M2P9Q4R8"):
        drawn_by_segno = io.BytesIO()
        segno.make_qr(checkin_code, error="m").save(
            drawn_by_segno, kind="png", scale=8, border=4
        )
        ours = Image.open(io.BytesIO(checkin_qr_png(checkin_code)))
        theirs = Image.open(drawn_by_segno)
        assert ours.size == theirs.size
        assert ours.convert("L").tobytes() == theirs.convert("L").tobytes()
