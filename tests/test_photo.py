"""The photo reader (bot/core/photo.py) on photos the tests make: EXIF GPS and time, OCR
of a plate with the network unplugged, captions, and how the photo's findings combine."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from photo_factory import make_photo

from bot.core.models import Citation, Decision, Finding
from bot.core.photo import (
    LOCATION_CODE,
    UNSEEN_CODE,
    PhotoError,
    PhotoReader,
    PhotoReading,
    caption_of,
    exif_facts,
    open_image,
    photo_findings,
    photo_text,
    with_photo,
)


@pytest.fixture(scope="module")
def reader() -> PhotoReader:
    return PhotoReader()


def test_exif_gps_and_capture_time_are_read() -> None:
    data = make_photo(gps=(-33.856784, 151.215297), taken_at="2026:11:30 21:14:05")
    gps, taken = exif_facts(open_image(data))
    assert gps is not None and (round(gps.latitude, 4), round(gps.longitude, 4)) == (
        -33.8568,
        151.2153,
    )
    assert taken == "2026-11-30 21:14"
    assert exif_facts(open_image(make_photo())) == (None, None)
    png = make_photo(fmt="PNG")
    assert exif_facts(open_image(png)) == (None, None)


def test_unreadable_files_get_one_clear_line() -> None:
    for data, words in ((b"", "empty"), (b"GIF89a not really", "not a photo I can read")):
        with pytest.raises(PhotoError, match=words):
            open_image(data)


def test_ocr_reads_a_plate_without_the_network(
    reader: PhotoReader, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*_args: Any, **_kwargs: Any) -> None:
        raise AssertionError("the photo reader tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    fresh = PhotoReader()  # the models load here, offline: they ship inside the wheels
    reading = fresh.read(make_photo(text="7ABC123", gps=(34.05, -118.24)))
    assert "7ABC123" in " ".join(reading.text)
    assert reading.gps is not None and reading.faces == 0 and reading.faces_checked


def test_a_question_is_not_a_caption() -> None:
    for asked in ("Can I post this?", "can i share this photo on facebook?", "ok to post?", ""):
        assert caption_of(asked) == ""
    assert caption_of("Can I post this photo of the new cruiser?") != ""
    reading = PhotoReading(1200, 900, text=("7ABC123", "CALIFORNIA"))
    assert photo_text("Busy day!", reading) == "Busy day!\n\nText in the photo: 7ABC123\nCALIFORNIA"


def test_photo_findings_never_loosen_the_decision() -> None:
    citation = Citation("policy.md", "4.2", "Identifiers", "Do not post personal data.")
    ok = Decision("ok", "OK to post.", (), (citation,), False, 0.9, "v1", finding_citations=())
    reading = PhotoReading(4000, 3000, gps=None, taken_at=None)
    located = PhotoReading(4000, 3000, gps=make_gps())
    findings = photo_findings(located, judged_text=True)
    assert [f.code for f in findings] == [LOCATION_CODE]
    merged = with_photo(ok, located, findings, cite=lambda _f: citation)
    assert merged.verdict == "revise" and merged.citation_for(0) == citation
    assert with_photo(ok, reading, [], cite=lambda _f: None) is ok
    stop = Finding("victim_identity", "do_not_post", "Names a victim.", "Remove it.", (0, 4))
    strict = Decision("do_not_post", "Do not post.", (stop,), (citation,), False, 0.9, "v1",
                      finding_citations=(0,))  # fmt: skip
    unseen = photo_findings(reading, judged_text=False)
    assert [f.code for f in unseen] == [UNSEEN_CODE]
    kept = with_photo(strict, reading, unseen, cite=lambda _f: None)
    assert kept.verdict == "do_not_post" and kept.citation_for(0) == citation


def make_gps() -> Any:
    from bot.core.photo import GpsPosition

    return GpsPosition(34.05, -118.24)
