"""The prompt templates in prompts/, rendered with string.Template and versioned by hash.

`version` is the first 12 hex digits of SHA-256 over each template's file name and bytes
(in name order) plus the JSON schema of the structured answer, so a change to any wording
or to the answer's shape gives a new version, recorded with every decision.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from string import Template

from bot.config import REPO_ROOT, ConfigError
from bot.llm.schema import schema_text

PROMPTS_DIR = REPO_ROOT / "prompts"
TEMPLATE_FILES = ("system.txt", "user.txt")
_MARKERS = ("<<<DRAFT", "DRAFT>>>")


@dataclass(frozen=True)
class PromptSet:
    system: str
    user: Template
    version: str

    @classmethod
    def load(cls, directory: Path = PROMPTS_DIR) -> PromptSet:
        texts: dict[str, str] = {}
        digest = hashlib.sha256()
        for name in sorted(TEMPLATE_FILES):
            path = Path(directory) / name
            try:
                raw = path.read_bytes()
            except OSError:
                raise ConfigError(f"prompt template {path} is missing or unreadable") from None
            digest.update(name.encode() + b"\0" + raw + b"\0")
            texts[name] = raw.decode("utf-8")
        digest.update(b"schema\0" + schema_text().encode())
        return cls(
            system=texts["system.txt"].strip(),
            user=Template(texts["user.txt"]),
            version=digest.hexdigest()[:12],
        )

    def render_user(
        self, *, account: str, incident: bool, findings: str, passages: str, draft: str
    ) -> str:
        for marker in _MARKERS:  # the draft cannot close its own quotation
            draft = draft.replace(marker, marker.replace("DRAFT", "D R A F T"))
        return self.user.substitute(
            account=account,
            incident="yes" if incident else "no",
            findings=findings or "- none",
            passages=passages or "(none)",
            draft=draft,
        ).strip()
