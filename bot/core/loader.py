"""Read a folder of policy files into numbered sections.

Markdown and HTML headings start sections; plain text and PDF pages are read by
`bot/core/outline.py`, which knows the numbering departments publish (Lexipol, outlines,
capitalised SOP headings, LASD numbers) and drops running headers and footers. A section id is
the document's own number ("1026.4(g)", "III.A.7"), else the heading text. Section text is
the file's text (PDF lines joined into sentences), so quotes can be copied out of it exactly.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from bot.core.errors import PolicyError
from bot.core.models import PolicySection
from bot.core.outline import OutlineParser, clean_pages, join_lines

SUPPORTED_SUFFIXES = (".md", ".markdown", ".txt", ".html", ".htm", ".pdf")
MAX_POLICY_FILE_BYTES = 50 * 1024 * 1024

_SECTION_NUMBER = re.compile(
    r"^(?:(?:section|sec\.|§)\s*)?"
    r"(?P<number>\d+(?:\.\d+)*(?:\([A-Za-z0-9]{1,4}\))*)\.?\s+(?P<title>\S.*)$",
    re.IGNORECASE,
)
_MD_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$", re.MULTILINE)


@dataclass(frozen=True)
class PolicyFile:
    path: Path
    relative: str
    digest: str


def slugify(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:60] or "section"


def split_heading(heading: str) -> tuple[str | None, str]:
    """'1058.4(b) Victims' -> ('1058.4(b)', 'Victims'); 'Victims' -> (None, 'Victims')."""
    heading = heading.strip().strip("*_").strip()
    match = _SECTION_NUMBER.match(heading)
    if match:
        return match.group("number"), match.group("title").strip().strip("*_").strip()
    return None, heading


def discover(policy_dir: Path) -> list[PolicyFile]:
    """List the policy files with their content hashes; raise PolicyError if there are none."""
    if not policy_dir.exists():
        raise PolicyError(f"policy folder {policy_dir} does not exist (set POLICY_DOCS_DIR)")
    if not policy_dir.is_dir():
        raise PolicyError(f"policy folder {policy_dir} is not a folder")
    files: list[PolicyFile] = []
    for path in sorted(policy_dir.rglob("*")):
        relative = path.relative_to(policy_dir).as_posix()
        if any(part.startswith(".") for part in Path(relative).parts):
            continue
        if not path.is_file() or path.suffix.lower() not in SUPPORTED_SUFFIXES:
            continue
        try:
            data = path.read_bytes()
        except OSError as error:
            raise PolicyError(f"cannot read policy file {relative}: {error.strerror}") from None
        if len(data) > MAX_POLICY_FILE_BYTES:
            raise PolicyError(f"policy file {relative} is larger than 50 MB")
        files.append(PolicyFile(path, relative, hashlib.sha256(data).hexdigest()))
    if not files:
        raise PolicyError(
            f"policy folder {policy_dir} has no policy files ({', '.join(SUPPORTED_SUFFIXES)})"
        )
    return files


def policy_version(files: Iterable[PolicyFile]) -> str:
    digest = hashlib.sha256()
    for policy_file in sorted(files, key=lambda item: item.relative):
        digest.update(f"{policy_file.relative}\0{policy_file.digest}\n".encode())
    return digest.hexdigest()[:16]


def _read_text(policy_file: PolicyFile) -> str:
    data = policy_file.path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise PolicyError(
            f"policy file {policy_file.relative} is not UTF-8 text "
            f"(byte 0x{data[error.start]:02x} at position {error.start}); save it as UTF-8"
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _front_matter(text: str) -> tuple[dict[str, str], str]:
    if not text.startswith("---\n"):
        return {}, text
    end = text.find("\n---", 4)
    if end == -1:
        return {}, text
    meta: dict[str, str] = {}
    for line in text[4:end].splitlines():
        key, sep, value = line.partition(":")
        if sep:
            meta[key.strip().lower()] = value.strip().strip("\"'")
    rest_start = text.find("\n", end + 4)
    return meta, text[rest_start + 1 :] if rest_start != -1 else ""


@dataclass
class _RawSection:
    number: str | None
    title: str
    text: str
    page: int | None = None
    page_breaks: tuple[int, ...] = ()
    fallback: str = ""  # a readable id where the document has no numbering of its own
    key: int = 0  # identifies the outline node, to link children to parents
    parent_key: int | None = None


def _sections_from_headings(
    text: str, headings: list[tuple[int, int, str]], preamble_title: str
) -> list[_RawSection]:
    """`headings` holds (start, end, heading text) of each heading line in `text`."""
    sections: list[_RawSection] = []
    preamble = text[: headings[0][0]] if headings else text
    if preamble.strip():
        sections.append(_RawSection(None, preamble_title, preamble.strip()))
    for index, (_, end, heading) in enumerate(headings):
        body_end = headings[index + 1][0] if index + 1 < len(headings) else len(text)
        body = text[end:body_end].strip()
        number, title = split_heading(heading)
        if body:
            sections.append(_RawSection(number, title, body))
    return sections


def _parse_markdown(text: str, stem: str) -> tuple[str, list[_RawSection]]:
    meta, body = _front_matter(text)
    headings = [(m.start(), m.end(), m.group(2)) for m in _MD_HEADING.finditer(body)]
    doc_title = meta.get("title", "")
    for _, _, heading in headings:
        doc_title = doc_title or split_heading(heading)[1]
        break
    return doc_title or stem, _sections_from_headings(body, headings, doc_title or stem)


def _parse_lines(lines: list[tuple[int | None, str]], stem: str) -> tuple[str, list[_RawSection]]:
    parser = OutlineParser()
    for page, line in lines:
        parser.feed(page, line)
    sections: list[_RawSection] = []
    doc_title = ""
    for node in parser.nodes:
        text, page, breaks = join_lines(node.lines)
        # A preamble of title lines and metadata is not a provision.
        if node.kind == "preamble" and not re.search(r"\w[^.!?]{25,}[.!?](?:\s|$)", text):
            continue
        if not doc_title and node.kind == "heading" and node.number is None:
            doc_title = node.title
        if not text:
            continue
        number = node.number
        title = node.title or (doc_title or stem)
        raw = _RawSection(number, title, text, page, breaks)
        raw.fallback = node.fallback or (title if node.kind != "preamble" else stem)
        raw.parent_key = id(node.parent) if node.parent is not None else None
        raw.key = id(node)
        sections.append(raw)
    return doc_title or stem, sections


def _parse_plain(text: str, stem: str) -> tuple[str, list[_RawSection]]:
    return _parse_lines([(None, line) for line in text.split("\n")], stem)


class _HTMLText(HTMLParser):
    """Collects the visible text of an HTML page, with headings marked as Markdown ones."""

    _SKIP = {"script", "style", "head", "noscript", "template"}
    _BLOCK = {"p", "div", "li", "br", "tr", "section", "article", "ul", "ol", "table", "blockquote"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skip_depth += 1
        elif re.fullmatch(r"h[1-6]", tag):
            self.parts.append("\n\n" + "#" * int(tag[1]) + " ")
        elif tag in self._BLOCK:
            self.parts.append("\n\n" if tag == "p" else "\n")
        if tag == "li":
            self.parts.append("- ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self._skip_depth = max(0, self._skip_depth - 1)
        elif re.fullmatch(r"h[1-6]", tag) or tag == "p":
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self._skip_depth:
            self.parts.append(re.sub(r"[ \t\r\n]+", " ", data))

    def text(self) -> str:
        joined = "".join(self.parts)
        lines = [line.strip() for line in joined.split("\n")]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def html_to_text(html: str) -> str:
    parser = _HTMLText()
    parser.feed(html)
    parser.close()
    return parser.text()


def _read_pdf(policy_file: PolicyFile) -> list[tuple[int, str]]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    # pypdf logs its own warnings about damaged files; the error raised below says it once.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(str(policy_file.path))
        if reader.is_encrypted:
            raise PolicyError(f"policy file {policy_file.relative} is an encrypted PDF")
        pages = [(number, page.extract_text() or "") for number, page in enumerate(reader.pages, 1)]
    except PolicyError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise PolicyError(
            f"policy file {policy_file.relative} is not a readable PDF ({reason})"
        ) from None
    except Exception as error:  # pypdf raises a wide range of errors on damaged files
        raise PolicyError(
            f"policy file {policy_file.relative} is not a readable PDF ({type(error).__name__})"
        ) from None
    if not any(text.strip() for _, text in pages):
        raise PolicyError(
            f"policy file {policy_file.relative} has no extractable text (a scanned PDF?)"
        )
    return pages


def _parse_pdf(policy_file: PolicyFile) -> tuple[str, list[_RawSection]]:
    pages = [
        (number, text.replace("\r\n", "\n").replace("\r", "\n"))
        for number, text in _read_pdf(policy_file)
    ]
    lines: list[tuple[int | None, str]] = list(clean_pages(pages))
    return _parse_lines(lines, policy_file.path.stem)


def _unique_ids(raw_sections: list[_RawSection]) -> list[str]:
    ids: list[str] = []
    seen: dict[str, int] = {}
    for raw in raw_sections:
        base = raw.number or raw.fallback or slugify(raw.title)
        count = seen.get(base, 0)
        seen[base] = count + 1
        ids.append(base if count == 0 else f"{base}~{count + 1}")
    return ids


def parse_file(policy_file: PolicyFile) -> list[PolicySection]:
    suffix = policy_file.path.suffix.lower()
    stem = policy_file.path.stem
    if suffix == ".pdf":
        doc_title, raw_sections = _parse_pdf(policy_file)
    else:
        text = _read_text(policy_file)
        if suffix in (".md", ".markdown"):
            doc_title, raw_sections = _parse_markdown(text, stem)
        elif suffix in (".html", ".htm"):
            doc_title, raw_sections = _parse_markdown(html_to_text(text), stem)
        else:
            doc_title, raw_sections = _parse_plain(text, stem)
    if not raw_sections:
        raise PolicyError(f"policy file {policy_file.relative} has no text")
    section_ids = _unique_ids(raw_sections)
    id_of_key = {
        raw.key: section_id
        for raw, section_id in zip(raw_sections, section_ids, strict=True)
        if raw.key
    }
    return [
        PolicySection(
            source=policy_file.relative,
            section=section_id,
            title=raw.title,
            text=raw.text,
            page=raw.page,
            doc_title=doc_title,
            parent=id_of_key.get(raw.parent_key) if raw.parent_key else None,
            page_breaks=raw.page_breaks,
        )
        for section_id, raw in zip(section_ids, raw_sections, strict=True)
    ]


def load_sections(
    files: list[PolicyFile], progress: Callable[[int, int, str], None] | None = None
) -> list[PolicySection]:
    sections: list[PolicySection] = []
    for index, policy_file in enumerate(files, 1):
        sections.extend(parse_file(policy_file))
        if progress:
            progress(index, len(files), policy_file.relative)
    return sections
