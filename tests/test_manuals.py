"""Real departments' manuals: the loader's ids and pages, each provision's force, policy.toml,
and answers that follow the department's own (stricter) provisions.

The PDFs are read from ../shared/policies (never copied into the repository)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.cli import main
from bot.core.engine import Engine
from bot.core.errors import PolicyError
from bot.core.loader import discover, load_sections
from bot.core.models import CheckRequest
from bot.core.provisions import read_force

POLICIES = Path(__file__).resolve().parents[2] / "shared" / "policies"
needs_manuals = pytest.mark.skipif(not POLICIES.is_dir(), reason="../shared/policies not here")


def sections_by_id(folder: Path) -> dict[str, object]:
    return {section.section: section for section in load_sections(discover(folder))}


@needs_manuals
def test_lexipol_ids_pages_and_sentences_across_a_page_break() -> None:
    sections = sections_by_id(POLICIES / "urbana-il")
    item = sections["1026.4(g)"]
    assert item.page == 2 and item.parent == "1026.4"
    # The sentence runs onto page 3 past the running header, joined back into one sentence.
    sentence = "on any personal or social networking or other website or web page, without the "
    assert sentence in item.text
    assert item.page_at(item.text.index("without the express")) == 3
    assert item.text.endswith("without the express authorization of the Chief of Police.")
    assert "1026.4.1(d)" in sections and "326.2.1(a)" in sections
    every_text = " ".join(section.text for section in sections.values())
    assert "Copyright Lexipol" not in every_text and "Published with permission" not in every_text
    assert not [key for key in sections if re.fullmatch(r"\d+|.*~\d+", key)]


@needs_manuals
def test_outline_and_capitalised_heading_manuals_keep_their_own_numbering() -> None:
    hanover = sections_by_id(POLICIES / "hanover-park-il")
    assert {"I.B.5", "III.A.5.b", "III.A.7", "II.G.4"} <= set(hanover)
    assert hanover["III.A.7"].page == 7
    assert not any("POLICE OPERATIONS MANUAL" in s.text for s in hanover.values())
    bloomington = sections_by_id(POLICIES / "bloomington-il")
    assert bloomington["Personal Use 4.b"].page == 6
    assert bloomington["Personal Use 4.b"].parent == "Personal Use 4"
    assert "Department Sanctioned Employee Use 3" in bloomington
    # A second list under one heading is named by its own lead-in line, never "Procedure 1~2".
    assert "victim" in bloomington["Information that IS NOT released to the media 1"].text
    assert not [key for key in bloomington if "~" in key]


@needs_manuals
def test_the_whole_northbrook_manual_indexes_with_its_provisions_and_pages() -> None:
    sections = sections_by_id(POLICIES / "northbrook-il")
    assert len(sections) > 4000
    assert sections["1025.4(g)"].page == 585
    assert sections["339.5.2"].title == "Booking Photographs"
    # Table-of-contents lines ("1025 - Employee Speech ... 583") are not sections.
    assert not [key for key in sections if re.fullmatch(r"\d{3,4}", key)]
    # Nor is the back-of-book index: the last policy ends where it does.
    assert not [key for key, s in sections.items() if "INDEX / TOPICS" in s.text]  # type: ignore[attr-defined]


def test_list_items_are_not_headings_and_lasd_numbers_are_ids(tmp_path: Path) -> None:
    (tmp_path / "manual.txt").write_text(
        "3-01/090.10 Social Media\n"
        "Members shall not post photographs of a crime scene.\n"
        "1. Members may share community events.\n"
        "2. Members may share safety tips.\n",
        encoding="utf-8",
    )
    (tmp_path / "sop.txt").write_text(
        "PERSONAL USE\n"
        "Members are free to post as private citizens.\n"
        "1. Members shall not identify a victim.\n"
        "a. This includes a victim's address.\n",
        encoding="utf-8",
    )
    sections = sections_by_id(tmp_path)  # ids are unique per file; these two do not collide
    assert "3-01/090.10" in sections and "1" not in sections
    assert "1. Members may share community events." in sections["3-01/090.10"].text
    assert sections["Personal Use 1.a"].parent == "Personal Use 1"


@pytest.mark.parametrize(
    ("text", "force", "approver"),
    [
        ("Employees shall not post the address of a fellow officer.", "prohibits", None),
        ("Speech that may negatively affect the safety of employees.", "informs", None),
        ("Employees are free to express themselves as private citizens.", "permits", None),
        (
            "Posting photographs of uniforms, without the express authorization of the Chief "
            "of Police.",
            "requires_approval",
            "Chief of Police",
        ),
        ("All postings shall be approved by a supervisor.", "requires_approval", "supervisor"),
        ("Social media can be used for community outreach and engagement.", "permits", None),
    ],
)
def test_a_provisions_force_is_read_from_its_words(
    text: str, force: str, approver: str | None
) -> None:
    reading = read_force(text)
    assert (reading.force, reading.approver) == (force, approver)


def test_a_list_item_takes_the_force_of_its_lead_in() -> None:
    assert read_force("Content that is abusive.", "The following are prohibited:").force == (
        "prohibits"
    )


def test_a_nested_list_item_takes_the_force_of_the_sentence_above_its_list(
    tmp_path: Path,
) -> None:
    (tmp_path / "directive.txt").write_text(
        "I. USE OF SOCIAL MEDIA ON DUTY\n"
        "A. The Department recognizes numerous potential uses of social media, which may "
        "include but are not limited to:\n"
        "1. Community Outreach and Engagement:\n"
        "a. Providing crime prevention tips\n"
        "b. Recruitment for employment and volunteer positions\n"
        "B. Members shall not post photographs of evidence.\n",
        encoding="utf-8",
    )
    engine = Engine.load(tmp_path, tmp_path / "cache")
    force = {
        section.section: engine.provisions.force_of(section).force for section in engine.sections
    }
    assert force["I.A.1.a"] == "permits" and force["I.A.1.b"] == "permits"
    assert force["I.B"] == "prohibits"


def test_an_allowed_official_post_cites_the_item_of_the_list_of_allowed_content(
    tmp_path: Path,
) -> None:
    (tmp_path / "manual.txt").write_text(
        "342.2 POLICY\n"
        "The Department may use social media as a method of effectively informing the public "
        "about department services, issues, investigations and other relevant events.\n"
        "342.4 AUTHORIZED CONTENT\n"
        "Only content that is appropriate for public release and supports the department "
        "mission may be posted.\n"
        "Examples of appropriate content include:\n"
        "(a) Announcements.\n"
        "(b) Tips and information related to crime prevention.\n"
        "(c) Recruitment of personnel.\n"
        "342.5 PROHIBITED CONTENT\n"
        "Content that is prohibited from posting includes, but is not limited to:\n"
        "(a) Content that is abusive, discriminatory, inflammatory or sexually explicit.\n",
        encoding="utf-8",
    )
    engine = Engine.load(tmp_path, tmp_path / "cache")
    tip = "Lock your car doors tonight and take your valuables inside. Most break-ins are easy."
    permitting = engine.provisions.permitting(tip, "official")
    # The item's own words say nothing of posting; its list's introduction does.
    assert permitting is not None and permitting.section.section == "342.4(b)"


@needs_manuals
def test_a_stricter_manual_gives_a_stricter_answer_naming_its_approver(tmp_path: Path) -> None:
    engine = Engine.load(POLICIES / "urbana-il", tmp_path / "cache")
    decision = engine.check(
        CheckRequest(
            "Proud day! [photo: me in full uniform with my badge next to my marked squad car]",
            account="personal",
        )
    )
    assert decision.verdict != "ok"
    assert "Chief of Police" in " ".join(finding.fix for finding in decision.findings)
    cited = {citation.section: citation for citation in decision.citations}
    assert "1026.4(g)" in cited and cited["1026.4(g)"].page in (2, 3)


def _manual(tmp_path: Path, settings: str) -> Path:
    folder = tmp_path / "policy"
    folder.mkdir()
    (folder / "manual.txt").write_text(
        "100.1 Social Media\nMembers may share community events.\n"
        "100.2 Uniforms\nMembers shall not post photos in uniform.\n",
        encoding="utf-8",
    )
    (folder / "policy.toml").write_text(settings, encoding="utf-8")
    return folder


def test_policy_toml_mistakes_are_each_named_on_one_line(tmp_path: Path) -> None:
    folder = _manual(
        tmp_path,
        '[topics.victims]\nseverity = "revise"\n'
        '[topics.uniform_rank]\nprovision = "100.9"\n'
        '[topics.nonsense]\nseverity = "needs_review"\n'
        '[custom.on_duty]\nlabel = "posting on duty"\n',
    )
    with pytest.raises(PolicyError) as raised:
        Engine.load(folder, with_judge=False)
    lines = str(raised.value).splitlines()
    assert any("topics.victims" in line and "safety floor" in line for line in lines)
    assert any("topics.uniform_rank.provision" in line and "100.9" in line for line in lines)
    assert any("topics.nonsense" in line and "unknown topic" in line for line in lines)
    assert any("custom.on_duty.phrases" in line for line in lines)
    assert len(lines) >= 5


def test_policy_toml_pins_a_provision_and_adds_a_department_topic(tmp_path: Path) -> None:
    folder = _manual(
        tmp_path,
        '[approvers]\ndefault = "Watch Commander"\n'
        '[topics.uniform_rank]\nprovision = "100.2"\napprover = "Chief"\n'
        '[custom.on_duty]\nlabel = "posting while on duty"\nphrases = ["on shift"]\n'
        'provision = "100.1"\nseverity = "needs_review"\n',
    )
    engine = Engine.load(folder, with_judge=False)
    governing = engine.provisions.governing("uniform_rank")
    assert governing is not None and governing.pinned and governing.section.section == "100.2"
    decision = engine.check(CheckRequest("Bored on shift tonight, send snacks"))
    assert decision.verdict == "needs_review"
    assert any(finding.code == "policy_on_duty" for finding in decision.findings)
    assert "Watch Commander" in " ".join(finding.fix for finding in decision.findings)


def test_cli_reports_a_broken_policy_toml_without_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _manual(tmp_path, "[topics\n")
    monkeypatch.setenv("POLICY_DOCS_DIR", str(folder))
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    assert main(["policy", "show", "uniform_rank"]) == 2
    err = capsys.readouterr().err
    assert "policy.toml: not valid TOML" in err and "Traceback" not in err


def test_running_headers_in_a_generated_pdf_are_dropped_and_pages_kept(tmp_path: Path) -> None:
    from pdf_factory import write_pdf

    header = ["Springfield Police Department", "General Orders"]
    write_pdf(
        tmp_path / "orders.pdf",
        [
            [*header, "Page 1 of 2", "I. PERSONAL USE", "A. Members shall not post the home",
             "address of a fellow officer.", "B. Members may share community events."],
            [*header, "Page 2 of 2", "C. Members shall not post photographs of evidence",
             "without the approval of the Chief of Police."],
        ],
    )  # fmt: skip
    sections = sections_by_id(tmp_path)
    assert sections["I.A"].text == "Members shall not post the home address of a fellow officer."
    assert sections["I.C"].page == 2
    assert not any("General Orders" in section.text for section in sections.values())
    assert read_force(sections["I.C"].text).approver == "Chief of Police"


def test_a_question_sets_first_run_is_recorded_only_once(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from bot.core.manual_eval import first_run_path, manual_sets

    unrecorded = [name for name in manual_sets() if not first_run_path(name).exists()]
    assert not unrecorded, f"question sets without a first run on record: {unrecorded}"
    assert main(["eval", "--manuals", str(POLICIES), "--first-run"]) == 2
    assert "already has its first run on record" in capsys.readouterr().err


@needs_manuals
def test_index_tells_the_admin_what_it_understood(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    monkeypatch.setenv("POLICY_DOCS_DIR", str(POLICIES / "hanover-park-il"))
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    assert main(["index"]) == 0
    shown = capsys.readouterr().out
    assert "86 sections, pages 1-9" in shown
    assert "requires approval" in shown and "Topic -> governing provision" in shown
    assert main(["index", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    ids = {item["id"]: item for item in report["section_list"]}
    assert ids["I.B.5"]["force"] == "requires_approval" and ids["I.B.5"]["page"] == 3
    assert all(topic["provision"] for topic in report["topics"] if topic["topic"] == "politics")
    assert main(["policy", "show", "politics"]) == 0
    assert "Governing provision:" in capsys.readouterr().out


def test_policy_toml_lowers_a_topic_above_the_floor_beside_the_sample(tmp_path: Path) -> None:
    import shutil

    from bot.config import DEFAULT_POLICY_DIR

    folder = tmp_path / "policy"
    shutil.copytree(DEFAULT_POLICY_DIR, folder)
    draft = CheckRequest("Vote for Smith for sheriff! Posting this from my patrol car on shift")
    before = Engine.load(folder, with_judge=False)
    assert before.check(draft).verdict == "do_not_post"
    (folder / "policy.toml").write_text('[topics.politics]\nseverity = "needs_review"\n')
    after = Engine.load(folder, with_judge=False)
    assert after.check(draft).verdict == "needs_review"
    assert after.policy_version != before.policy_version  # the audit trail sees the change


@needs_manuals
def test_a_harmless_post_quotes_the_manuals_own_permission(tmp_path: Path) -> None:
    # A personal post the manual allows cites the provision that allows private speech, not
    # whatever passage shares its words.
    engine = Engine.load(POLICIES / "bloomington-il", tmp_path / "cache")
    decision = engine.check(
        CheckRequest(
            "Finally beat my neighbour at chess this weekend! The kids made him a "
            "consolation trophy out of a cereal box."
        )  # fmt: skip
    )
    assert decision.verdict == "ok"
    assert decision.citations[0].section == "Personal Use 1"
    assert "free to express" in decision.citations[0].quote
