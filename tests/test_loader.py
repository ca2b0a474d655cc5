"""Policy loading: every supported format, section ids, the index cache and bad files."""

from __future__ import annotations

from pathlib import Path

import pytest
from pdf_factory import write_pdf

from bot.core.engine import Engine
from bot.core.errors import PolicyError
from bot.core.loader import discover, load_sections, split_heading

MARKDOWN = """---
number: 900
title: Test Policy
version: 1.0
---
# Policy 900: Test Policy

Intro text for the whole policy.

## 900.1 Purpose

Employees may post safety tips and community events.

## 900.4 Victims

General rule about victims.

### 900.4(b) Names of Victims

Employees must not name a victim of a crime.
"""


def sections_of(folder: Path):
    return load_sections(discover(folder))


def test_markdown_sections_use_the_documents_own_numbers(tmp_path: Path) -> None:
    (tmp_path / "policy.md").write_text(MARKDOWN, encoding="utf-8")
    sections = {s.section: s for s in sections_of(tmp_path)}
    assert {"900.1", "900.4", "900.4(b)"} <= set(sections)
    assert sections["900.4(b)"].title == "Names of Victims"
    assert sections["900.4(b)"].text == "Employees must not name a victim of a crime."
    assert sections["900.1"].doc_title == "Test Policy"
    # Quotes must be copyable from the file itself.
    raw = (tmp_path / "policy.md").read_text(encoding="utf-8")
    assert all(section.text in raw for section in sections.values())


def test_headings_without_numbers_fall_back_to_slugs(tmp_path: Path) -> None:
    (tmp_path / "guide.md").write_text(
        "# Guide\n\n## Posting Photos\n\nAsk first.\n\n## Posting Photos\n\nAgain.\n",
        encoding="utf-8",
    )
    ids = [s.section for s in sections_of(tmp_path)]
    assert ids == ["posting-photos", "posting-photos~2"]


@pytest.mark.parametrize(
    ("heading", "expected"),
    [
        ("1058.4(b) Victims", ("1058.4(b)", "Victims")),
        ("Section 12.3 Media", ("12.3", "Media")),
        ("§ 4 Scope", ("4", "Scope")),
        ("Victims and Witnesses", (None, "Victims and Witnesses")),
    ],
)
def test_split_heading(heading: str, expected: tuple[str | None, str]) -> None:
    assert split_heading(heading) == expected


def test_plain_text_numbered_lines_start_sections(tmp_path: Path) -> None:
    (tmp_path / "policy.txt").write_text(
        "Records Policy\n\n2.1 Retention\nKeep records two years.\n\n2.2 Release\n"
        "Only the PIO releases records.\n",
        encoding="utf-8",
    )
    sections = {s.section: s for s in sections_of(tmp_path)}
    assert sections["2.2"].title == "Release"
    assert "Only the PIO releases records." in sections["2.2"].text


def test_html_headings_and_entities(tmp_path: Path) -> None:
    (tmp_path / "policy.html").write_text(
        "<html><head><title>x</title><style>p{}</style></head><body>"
        "<h1>Policy 7</h1><h2>7.1 Photos &amp; Video</h2><p>Blur faces &mdash; always.</p>"
        "<script>var secret = 1;</script></body></html>",
        encoding="utf-8",
    )
    sections = {s.section: s for s in sections_of(tmp_path)}
    assert sections["7.1"].title == "Photos & Video"
    assert sections["7.1"].text == "Blur faces — always."
    assert all("secret" not in s.text for s in sections.values())


def test_pdf_sections_keep_page_numbers(tmp_path: Path) -> None:
    write_pdf(
        tmp_path / "policy.pdf",
        [
            ["Policy 900 Social Media", "900.1 Purpose", "Employees may post safety tips."],
            ["900.2 Victims", "Employees must not identify a victim of a crime."],
        ],
    )
    sections = {s.section: s for s in sections_of(tmp_path)}
    assert sections["900.1"].page == 1
    assert sections["900.2"].page == 2
    assert "must not identify a victim" in sections["900.2"].text


def test_missing_and_empty_folders_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="does not exist"):
        discover(tmp_path / "nope")
    (tmp_path / "notes.docx").write_bytes(b"PK")
    with pytest.raises(PolicyError, match="has no policy files"):
        discover(tmp_path)


def test_non_utf8_markdown_names_the_file_and_byte(tmp_path: Path) -> None:
    (tmp_path / "latin1.md").write_bytes("## 1.1 Café policy\n\nNo posts.\n".encode("latin-1"))
    with pytest.raises(PolicyError, match=r"latin1\.md is not UTF-8 text \(byte 0xe9"):
        sections_of(tmp_path)


def test_corrupt_pdf_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4\nthis is not really a pdf\n%%EOF")
    with pytest.raises(PolicyError, match=r"broken\.pdf is not a readable PDF"):
        sections_of(tmp_path)


def test_index_cache_is_reused_and_rebuilt_when_files_change(tmp_path: Path) -> None:
    policy, cache = tmp_path / "policy", tmp_path / "cache"
    policy.mkdir()
    (policy / "policy.md").write_text(MARKDOWN, encoding="utf-8")
    first = Engine.load(policy, cache)
    second = Engine.load(policy, cache)
    assert not first.stats.from_cache and second.stats.from_cache
    assert second.policy_version == first.policy_version
    assert [p.text for p in second.passages] == [p.text for p in first.passages]

    (policy / "policy.md").write_text(MARKDOWN + "\n## 900.9 New Rule\n\nAdded.\n", "utf-8")
    third = Engine.load(policy, cache)
    assert not third.stats.from_cache
    assert third.policy_version != first.policy_version
    assert third.section("policy.md", "900.9") is not None


def test_damaged_cache_is_rebuilt(tmp_path: Path) -> None:
    policy, cache = tmp_path / "policy", tmp_path / "cache"
    policy.mkdir()
    (policy / "policy.md").write_text(MARKDOWN, encoding="utf-8")
    Engine.load(policy, cache)
    for json_file in cache.rglob("policy.json"):
        json_file.write_text("{not json", encoding="utf-8")
    engine = Engine.load(policy, cache)
    assert not engine.stats.from_cache
    assert engine.section("policy.md", "900.1") is not None
