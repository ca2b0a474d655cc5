"""Audit rows (escalation events with case metadata) and their CSV / JSON writers."""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import IO, Any, Literal

AUDIT_FIELDS: tuple[str, ...] = (
    "event_id",
    "at",
    "escalation_id",
    "action",
    "actor",
    "note",
    "status",
    "requester_id",
    "surface",
    "reason",
    "reviewer_id",
    "escalation_created_at",
    "decided_at",
    "draft_purged_at",
    "verdict",
    "finding_codes",
    "policy_version",
    "engine",
)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def audit_row(m: Mapping[str, Any]) -> dict[str, Any]:
    """One JSON-ready audit row from a joined event/escalation row (no draft, no rewrite)."""
    try:
        decision = json.loads(m["decision_json"] or "{}")
    except ValueError:
        decision = {}
    return {
        "event_id": int(m["event_id"]),
        "at": _iso(m["at"]),
        "escalation_id": int(m["escalation_id"]),
        "action": m["action"],
        "actor": m["actor"],
        "note": m["note"],
        "status": m["status"],
        "requester_id": m["requester_id"],
        "surface": m["surface"],
        "reason": m["reason"],
        "reviewer_id": m["reviewer_id"],
        "escalation_created_at": _iso(m["escalation_created_at"]),
        "decided_at": _iso(m["decided_at"]),
        "draft_purged_at": _iso(m["draft_purged_at"]),
        "verdict": decision.get("verdict"),
        "finding_codes": [f.get("code") for f in decision.get("findings", []) if f.get("code")],
        "policy_version": decision.get("policy_version"),
        "engine": decision.get("engine"),
    }


def write_audit_csv(rows: Sequence[Mapping[str, Any]], out: IO[str]) -> None:
    """CSV with a header row; finding codes joined with ';'."""
    writer = csv.DictWriter(out, fieldnames=list(AUDIT_FIELDS), extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        flat = dict(row)
        codes = flat.get("finding_codes")
        if isinstance(codes, list | tuple):
            flat["finding_codes"] = ";".join(str(c) for c in codes)
        writer.writerow({k: ("" if v is None else v) for k, v in flat.items()})


def write_audit_json(
    rows: Sequence[Mapping[str, Any]], out: IO[str], *, lines: bool = False
) -> None:
    """A JSON array (indented), or one object per line with `lines=True`."""
    if lines:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
        return
    json.dump(list(rows), out, ensure_ascii=False, indent=2)
    out.write("\n")


def write_audit(
    rows: Sequence[Mapping[str, Any]],
    out: IO[str],
    *,
    fmt: Literal["csv", "json", "jsonl"] = "csv",
) -> None:
    if fmt == "csv":
        write_audit_csv(rows, out)
    elif fmt == "json":
        write_audit_json(rows, out)
    elif fmt == "jsonl":
        write_audit_json(rows, out, lines=True)
    else:
        raise ValueError(f"audit format must be csv, json or jsonl, got {fmt!r}")
