"""A handful of eval cases through the model path (as `canipost eval --engine llm` runs
them), against a fixture that always answers the same verdict: the floor must hold."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fake_openai import FakeOpenAI

from bot.config import Settings
from bot.core.engine import Engine
from bot.core.models import CheckRequest, is_looser
from bot.llm import LLMAdvisor, build_advisor
from bot.llm.bench import run_llm_bench

ROOT = Path(__file__).resolve().parent.parent
PER_VERDICT = 3


def eval_cases() -> list[dict]:
    cases = [json.loads(line) for line in (ROOT / "evals" / "cases.jsonl").open() if line.strip()]
    chosen: list[dict] = []
    for verdict in ("do_not_post", "needs_review", "revise", "ok"):
        chosen += [case for case in cases if case["expected"] == verdict][:PER_VERDICT]
    chosen += [case for case in cases if case.get("category") == "adversarial"][:PER_VERDICT]
    return chosen


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.load(ROOT / "policy_docs")


@pytest.mark.parametrize("model_verdict", ["ok", "revise"])
def test_eval_cases_through_the_model_never_go_below_the_rules(
    engine: Engine, tmp_path: Path, model_verdict: str
) -> None:
    cases = eval_cases()
    assert len(cases) >= 10
    with FakeOpenAI(default_verdict=model_verdict) as server:
        env = {
            "OPENAI_API_KEY": "sk-eval",
            "OPENAI_BASE_URL": server.base_url,
            "CANIPOST_DATA_DIR": str(tmp_path),
        }
        advisor = build_advisor(Settings.from_env(env, dotenv=False), engine)
        assert isinstance(advisor, LLMAdvisor)
        for case in cases:
            request = CheckRequest(
                text=case["text"], account=case["account"], incident=case["incident"]
            )
            local = engine.check(request)
            decision = advisor.check(request)
            assert decision.engine == "gpt-4.1-mini", case["id"]
            assert not is_looser(decision.verdict, local.verdict), case["id"]
            if local.verdict == "do_not_post":
                assert decision.verdict == "do_not_post", case["id"]
            if decision.verdict != "ok":
                assert decision.citations, case["id"]
            assert decision.findings == local.findings
        assert len(server.chat_requests) == len(cases)


def test_bench_compares_budgeted_prompts_with_the_whole_policy(
    engine: Engine, tmp_path: Path
) -> None:
    drafts = [case["text"] for case in eval_cases()]
    counted = run_llm_bench(Settings(), engine, drafts)
    assert counted["model_calls"] == 0
    assert counted["drafts"] == len(drafts)
    assert 0 < counted["prompt_tokens_max"] <= counted["budget_tokens"]
    assert counted["full_policy_prompt_tokens_mean"] > counted["prompt_tokens_mean"]
    assert counted["reduction_factor"] > 1

    with FakeOpenAI() as server:
        settings = Settings(
            openai_api_key="sk-bench", openai_base_url=server.base_url, data_dir=tmp_path
        )
        measured = run_llm_bench(settings, engine, drafts[:4])
        assert measured["model_calls"] == measured["model_answers"] == 4
        assert measured["fallbacks"] == 0
        assert measured["looser_than_rules"] == 0
        assert measured["tokens_in_mean"] > 0 and measured["cost_usd_total"] > 0
