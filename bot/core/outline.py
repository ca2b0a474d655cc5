"""Find the provisions in a manual's running text (PDF pages or plain text).

Departments publish their policies in a handful of shapes, and each numbers itself its own way:

- Lexipol manuals: `1026.4   PROHIBITED SPEECH ...` headings, lettered items `(g)` -> `1026.4(g)`;
- outlines: `III. USE OF SOCIAL MEDIA`, then `A.`, `1.`, `a.` -> `III.A.7.a`;
- SOPs with capitalised headings and numbered lists -> `Personal Use 4.b`;
- LASD-style numbers: `3-01/090.10 Title`.

A list item is never a heading: an item starts a provision of its own only as the next item of
a list (`b.` after `a.`), so a wrapped line that happens to begin with "1." stays text. Page
headers and footers repeated on neighbouring pages, table-of-contents leaders and Lexipol's
"Policy / 1026" title blocks are dropped; lines wrapped by the PDF are joined into sentences.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

HEADER_ZONE = 10  # lines at the top of a page that may be a running header
FOOTER_ZONE = 4

_DOTTED = r"\d{1,4}(?:\.\d{1,3}){1,4}(?:\([A-Za-z0-9]{1,4}\))*"
_LASD = r"\d{1,2}-\d{1,2}/\d{3}(?:\.\d{1,3})*"
_NUMBERED_HEADING = re.compile(
    rf"^(?:(?:section|sec\.|§)\s*)?(?P<number>{_LASD}|{_DOTTED})\.?\s+(?P<title>[A-Z][^\n]{{1,100}})$",
    re.IGNORECASE,
)
_ROMAN_HEADING = re.compile(r"^(?P<number>[IVXL]{1,6})\.\s+(?P<title>\S.{1,100})$")
_LABELLED_LINE = re.compile(r"^(?P<label>[A-Z][A-Z /&]{2,40}):\s*(?P<rest>.*)$")
_ITEM = re.compile(
    r"^(?:\((?P<paren>[a-z]{1,2}|\d{1,2}|[ivx]{1,5})\)|(?P<dot>[A-Za-z]|\d{1,2}|[ivx]{2,5})[.)])"
    r"\s+(?P<rest>\S.*)$"
)
_BULLET = re.compile(r"^[\u2022\u25cf\u25aa\u2023\u2043\uf0b7\uf0a7\uf0d8\uf076\uf0fc\-–*]\s*")
_TOC_LEADER = re.compile(r"(?:\.\s?){4,}\s*\d{1,4}\s*$")
_DIGITS = re.compile(r"\d+")
_SPACES = re.compile(r"[ \t\u00a0]+")
_SMALL_WORDS = frozenset("a an and as at by for in of on or the to with from".split())
_ROMAN_VALUES = {"i": 1, "v": 5, "x": 10, "l": 50}


def roman_value(numeral: str) -> int:
    total, previous = 0, 0
    for char in reversed(numeral.lower()):
        value = _ROMAN_VALUES.get(char, 0)
        total = total - value if value < previous else total + value
        previous = max(previous, value)
    return total


def title_case(text: str) -> str:
    """'SPEECH, EXPRESSION AND CONDUCT' -> 'Speech, Expression and Conduct'."""
    if any(char.islower() for char in text):
        return text
    words = text.lower().split(" ")
    return " ".join(
        word if index and word in _SMALL_WORDS else word[:1].upper() + word[1:]
        for index, word in enumerate(words)
    )


def _is_caps_heading(line: str) -> bool:
    letters = [char for char in line if char.isalpha()]
    if len(letters) < 4 or len(line) > 80 or line.endswith((",", ";")):
        return False
    if sum(char.isupper() for char in letters) < len(letters):
        return False
    return bool(re.search(r"[A-Z]{3}", line)) and not _ITEM.match(line)


def _mostly_upper(text: str) -> bool:
    letters = [char for char in text if char.isalpha()]
    return bool(letters) and sum(char.isupper() for char in letters) >= 0.8 * len(letters)


# ----------------------------------------------------------------- page cleaning
def _shape(line: str) -> str:
    return _DIGITS.sub("#", _SPACES.sub(" ", line.strip()).lower())


# Symbol-font bullets that PDF extraction returns as private-use characters.
_PRIVATE_BULLETS = str.maketrans(
    {"\uf0b7": "•", "\uf0a7": "•", "\uf0d8": "•", "\uf076": "•", "\uf0fc": "•"}
)


def clean_pages(pages: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """(page, line) pairs with running headers/footers, TOC leaders and blank runs removed.

    A line near the top (or bottom) of a page is a running header (footer) when the same line,
    digits aside, sits in the same zone of the page before or after it."""
    split = [
        (number, [line.rstrip() for line in text.translate(_PRIVATE_BULLETS).split("\n")])
        for number, text in pages
    ]
    tops = [{_shape(line) for line in lines[:HEADER_ZONE] if line.strip()} for _, lines in split]
    bottoms = [
        {_shape(line) for line in lines[-FOOTER_ZONE:] if line.strip()} for _, lines in split
    ]
    result: list[tuple[int, str]] = []
    for position, (number, lines) in enumerate(split):
        neighbours = [i for i in (position - 1, position + 1) if 0 <= i < len(split)]
        top_seen = set().union(*(tops[i] for i in neighbours)) if neighbours else set()
        bottom_seen = set().union(*(bottoms[i] for i in neighbours)) if neighbours else set()
        kept: list[str] = []
        for index, line in enumerate(lines):
            shape = _shape(line)
            if shape and index < HEADER_ZONE and shape in top_seen:
                continue
            if shape and index >= len(lines) - FOOTER_ZONE and shape in bottom_seen:
                continue
            if re.fullmatch(r"_{5,}\s*", line.strip()) or re.fullmatch(
                r"page \d+( of \d+)?", shape.replace("#", "1")
            ):
                continue
            if _TOC_LEADER.search(line):
                continue
            kept.append(line)
        kept = _drop_lexipol_title_block(kept)
        result.extend((number, line) for line in kept)
    return _drop_back_index(result, len(pages))


_BACK_INDEX = re.compile(r"INDEX(?:\s*/\s*TOPICS)?")


def _drop_back_index(lines: list[tuple[int, str]], page_count: int) -> list[tuple[int, str]]:
    """A manual's back-of-book index ("INDEX / TOPICS", then a page of subject lines) is not a
    provision: it ends the text when its heading sits in the last third of the pages."""
    if page_count < 3:
        return lines
    last_third = min(number for number, _ in lines) + (page_count * 2) // 3 if lines else 0
    for position, (number, line) in enumerate(lines):
        if number >= last_third and _BACK_INDEX.fullmatch(line.strip()):
            return lines[:position]
    return lines


def _drop_lexipol_title_block(lines: list[str]) -> list[str]:
    """Lexipol starts each policy's first page with 'Policy', its number and the title lines;
    the section headings that follow carry the same number, so the block says nothing."""
    stripped = [line.strip() for line in lines]
    for index in range(min(3, len(stripped) - 1)):
        if stripped[index] == "Policy" and re.fullmatch(r"\d{2,4}", stripped[index + 1]):
            end = index + 2
            while end < len(stripped) and not _NUMBERED_HEADING.match(stripped[end]):
                if end - index > 8:
                    return lines  # no heading close by: not a title block after all
                end += 1
            return lines[:index] + lines[end:]
    return lines


# ----------------------------------------------------------------------- outline
@dataclass
class Node:
    """One provision as found: its id, title, text lines and the page it starts on."""

    number: str | None  # the document's own id, when it has one
    title: str
    parent: Node | None = None
    kind: str = "heading"  # preamble | heading | item
    label: str = ""  # an item's own label: "g", "7", "B"
    list_kind: str = ""  # digit | lower | upper | roman-lower | paren-alpha | paren-digit
    fallback: str = ""  # a readable id where the document has no numbering
    page: int | None = None
    lines: list[tuple[int | None, str]] = field(default_factory=list)

    def add(self, page: int | None, line: str) -> None:
        if self.page is None and line:
            self.page = page
        self.lines.append((page, line))


@dataclass
class _OpenItem:
    list_kind: str
    label: str
    node: Node | None  # None for a list kept inside its item's text


def _kind(match: re.Match[str]) -> tuple[str, str]:
    if match.group("paren") is not None:
        label = match.group("paren")
        return ("paren-digit" if label.isdigit() else "paren-alpha"), label
    label = match.group("dot")
    if label.isdigit():
        return "digit", label
    if len(label) > 1:
        return "roman-lower", label
    return ("upper" if label.isupper() else "lower"), label


def _successor(list_kind: str, previous: str, label: str) -> bool:
    if list_kind in ("digit", "paren-digit"):
        return label.isdigit() and previous.isdigit() and int(label) == int(previous) + 1
    if list_kind == "roman-lower":
        return roman_value(label) == roman_value(previous) + 1
    if len(previous) == 1 and len(label) == 1:
        return ord(label.lower()) == ord(previous.lower()) + 1
    return False


class OutlineParser:
    """Turns (page, line) pairs into provision nodes, in document order."""

    def __init__(self) -> None:
        self.preamble = Node(None, "", kind="preamble")
        self.nodes: list[Node] = [self.preamble]
        self.heading: Node | None = None
        self.style = "none"  # numbered | roman | caps | none: how the current heading numbers
        self.current: Node = self.preamble
        self.items: list[_OpenItem] = []
        self.last_roman = 0
        self.numbered: dict[str, Node] = {}
        # A second list under one unnumbered heading, after its own lead-in ("Information
        # that IS NOT released to the media:"), is named by that lead-in, not "Procedure 1~2".
        self.list_title = ""

    def feed(self, page: int | None, raw_line: str) -> None:
        line = _SPACES.sub(" ", raw_line.strip())
        if not line:
            self.current.add(page, "")
            return
        numbered = _NUMBERED_HEADING.match(line)
        if numbered and self._plausible_title(numbered.group("title")):
            number = numbered.group("number")
            node = Node(number, title_case(numbered.group("title").strip()))
            node.parent = self._numbered_parent(number)
            self.numbered[number] = node
            self._open_heading(node, "numbered")
            return
        roman = _ROMAN_HEADING.match(line)
        if (
            roman
            and _mostly_upper(roman.group("title"))
            and self._next_roman(roman.group("number"))
        ):
            self.last_roman = roman_value(roman.group("number"))
            self._open_heading(
                Node(roman.group("number"), title_case(roman.group("title"))), "roman"
            )
            return
        item = _ITEM.match(line)
        if item and self._item(item, page):
            return
        labelled = _LABELLED_LINE.match(line)
        if labelled and not self.items and len(labelled.group("label").split()) <= 3:
            title = title_case(labelled.group("label").strip())
            self._open_heading(Node(None, title, fallback=title), "caps")
            if labelled.group("rest"):
                self.current.add(page, labelled.group("rest"))
            return
        if _is_caps_heading(line) and not line.endswith("."):
            if self.numbered:
                # In a numbered manual every heading has its number; a line in capitals
                # right under one continues its title ("... OATH OF OFFICE (55 ILCS 5/3-6004)").
                if self.heading is self.current and not self.current.lines:
                    self.current.title = f"{self.current.title} {title_case(line)}"
                    return
                self.current.add(page, line)
                return
            title = title_case(line.rstrip(":").strip())
            self._open_heading(Node(None, title, fallback=title), "caps")
            return
        self.current.add(page, line)

    def _open_heading(self, node: Node, style: str) -> None:
        self.items = []
        self.list_title = ""
        self.heading, self.style, self.current = node, style, node
        self.nodes.append(node)

    @staticmethod
    def _plausible_title(title: str) -> bool:
        title = title.strip()
        if _mostly_upper(title):
            return True
        return not title.endswith((".", ",", ";", ":")) and len(title.split()) <= 12

    def _numbered_parent(self, number: str) -> Node | None:
        parts = number.split("(")[0].split(".")
        for cut in range(len(parts) - 1, 1, -1):
            parent = self.numbered.get(".".join(parts[:cut]))
            if parent is not None:
                return parent
        return None

    def _next_roman(self, numeral: str) -> bool:
        if numeral == "I" and any(
            item.list_kind == "upper" and item.label == "H" for item in self.items
        ):
            return False  # the ninth capital letter, not Roman one
        value = roman_value(numeral)
        return value == self.last_roman + 1

    def _item(self, match: re.Match[str], page: int | None) -> bool:
        list_kind, label = _kind(match)
        # A sibling: the next label of a list that is open.
        for depth in range(len(self.items) - 1, -1, -1):
            open_item = self.items[depth]
            same = (
                open_item.list_kind == list_kind
                or (list_kind == "roman-lower" and open_item.list_kind == "lower")
                or (list_kind == "lower" and open_item.list_kind == "roman-lower")
            )
            if same:
                if _successor(open_item.list_kind, open_item.label, label):
                    del self.items[depth:]
                    self._start_item(open_item.list_kind, label, match, page)
                    return True
                if label.lower() not in ("a", "1", "i"):
                    return False
                if self._ends_lead_in():
                    # "... not released to the media:" then "1." again: a new list.
                    if depth == 0:
                        self.list_title = self._lead_in_title()
                    del self.items[depth:]
                    self._start_item(open_item.list_kind, label, match, page)
                    return True
                break
        # A new list: it must start at its first label.
        if label.lower() not in ("a", "1", "i") and not (
            list_kind == "roman-lower" and label == "i"
        ):
            return False
        if list_kind == "roman-lower":
            list_kind = "lower"
        if any(open_item.list_kind == list_kind for open_item in self.items):
            return False  # "a." again inside an open a-list: text, not a new list
        self._start_item(list_kind, label, match, page)
        return True

    def _ends_lead_in(self) -> bool:
        text_lines = [line for _, line in self.current.lines if line.strip()]
        return bool(text_lines) and text_lines[-1].rstrip().endswith(":")

    def _lead_in_title(self) -> str:
        """The lead-in line of a list, as a name for it: short, on a line of its own, and
        not the end of a sentence that started above ("... the following:")."""
        text_lines = [line.strip() for _, line in self.current.lines if line.strip()]
        if len(text_lines) < 2 or not text_lines[-2].endswith((".", ":", ";")):
            return ""
        title = text_lines[-1].rstrip(":").strip()
        if not title[:1].isupper() or len(title.split()) > 12:
            return ""
        return title

    def _start_item(
        self, list_kind: str, label: str, match: re.Match[str], page: int | None
    ) -> None:
        splits = self.style != "numbered" or (not self.items and list_kind.startswith("paren"))
        if not splits:
            # Lists inside a Lexipol item (or section) stay part of its text.
            marker = match.group(0)[: match.start("rest")].strip()
            self.current.add(page, "\n" + marker + " " + match.group("rest"))
            self.items.append(_OpenItem(list_kind, label, None))
            return
        parent = next(
            (item.node for item in reversed(self.items) if item.node is not None), self.heading
        )
        title = self.heading.title if self.heading else ""
        node = Node(None, title, parent=parent, kind="item", label=label, list_kind=list_kind)
        path = [item.label for item in self.items if item.node is not None] + [label]
        if self.style == "numbered" and self.heading is not None:
            node.number = f"{self.heading.number}({label})"
        elif self.style == "roman" and self.heading is not None:
            node.number = ".".join([self.heading.number or "", *path])
        elif self.heading is not None:
            node.fallback = f"{self.list_title or self.heading.title} {'.'.join(path)}"
        else:
            node.fallback = ".".join(path)
        node.add(page, match.group("rest"))
        self.items.append(_OpenItem(list_kind, label, node))
        self.nodes.append(node)
        self.current = node


def join_lines(lines: list[tuple[int | None, str]]) -> tuple[str, int | None, tuple[int, ...]]:
    """Text with wrapped lines joined into sentences; the first page and the offsets in the
    text where each later page begins."""
    text = ""
    first_page: int | None = None
    breaks: list[int] = []
    last_page: int | None = None
    pending_break = False
    for page, line in lines:
        if not line:
            pending_break = bool(text)
            continue
        if first_page is None:
            first_page = page
        if page is not None and last_page is not None and page != last_page:
            breaks.extend([len(text) + (1 if text else 0)] * (page - last_page))
        last_page = page if page is not None else last_page
        stripped = line.lstrip("\n")
        starts_block = line.startswith("\n") or bool(_BULLET.match(stripped))
        if not text:
            text = stripped
        elif pending_break and text.endswith((".", ":", "!", "?")):
            text += "\n\n" + stripped
        elif starts_block or text.endswith(":"):
            text += "\n" + stripped
        elif text.endswith("-") and len(text) > 1 and text[-2].isalpha() and stripped[:1].islower():
            text += stripped
        else:
            text += " " + stripped
        pending_break = False
    return text.strip(), first_page, tuple(breaks)
