"""The structured answer the model must give (sent as a strict JSON schema)."""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class ModelReason(BaseModel):
    model_config = ConfigDict(extra="forbid")

    passage_id: str = Field(description="Id of the policy passage this reason rests on, e.g. P2.")
    quote: str = Field(
        description="One or two sentences copied character for character from that passage."
    )
    explanation: str = Field(
        description="How the passage applies to the draft, in one or two plain sentences."
    )


class ModelAnswer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    verdict: Literal["ok", "revise", "do_not_post", "needs_review"]
    summary: str = Field(description="One or two sentences for the officer: the answer and why.")
    reasons: list[ModelReason] = Field(
        description="The policy grounds for the verdict, each tied to one given passage."
    )
    rewrite: str | None = Field(
        description="When the verdict is revise: the draft with the problems fixed. Else null."
    )
    needs_human: bool = Field(
        description="True when a human reviewer (the PIO) should decide, including when unsure."
    )
    confidence: float = Field(description="How sure you are of the verdict, from 0 to 1.")


def response_format_schema() -> dict[str, Any]:
    """The exact response_format the SDK sends for ModelAnswer (for hashing and budgets)."""
    from openai.lib._parsing._completions import type_to_response_format_param

    return dict(type_to_response_format_param(ModelAnswer))  # type: ignore[arg-type]


def schema_text() -> str:
    return json.dumps(response_format_schema(), sort_keys=True, separators=(",", ":"))
