"""Everything one app process holds: settings, engine, advisor, store, queue, Bolt app."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from slack_bolt import App

from bot.config import Settings
from bot.core.engine import Engine
from bot.core.models import Advisor
from bot.core.policy_watch import PolicyWatcher
from bot.llm import build_advisor
from bot.slack.app import build_app
from bot.slack.claims import claim_in
from bot.slack.client import make_web_client
from bot.slack.deps import Deps
from bot.slack.incidents import IncidentChannels, Reviewers
from bot.slack.jobs import Jobs
from bot.slack.judging import JudgePool
from bot.slack.pending import PendingChecks
from bot.slack.review import ReviewService
from bot.slack.scheduler import Housekeeping
from bot.slack.service import CheckService
from bot.slack.workproc import ProcessJobs
from bot.store import Store

log = logging.getLogger(__name__)

JOB_THREADS = 16


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    advisor: Advisor
    store: Store
    deps: Deps
    app: App
    owns_store: bool = True
    housekeeping: Housekeeping | None = None
    builds_advisor: bool = True  # False when the caller gave one (kept across reloads)
    watcher: PolicyWatcher[Engine] | None = None

    @classmethod
    def start(
        cls,
        settings: Settings,
        *,
        socket_mode: bool = False,
        store: Store | None = None,
        engine: Engine | None = None,
        advisor: Advisor | None = None,
        job_threads: int = JOB_THREADS,
        housekeeping_seconds: float | None = 60.0,
    ) -> Runtime:
        """Open what is not given. Raises UserError subclasses (StoreError, PolicyError,
        ConfigError) with a one-line message, and BoltError if Slack refuses the token.
        `housekeeping_seconds` is how often reminders are checked; None runs no loop.
        With `settings.policy_reload_seconds`, the policy folder is watched and a changed
        policy swapped in without a restart (`reload_policy`). WORK_MODE says where the work
        after an ack runs: threads here, threads here with the judgment in JUDGE_WORKERS
        processes (pool), or a work process (process). A given advisor (tests) is used
        here, on threads."""
        engine = engine or Engine.load(settings.policy_docs_dir, settings.index_dir)
        builds_advisor = advisor is None
        mode = "threads" if advisor is not None else settings.work_mode
        advisor = advisor or build_advisor(settings, engine)
        owns_store = store is None
        store = store or Store.open(settings.effective_database_url)
        holder: list[Deps] = []
        jobs: Jobs | ProcessJobs = (
            ProcessJobs(settings, lambda: holder[0])
            if mode == "process"
            else Jobs(job_threads, claim=claim_in(store))
        )
        judging: JudgePool | None = None
        try:
            service = CheckService(
                settings=settings,
                engine=engine,
                advisor=advisor,
                store=store,
                pending=PendingChecks(),
            )
            if mode == "pool":
                judging = JudgePool(settings, service.judge_here, workers=settings.judge_workers)
                service.judging = judging
            reviewers = Reviewers(settings.reviewer_ids, settings.reviewer_group_id)
            deps = Deps(
                settings=settings,
                service=service,
                jobs=jobs,
                incidents=IncidentChannels(settings.incident_channel_ids, store),
                reviewers=reviewers,
                review=ReviewService(settings=settings, store=store, reviewers=reviewers),
            )
            holder.append(deps)
            client = make_web_client(settings)
            app = build_app(deps, client=client, socket_mode=socket_mode)
            housekeeping = None
            if housekeeping_seconds is not None:
                housekeeping = Housekeeping(
                    deps.review, client, interval_seconds=housekeeping_seconds
                ).start()
        except BaseException:
            jobs.shutdown(0)
            if judging is not None:
                judging.close()
            if owns_store:
                store.close()
            raise
        runtime = cls(
            settings, engine, advisor, store, deps, app, owns_store, housekeeping, builds_advisor
        )
        if settings.policy_reload_seconds > 0:
            runtime.watcher = PolicyWatcher(
                settings.policy_docs_dir,
                load=lambda: Engine.load(settings.policy_docs_dir, settings.index_dir),
                on_load=runtime.use_engine,
                describe=describe_policy,
                serving=describe_policy(engine),
                interval=settings.policy_reload_seconds,
            ).start()
        return runtime

    def use_engine(self, engine: Engine) -> None:
        """Serve `engine` (a new policy version) from the next check on. The advisor is
        rebuilt over it when the runtime built it; a local-engine advisor is the engine."""
        if self.builds_advisor:
            advisor = build_advisor(self.settings, engine)
        elif self.advisor is self.engine:
            advisor = engine
        else:
            advisor = self.advisor
        self.deps.service.use(engine, advisor)
        self.engine, self.advisor = engine, advisor

    def close(self, timeout: float = 20.0) -> None:
        """Let queued work finish (bounded), then release the database."""
        if self.watcher is not None:
            self.watcher.stop(timeout)
        if self.housekeeping is not None:
            self.housekeeping.stop()
        self.deps.jobs.shutdown(timeout)
        if self.deps.service.judging is not None:
            self.deps.service.judging.close()
        if self.owns_store:
            self.store.close()


def describe_policy(engine: Engine) -> str:
    """How the log names a policy version: "policy 1a2b3c4d5e6f7a8b (412 sections)"."""
    return f"policy {engine.policy_version} ({len(engine.sections)} sections)"
