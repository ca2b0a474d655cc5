"""Reading a photo an officer wants to post, in memory and offline.

What a photo reveals beyond what it shows: its EXIF data (the GPS position and the time it
was taken), the text in it (plates, names, badge and case numbers, screens, paperwork),
read by OCR, and how many faces it shows. The OCR models ship inside the
`rapidocr-onnxruntime` wheel and the face detector (a Haar cascade) inside the
`opencv-python` wheel: nothing is downloaded at run time. The bytes are never written to
disk here.

`read_photo` turns bytes into a `PhotoReading`; `photo_text` is what the engine judges (the
caption, then the photo's text); `with_photo` adds what the photo's data and faces mean to
the engine's decision, never loosening it.
"""

from __future__ import annotations

import io
import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from bot.core.errors import InputError
from bot.core.models import Citation, Decision, Finding, is_looser
from bot.core.verdict import summarize, verdict_for

MAX_PIXELS = 60_000_000  # a 12-MP phone photo is 12; anything far larger is refused
MAX_BYTES = 30 * 1024 * 1024
OCR_SIDE = 1024  # the long side OCR reads at: 12 MP within the 3 s budget on 2 busy cores
FACE_SIDE = 640  # faces smaller than ~1/30 of the photo are not counted
MIN_TEXT_SCORE = 0.6
IMAGE_TYPES = ("image/jpeg", "image/png", "image/webp", "image/heic", "image/gif", "image/tiff")

_GPS_IFD = 0x8825
_EXIF_IFD = 0x8769
_DATETIME_ORIGINAL = 36867
_DATETIME = 306

LOCATION_CODE = "photo_location"
FACES_CODE = "photo_faces"
UNSEEN_CODE = "photo_unseen"
PHOTO_CODES = frozenset({LOCATION_CODE, FACES_CODE, UNSEEN_CODE})
TEXT_LABEL = "Text in the photo:"
# What each photo finding's provision is searched with (the draft's words would pull in
# whatever the caption is about).
PHOTO_QUERIES: dict[str, str] = {
    LOCATION_CODE: "geotags location tagging check-ins location-sharing real-time location "
    "turn off automatic location tagging",
    FACES_CODE: "photo face recognise identify victim witness suspect child",
    UNSEEN_CODE: "review by the PIO before posting when unsure",
}

# "Can I post this?" sent with a photo asks about the photo; it is not a caption.
_ASKING = re.compile(
    r"^\s*(?:hi|hey|hello)?[,!. ]*(?:(?:can|may|could|should) i (?:post|share|put up|use|"
    r"upload)|is (?:it|this) (?:ok(?:ay)?|fine|alright|allowed) (?:to (?:post|share))?|"
    r"ok(?:ay)? to (?:post|share)|(?:please )?check)(?: (?:this|that|these|it|the|my))?"
    r"(?: (?:photo|picture|pic|image|one|shot)s?)?(?: (?:on|to) [\w' ]{2,30})?\s*[?.!]*\s*$",
    re.IGNORECASE,
)


class PhotoError(InputError):
    """A file that cannot be read as a photo; the message is one line for the officer."""


@dataclass(frozen=True)
class GpsPosition:
    latitude: float
    longitude: float

    def __str__(self) -> str:
        return f"{self.latitude:.5f}, {self.longitude:.5f}"


@dataclass(frozen=True)
class PhotoReading:
    """What one photo reveals. `text` holds the lines OCR read, in reading order."""

    width: int
    height: int
    gps: GpsPosition | None = None
    taken_at: str | None = None  # the camera's own clock, as EXIF stores it
    text: tuple[str, ...] = ()
    faces: int = 0
    faces_checked: bool = True
    seconds: float = 0.0

    @property
    def megapixels(self) -> float:
        return self.width * self.height / 1e6


# ----------------------------------------------------------------------------- reading


class PhotoReader:
    """Reads photos; the OCR and face models load once, on first use, and are shared."""

    def __init__(self, *, ocr: bool = True, faces: bool = True) -> None:
        self._want_ocr = ocr
        self._want_faces = faces
        self._ocr: Any = None
        self._faces: Any = None
        self._lock = threading.Lock()

    def warm_up(self) -> None:
        """Load the models now (they take about a second) rather than on the first photo."""
        with self._lock:
            self._load()

    def _load(self) -> None:
        if self._want_ocr and self._ocr is None:
            from rapidocr_onnxruntime import RapidOCR  # the models are inside the wheel

            self._ocr = RapidOCR(print_verbose=False)
        if self._want_faces and self._faces is None:
            import cv2

            cascade = cv2.CascadeClassifier(
                cv2.data.haarcascades + "haarcascade_frontalface_default.xml"
            )
            self._faces = cascade if not cascade.empty() else False

    def read(self, data: bytes) -> PhotoReading:
        """Everything `data` reveals; PhotoError when it is not a readable image."""
        started = time.perf_counter()
        image = open_image(data)
        gps, taken_at = exif_facts(image)
        width, height = image.size
        from PIL import ImageOps

        image.draft("RGB", (OCR_SIDE, OCR_SIDE))  # JPEG: decode at 1/2, 1/4 … scale, fast
        try:
            small = ImageOps.exif_transpose(image.convert("RGB"))
        except (OSError, ValueError) as exc:
            raise PhotoError(f"the photo could not be decoded ({type(exc).__name__})") from exc
        small.thumbnail((OCR_SIDE, OCR_SIDE))
        with self._lock:  # the models are shared; one photo at a time on a small machine
            self._load()
            text = self._read_text(small)
            faces, checked = self._count_faces(small)
        return PhotoReading(
            width=width,
            height=height,
            gps=gps,
            taken_at=taken_at,
            text=text,
            faces=faces,
            faces_checked=checked,
            seconds=time.perf_counter() - started,
        )

    def _read_text(self, image: Any) -> tuple[str, ...]:
        if not self._ocr:
            return ()
        import numpy as np

        result, _ = self._ocr(np.asarray(image)[:, :, ::-1])  # RGB -> BGR, as OpenCV reads
        lines = []
        for _box, text, score in result or []:
            cleaned = " ".join(str(text).split())
            if cleaned and float(score) >= MIN_TEXT_SCORE:
                lines.append(cleaned)
        return tuple(lines)

    def _count_faces(self, image: Any) -> tuple[int, bool]:
        if not self._faces:
            return 0, False
        import cv2
        import numpy as np

        gray = np.asarray(image.convert("L"))
        scale = FACE_SIDE / max(gray.shape)
        if scale < 1:
            gray = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        found = self._faces.detectMultiScale(
            gray, scaleFactor=1.15, minNeighbors=6, minSize=(20, 20)
        )
        return len(found), True


def open_image(data: bytes) -> Any:
    """The image in `data`, checked for size before it is decoded."""
    from PIL import Image, UnidentifiedImageError

    if not data:
        raise PhotoError("the photo is empty")
    if len(data) > MAX_BYTES:
        raise PhotoError(f"the photo is too large ({len(data) / 1e6:.0f} MB; the limit is 30 MB)")
    try:
        image = Image.open(io.BytesIO(data))
    except UnidentifiedImageError as exc:
        raise PhotoError("the file is not a photo I can read (JPEG, PNG, WebP or GIF)") from exc
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise PhotoError(
            f"the photo is too large ({width * height / 1e6:.0f} megapixels; the limit is "
            f"{MAX_PIXELS // 1_000_000})"
        )
    return image


def exif_facts(image: Any) -> tuple[GpsPosition | None, str | None]:
    """The GPS position and capture time in the photo's EXIF data, where present."""
    try:
        exif = image.getexif()
    except (OSError, ValueError, SyntaxError):
        return None, None
    if not exif:
        return None, None
    gps = _gps(exif.get_ifd(_GPS_IFD))
    taken = exif.get_ifd(_EXIF_IFD).get(_DATETIME_ORIGINAL) or exif.get(_DATETIME)
    return gps, _capture_time(taken)


def _gps(ifd: dict[int, Any]) -> GpsPosition | None:
    try:
        lat = _degrees(ifd[2], ifd.get(1, "N"))
        lon = _degrees(ifd[4], ifd.get(3, "E"))
    except (KeyError, TypeError, ValueError, ZeroDivisionError, IndexError):
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat == 0 and lon == 0):
        return None
    return GpsPosition(round(lat, 6), round(lon, 6))


def _degrees(parts: Sequence[Any], ref: Any) -> float:
    degrees, minutes, seconds = (float(part) for part in parts[:3])
    value = degrees + minutes / 60 + seconds / 3600
    ref_text = ref.decode() if isinstance(ref, bytes) else str(ref)
    return -value if ref_text.strip().upper() in ("S", "W") else value


def _capture_time(value: Any) -> str | None:
    if not value:
        return None
    text = value.decode(errors="replace") if isinstance(value, bytes) else str(value)
    text = text.strip("\x00 ")
    try:
        return datetime.strptime(text, "%Y:%m:%d %H:%M:%S").strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return None


# ----------------------------------------------------------------------------- judging


def caption_of(text: str) -> str:
    """The caption the officer wants to post: "Can I post this?" is no caption."""
    return "" if _ASKING.match(text or "") else (text or "").strip()


def photo_text(caption: str, reading: PhotoReading) -> str:
    """What the engine judges for a photo: the caption, then the text read in the photo
    (its words are part of the post: a plate or a case number is as public there)."""
    parts = [caption.strip()] if caption.strip() else []
    if reading.text:
        parts.append(f"{TEXT_LABEL} " + "\n".join(reading.text))
    return "\n\n".join(parts)


def photo_findings(reading: PhotoReading, *, judged_text: bool) -> list[Finding]:
    """What the photo's data and faces mean for posting it. `judged_text`: the engine had
    a caption or the photo's text to judge; without either, what the photo shows is unseen."""
    findings: list[Finding] = []
    if reading.gps is not None:
        when = " and when" if reading.taken_at else ""
        findings.append(
            Finding(
                code=LOCATION_CODE,
                severity="revise",
                topic="tactics",
                message=f"The photo's data reveals exactly where{when} it was taken (GPS "
                "location in its EXIF metadata).",
                fix="Strip the location before posting: share a screenshot or an export "
                "without location (iPhone: Options → Location off in the share sheet; "
                "Android: remove location in the photo's details, or turn off location tags "
                "in the camera settings).",
            )
        )
    if reading.faces:
        many = f"{reading.faces} faces" if reading.faces > 1 else "a face"
        findings.append(
            Finding(
                code=FACES_CODE,
                severity="revise",
                topic="victims",
                message=f"The photo shows {many}.",
                fix="Post a recognisable face only with the person's agreement, and never "
                "one of a victim, witness, suspect or child in an enforcement setting: blur "
                "it or choose another photo.",
            )
        )
    if not judged_text:
        findings.append(
            Finding(
                code=UNSEEN_CODE,
                severity="needs_review",
                topic="unclear",
                message="What the photo shows cannot be checked: I read only its data and "
                "its text.",
                fix="Add the caption you'd post and say who and what is in the photo, or let "
                "a reviewer look at it.",
            )
        )
    return findings


def with_photo(
    decision: Decision,
    reading: PhotoReading,
    findings: Sequence[Finding],
    *,
    cite: Callable[[Finding], Citation | None],
) -> Decision:
    """`decision` (the engine's, on `photo_text`) with the photo's own findings added: the
    verdict is the strictest of both, each new finding cites its provision."""
    if not findings:
        return decision
    merged = sorted(
        [*decision.findings, *findings], key=lambda f: _SEVERITY_ORDER.get(f.severity, 9)
    )
    citations = list(decision.citations)
    cited: dict[int, int | None] = {}
    for finding in findings:
        citation = cite(finding)
        if citation is not None and citation not in citations:
            citations.append(citation)
        cited[id(finding)] = citations.index(citation) if citation is not None else None
    old = {
        id(f): decision.finding_citations[i]
        if len(decision.finding_citations) == len(decision.findings)
        else None
        for i, f in enumerate(decision.findings)
    }
    verdict = decision.verdict
    strictest = verdict_for(list(findings))
    if is_looser(verdict, strictest):
        verdict = strictest
    rewritten = verdict != decision.verdict or decision.engine == "local"
    summary = summarize(verdict, merged) if rewritten else decision.summary
    return replace(
        decision,
        verdict=verdict,
        summary=summary,
        findings=tuple(merged),
        citations=tuple(citations),
        escalate=decision.escalate or verdict == "needs_review",
        finding_citations=tuple(cited.get(id(f), old.get(id(f))) for f in merged),
    )


def unseen_base(
    *, policy_version: str, account: Any = "unknown", incident: bool = False
) -> Decision:
    """The decision `with_photo` starts from when there was no text at all to judge."""
    return Decision(
        verdict="ok",
        summary="",
        findings=(),
        citations=(),
        escalate=False,
        confidence=0.0,
        policy_version=policy_version,
        engine="local",
        account=account,
        incident=incident,
    )


_SEVERITY_ORDER = {"do_not_post": 0, "needs_review": 1, "revise": 2, "info": 3}
