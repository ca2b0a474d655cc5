"""The answer an officer gets for one draft of each verdict, as the text of its blocks.

.venv/bin/python bench/render_answers.py [--admin]

Renders with the real Block Kit builders (bot/slack/blocks.py) on the sample policy, one
line per block: what a phone shows, and how long it is. `--admin` renders what an admin
(a configured reviewer) sees, with the technical footer.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from bot.config import DEFAULT_POLICY_DIR
from bot.core.engine import Engine
from bot.core.models import CheckRequest
from bot.slack.blocks import AnswerContext, answer_message

DRAFTS = {
    "ok": "Join us for Coffee with a Cop this Saturday, 9-11am, at the public library!",
    "revise": "Great turnout at the bike rodeo today, thanks to everyone at 12 Elm Street!",
    "do_not_post": "The victim, Maria Gonzalez, was assaulted at 41 Oak Avenue last night.",
    "needs_review": "Shots fired downtown, stay away from Main and 3rd.",
}


def element_text(element: dict[str, Any]) -> str:
    if element["type"] == "button":
        return f"[{element['text']['text']}]"
    if element["type"] == "feedback_buttons":
        up, down = element["positive_button"], element["negative_button"]
        return f"[{up['text']['text']}] [{down['text']['text']}]"
    if element["type"] == "static_select":
        return f"[{element['placeholder']['text']} ▾]"
    return f"[{element['type']}]"


def block_text(block: dict[str, Any]) -> str:
    kind = block["type"]
    if kind in ("header", "section"):
        return str(block["text"]["text"])
    if kind == "context":
        return " | ".join(element.get("text", "") for element in block["elements"])
    if kind in ("actions", "context_actions"):
        return " ".join(element_text(element) for element in block["elements"])
    return "────" if kind == "divider" else f"<{kind}>"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--admin", action="store_true")
    args = parser.parse_args()
    engine = Engine.load(DEFAULT_POLICY_DIR, None)
    for verdict, draft in DRAFTS.items():
        decision = engine.check(CheckRequest(text=draft, surface="dm"))
        ctx = AnswerContext(draft=draft, ref="c1", check_id=1, technical=args.admin)
        message = answer_message(decision, ctx)
        lines = [block_text(block) for block in message.blocks]
        size = len(json.dumps(message.blocks, ensure_ascii=False))
        print(
            f"=== {verdict} (engine: {decision.verdict}): {len(message.blocks)} blocks, "
            f"{sum(len(line) for line in lines)} visible characters, {size:,} bytes of JSON"
        )
        print("\n".join(lines), end="\n\n")


if __name__ == "__main__":
    main()
