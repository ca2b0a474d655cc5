"""The one place a Slack surface turns a CheckRequest into an answer.

`run_check` asks the advisor, records the check (hash only), keeps the draft in memory
for "Ask a reviewer", and escalates `needs_review` verdicts automatically. `escalate`
stores the case and posts the review card. No Slack payload parsing and no rendering
happen here; no judgment either: that is the advisor's job.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, replace
from typing import Literal

from slack_sdk import WebClient

from bot.config import Settings
from bot.core.engine import Engine
from bot.core.errors import InputError
from bot.core.models import Advisor, CheckRequest, Citation, Decision, Finding, PolicySection
from bot.core.photo import (
    PHOTO_QUERIES,
    PhotoReader,
    PhotoReading,
    caption_of,
    photo_findings,
    photo_text,
    unseen_base,
    with_photo,
)
from bot.core.verdict import FALLBACK_CODE
from bot.slack.blocks import decode_policy_refs, decode_section_ref, section_hash
from bot.slack.delivery import open_dm
from bot.slack.files import Photo
from bot.slack.judging import Judged, Judging, judge_with, policy_answer
from bot.slack.logsetup import describe_exception
from bot.slack.outcome import CheckOutcome, EscalationNotice, PolicyAnswer
from bot.slack.pending import PendingChecks, ReplyTarget
from bot.slack.review import announce
from bot.store import Store, StoreError

log = logging.getLogger(__name__)

AUTO_REASON = "verdict needs_review (automatic)"
OFFICER_REASON = "asked by the officer"
DIRECT_REASON = "/canipost review"
FAILED_SUFFIX = " (automatic check failed)"

FeedbackStatus = Literal["saved", "changed", "not_owner", "failed"]


@dataclass
class _Policy:
    """The version in service: its engine, the advisor over it, and its sections by hash."""

    engine: Engine
    advisor: Advisor
    by_hash: dict[str, PolicySection] | None = None


class CheckService:
    def __init__(
        self,
        *,
        settings: Settings,
        engine: Engine,
        advisor: Advisor,
        store: Store,
        pending: PendingChecks | None = None,
        photos: PhotoReader | None = None,
        judging: Judging | None = None,
    ) -> None:
        """`judging` does the judgment elsewhere (a worker pool); None judges here."""
        self.settings = settings
        self.store = store
        self.pending = pending or PendingChecks()
        self.photos = photos or PhotoReader()
        self._policy = _Policy(engine, advisor)
        self.judging = judging
        self._by_hash: dict[str, PolicySection] | None = None

    @property
    def engine(self) -> Engine:
        return self._policy.engine

    @property
    def advisor(self) -> Advisor:
        return self._policy.advisor

    def use(self, engine: Engine, advisor: Advisor) -> None:
        """Answer from a new policy version from now on: one assignment, so a check sees
        either the old engine and advisor or the new ones, never half of each."""
        self._policy = _Policy(engine, advisor)
        self._by_hash = None  # the section lookup belongs to the old version

    # ----------------------------------------------------------------- checks

    def run_check(
        self,
        client: WebClient,
        request: CheckRequest,
        *,
        reply: ReplyTarget,
        escalate_reason: str | None = None,
        question: bool = False,
        photo: Photo | None = None,
    ) -> CheckOutcome:
        """Check `request`; escalate when the verdict is needs_review, or always when an
        `escalate_reason` is given (`/canipost review`).

        With `question` the text is a question about the policy: it is answered from the
        policy's passages (never with a verdict), unless it carries details that identify
        someone or a do-not-post finding of its own ("Can I share that Maria Gonzalez, the
        victim, ..."), in which case it is judged like a draft.

        With `photo` the check covers the photo too: its text (OCR) is judged with the
        caption, and what its data and faces reveal is added to the verdict."""
        started = time.perf_counter()
        reading: PhotoReading | None = None
        try:
            if photo is not None:
                request, decision, reading = self._check_photo(request, photo)
                judged = Judged(decision, None, "local")
            elif self.judging is not None:
                judged = self.judging.judge(
                    request, question=question, policy_version=self.engine.policy_version
                )
            else:
                judged = self.judge_here(request, question)
        except InputError as exc:
            log.info("check rejected: surface=%s user=%s (input)", request.surface, request.user_id)
            return CheckOutcome(request, input_error=str(exc).rstrip("."))
        except Exception as exc:  # any engine/model failure: apologise, offer a human
            log.error(
                "check failed: surface=%s user=%s %s",
                request.surface,
                request.user_id,
                describe_exception(exc),
            )
            key = self.pending.add(
                request, self._fallback_decision(request), reply, None, photo=photo
            )
            notice = None
            if escalate_reason:
                notice = self.escalate(
                    client, key, user_id=request.user_id, reason=escalate_reason + FAILED_SUFFIX
                )
            return CheckOutcome(request, ref=key, escalation=notice, failed=True)

        decision, answer = judged.decision, judged.answer
        if answer is not None:
            log.info(
                "question answered: surface=%s user=%s channel=%s passages=%s judged=%s",
                request.surface,
                request.user_id,
                request.channel_id,
                ",".join(c.section for c in answer.citations) or "-",
                judged.where,
            )
            return CheckOutcome(request, answer=answer)

        check_id = self._record(request, decision)
        key = self.pending.add(request, decision, reply, check_id, photo=photo)
        notice = None
        if escalate_reason or decision.verdict == "needs_review":
            notice = self.escalate(
                client,
                key,
                user_id=request.user_id,
                reason=escalate_reason or AUTO_REASON,
                automatic=escalate_reason is None,
            )
        log.info(
            "check %s: surface=%s user=%s channel=%s verdict=%s findings=%s engine=%s "
            "judged=%s engine_ms=%.1f total_ms=%.1f",
            check_id if check_id is not None else "-",
            request.surface,
            request.user_id,
            request.channel_id,
            decision.verdict,
            ",".join(decision.finding_codes) or "-",
            decision.engine,
            judged.where,
            decision.latency_ms,
            (time.perf_counter() - started) * 1000,
        )
        return CheckOutcome(
            request,
            decision,
            check_id,
            key,
            notice,
            technical=self.is_admin(request.user_id),
            photo=reading,
        )

    def _check_photo(
        self, request: CheckRequest, photo: Photo
    ) -> tuple[CheckRequest, Decision, PhotoReading]:
        """Read the photo in memory, judge its caption with its text, add what it reveals."""
        reading = self.photos.read(photo.data)
        text = photo_text(caption_of(request.text), reading)
        checked = replace(request, text=text)
        if text:
            decision = self.advisor.check(checked)
        else:
            decision = unseen_base(
                policy_version=self.engine.policy_version,
                account=request.account,
                incident=request.incident,
            )
        findings = photo_findings(reading, judged_text=bool(text))

        def cite(finding: Finding) -> Citation | None:
            query = PHOTO_QUERIES.get(finding.code, finding.message)
            return self.engine.finding_citation(finding, query) or self.engine.topic_citation(
                finding.topic, query
            )

        log.info(
            "photo read: surface=%s user=%s %.1f MP gps=%s faces=%s text_lines=%s in %.2f s",
            request.surface,
            request.user_id,
            reading.megapixels,
            "yes" if reading.gps else "no",
            reading.faces,
            len(reading.text),
            reading.seconds,
        )
        return checked, with_photo(decision, reading, findings, cite=cite), reading

    def policy_answer(self, question: str, decision: Decision | None = None) -> PolicyAnswer:
        """The passages that answer a question (see bot.slack.judging.policy_answer)."""
        return policy_answer(self.engine, question, decision)

    def judge_here(self, request: CheckRequest, question: bool) -> Judged:
        """Judge here (no pool, or the pool could not take it) with the current engine."""
        return judge_with(self.advisor, self.engine, request, question, "local")

    def _record(self, request: CheckRequest, decision: Decision) -> int | None:
        try:
            return self.store.record_check(
                user_id=request.user_id,
                surface=request.surface,
                channel_id=request.channel_id,
                decision=decision,
                draft_text=request.text,
            )
        except StoreError as exc:
            log.error("store: record_check failed: %s", describe_exception(exc))
            return None

    def _fallback_decision(self, request: CheckRequest) -> Decision:
        """What a reviewer sees when the automatic check itself failed."""
        citation: Citation | None = None
        try:
            citation = self.engine.rule_citation(FALLBACK_CODE)
        except Exception:  # the engine may be what broke
            citation = None
        return Decision(
            verdict="needs_review",
            summary="The automatic check failed on this draft, so a reviewer should decide.",
            findings=(),
            citations=(citation,) if citation else (),
            escalate=True,
            confidence=0.0,
            policy_version=self.engine.policy_version,
            engine="error",
            account=request.account,
            incident=request.incident,
        )

    # ----------------------------------------------------------------- escalation

    def escalate(
        self,
        client: WebClient,
        key: str,
        *,
        user_id: str | None,
        reason: str = OFFICER_REASON,
        automatic: bool = False,
    ) -> EscalationNotice:
        """Hand the pending check `key` to the reviewers, once."""
        entry = self.pending.get(key)
        if entry is None:
            return EscalationNotice("expired")
        by_dm = entry.reply.by_dm
        if not user_id or (entry.request.user_id and entry.request.user_id != user_id):
            return EscalationNotice("not_requester")
        status, entry = self.pending.claim(key)
        if entry is None:
            return EscalationNotice("expired")
        if status == "already":
            return EscalationNotice("already", entry.escalation_id, by_dm)
        if status == "busy":
            return EscalationNotice("in_progress", None, by_dm)

        escalation_id: int | None = None
        try:
            reply_channel = entry.reply.channel or open_dm(client, user_id)
            escalation = self.store.create_escalation(
                draft_text=entry.request.text,
                decision=entry.decision,
                requester_id=user_id,
                surface=entry.request.surface,
                reason=reason,
                reply_channel=reply_channel,
                reply_thread_ts=entry.reply.thread_ts,
                requester_note=entry.request.note,
                asked_in=entry.request.channel_id,
            )
            escalation_id = escalation.id
        except (StoreError, ValueError) as exc:
            log.error("escalation failed: check=%s %s", entry.check_id, describe_exception(exc))
            return EscalationNotice("failed")
        finally:
            self.pending.finish(key, escalation_id)

        channel = self.settings.review_channel_id
        announced = (
            announce(client, self.store, channel, escalation, photo=entry.photo)
            if channel
            else False
        )
        if not channel:
            log.warning(
                "escalation %s: REVIEW_CHANNEL_ID is not set, no card posted", escalation.id
            )
        log.info(
            "escalation %s: check=%s surface=%s user=%s reason=%s card=%s",
            escalation.id,
            entry.check_id if entry.check_id is not None else "-",
            entry.request.surface,
            user_id,
            reason,
            "posted" if announced else "not posted",
        )
        return EscalationNotice(
            "sent" if announced else "unannounced", escalation.id, by_dm, automatic
        )

    # ----------------------------------------------------------------- the rest

    def record_feedback(
        self, *, user_id: str, check_id: int, value: Literal["up", "down"]
    ) -> FeedbackStatus:
        """saved / changed (this person's earlier vote replaced) / not_owner / failed."""
        try:
            result = self.store.record_feedback(user_id=user_id, value=value, check_id=check_id)
        except (StoreError, ValueError) as exc:
            log.warning("store: record_feedback failed: %s", describe_exception(exc))
            return "failed"
        log.info("feedback %s: check=%s user=%s %s", value, check_id, user_id, result.status)
        return result.status

    def outcome_for(
        self, key: str, *, escalation: EscalationNotice | None = None
    ) -> CheckOutcome | None:
        """The answer behind a pending key, to draw it again after a button was used (an
        ephemeral answer's blocks are not in the click's payload). None once expired."""
        entry = self.pending.get(key)
        if entry is None:
            return None
        if escalation is None and entry.escalation_id is not None:
            escalation = EscalationNotice(
                "already", entry.escalation_id, entry.reply.by_dm, automatic=False
            )
        return CheckOutcome(
            entry.request,
            entry.decision,
            entry.check_id,
            key,
            escalation,
            technical=self.is_admin(entry.request.user_id),
        )

    def is_admin(self, user_id: str | None) -> bool:
        """Admins (the configured reviewers) see an answer's technical footer."""
        return bool(user_id) and user_id in self.settings.reviewer_ids

    def sections(self, value: str) -> tuple[list[PolicySection], int]:
        """The sections a "Show the policy" value names, and how many no longer exist."""
        found: list[PolicySection] = []
        missing = 0
        for ref in decode_policy_refs(value):
            section = self.section(ref)
            if section is None:
                missing += 1
            elif section not in found:
                found.append(section)
        return found, missing

    def section(self, value: str) -> PolicySection | None:
        """The policy section a "Show full section" value names, if it still exists."""
        ref = decode_section_ref(value)
        if ref is None:
            return None
        if isinstance(ref, tuple):
            return self.engine.section(*ref)
        policy = self._policy
        if policy.by_hash is None:
            policy.by_hash = {section_hash(s.source, s.section): s for s in policy.engine.sections}
        return policy.by_hash.get(ref)

    def first_delivery(self, event_id: str | None) -> bool:
        """True the first time any instance sees this Slack event id. Fails open: when the
        store is down, answering twice beats not answering."""
        if not event_id:
            return True
        try:
            return self.store.mark_event_seen(f"slack:{event_id}")
        except (StoreError, ValueError) as exc:
            log.warning("store: mark_event_seen failed: %s", describe_exception(exc))
            return True
