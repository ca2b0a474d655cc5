"""`canipost bench --llm`: tokens per answer with retrieval + budget vs the whole policy.

    numbers = run_llm_bench(settings, engine, drafts)

Without a key (or with `call_model=False`) only prompts are built and counted (BM25
retrieval, no network). With a key, every draft also goes through the model, and measured
tokens, cost, latency and fallbacks are reported.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence

from bot.config import Settings
from bot.core.engine import Engine
from bot.core.models import CheckRequest, Decision, is_looser
from bot.llm.advisor import LLMAdvisor
from bot.llm.config import LLMOptions
from bot.llm.context import PromptBuilder
from bot.llm.pricing import estimate_cost
from bot.llm.prompts import PromptSet
from bot.llm.tokens import counter_for

Number = int | float | str | bool


def _percentile(values: Sequence[float], fraction: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def _mean(values: Sequence[float]) -> float:
    return statistics.fmean(values) if values else 0.0


def run_llm_bench(
    settings: Settings,
    engine: Engine,
    drafts: Sequence[str | CheckRequest],
    *,
    call_model: bool | None = None,
    options: LLMOptions | None = None,
    advisor: LLMAdvisor | None = None,
) -> dict[str, Number]:
    """Numbers for a table: prompt tokens per answer (budgeted) against the whole policy."""
    options = options or LLMOptions()
    requests = [d if isinstance(d, CheckRequest) else CheckRequest(text=d) for d in drafts]
    if call_model is None:
        call_model = settings.llm_enabled
    prompts = advisor.prompts if advisor else PromptSet.load()
    counter = counter_for(settings.openai_model)
    builder = PromptBuilder(
        engine, prompts, counter, options, redact_drafts=settings.redact_before_llm
    )

    budgeted: list[int] = []
    full: list[int] = []
    given: list[int] = []
    over_budget = 0
    for request in requests:
        local = engine.check(request)
        redaction = builder.redact(request)
        package = builder.build(
            request, local, redaction, builder.candidates(request, local, dense_ranking=None)
        )
        if package is None:
            over_budget += 1
        else:
            budgeted.append(package.prompt_tokens)
            given.append(len(package.passages))
        full.append(builder.build_full_policy(request, local, redaction).prompt_tokens)

    mean_budgeted, mean_full = _mean(budgeted), _mean(full)
    numbers: dict[str, Number] = {
        "drafts": len(requests),
        "model": settings.openai_model,
        "encoding": counter.encoding,
        "encoding_exact": counter.exact,
        "prompt_version": prompts.version,
        "budget_tokens": options.max_prompt_tokens,
        "policy_passages": len(engine.passages),
        "policy_tokens": engine.stats.tokens,
        "prompt_tokens_mean": round(mean_budgeted, 1),
        "prompt_tokens_p95": _percentile(budgeted, 0.95),
        "prompt_tokens_max": max(budgeted, default=0),
        "passages_mean": round(_mean(given), 2),
        "over_budget": over_budget,
        "full_policy_prompt_tokens_mean": round(mean_full, 1),
        "full_policy_prompt_tokens_max": max(full, default=0),
        "reduction_factor": round(mean_full / mean_budgeted, 2) if mean_budgeted else 0.0,
        "saved_percent": round(100 * (1 - mean_budgeted / mean_full), 1) if mean_full else 0.0,
        "input_cost_per_answer_usd": round(
            estimate_cost(settings.openai_model, round(mean_budgeted)) or 0.0, 6
        ),
        "input_cost_full_policy_usd": round(
            estimate_cost(settings.openai_model, round(mean_full)) or 0.0, 6
        ),
        "retrieval": "bm25 (counted offline)",
        "model_calls": 0,
    }
    if call_model:
        numbers.update(_measure(settings, engine, requests, options, advisor))
    return numbers


def _measure(
    settings: Settings,
    engine: Engine,
    requests: Sequence[CheckRequest],
    options: LLMOptions,
    advisor: LLMAdvisor | None,
) -> dict[str, Number]:
    advisor = advisor or LLMAdvisor(settings, engine, options=options)
    advisor.warm_up()
    decisions: list[Decision] = []
    looser = 0
    for request in requests:
        decision = advisor.check(request)
        decisions.append(decision)
        if is_looser(decision.verdict, engine.check(request).verdict):
            looser += 1
    answered = [d for d in decisions if d.usage is not None]
    tokens_in = [d.usage.tokens_in for d in answered if d.usage]
    tokens_out = [d.usage.tokens_out for d in answered if d.usage]
    cost = sum(d.usage.cost_usd for d in answered if d.usage)
    latencies = [d.latency_ms for d in decisions]
    return {
        "retrieval": "bm25 + embeddings (rrf)" if options.use_embeddings else "bm25",
        "model_calls": len(decisions),
        "model_answers": len(answered),
        "fallbacks": len(decisions) - len(answered),
        "tokens_in_mean": round(_mean(tokens_in), 1),
        "tokens_out_mean": round(_mean(tokens_out), 1),
        "cost_usd_total": round(cost, 6),
        "cost_usd_per_answer": round(cost / len(answered), 6) if answered else 0.0,
        "latency_ms_p50": round(_percentile(latencies, 0.5), 1),
        "latency_ms_p95": round(_percentile(latencies, 0.95), 1),
        "looser_than_rules": looser,
    }
