"""Tuning knobs of the model path and the start-up check of its settings."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from bot.config import ConfigError, Settings
from bot.llm.pricing import price_for

_LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "0.0.0.0"}


@dataclass(frozen=True)
class LLMOptions:
    """Everything about the model path that is not an environment setting."""

    max_prompt_tokens: int = 6000  # system + user message + response schema
    max_passages: int = 8
    max_output_tokens: int = 1200
    max_output_tokens_reasoning: int = 6000  # o-series / gpt-5: reasoning tokens count too
    candidate_passages: int = 24  # how deep each retriever looks before fusion
    rrf_k: int = 60  # reciprocal rank fusion constant
    max_retries: int = 2  # after the first attempt, for timeouts, 429 and 5xx
    backoff_seconds: float = 0.5  # first retry waits this long, then doubles
    max_backoff_seconds: float = 4.0  # also caps a server's Retry-After
    use_embeddings: bool = True  # fuse OpenAI embeddings with BM25
    embedding_batch: int = 128
    unsure_below: float = 0.5  # model confidence under this means "a human decides"
    embeddings_retry_seconds: float = 300.0  # after an embedding failure, BM25 alone until
    dense_share: float = 0.5  # of the answer's time budget, at most this for embeddings
    breaker_failures: int = 3  # answers failing in a row (timeout, 5xx...) open the breaker
    breaker_open_seconds: float = 60.0  # then no model call for this long, then one trial


def check_llm_settings(settings: Settings) -> list[str]:
    """One line per problem with the model settings: errors first, then warnings.

    Errors start with "error:" and stop `build_advisor`; warnings start with "warning:".
    Returns nothing when no key is set (the local engine answers) and nothing is odd.
    """
    errors: list[str] = []
    warnings: list[str] = []
    key = settings.openai_api_key
    base_url = settings.openai_base_url
    if base_url:
        parts = urlsplit(base_url)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            errors.append(
                f"OPENAI_BASE_URL must be an http(s) URL such as https://api.openai.com/v1, "
                f"got {base_url!r}"
            )
        else:
            host = (parts.hostname or "").lower()
            if parts.scheme == "http" and host not in _LOCAL_HOSTS:
                warnings.append(
                    f"OPENAI_BASE_URL uses plain http to {host}; drafts would travel unencrypted"
                )
            if parts.path.strip("/") == "":
                warnings.append(
                    f"OPENAI_BASE_URL {base_url!r} has no path; OpenAI-compatible servers "
                    "usually expect one ending in /v1"
                )
            elif host.endswith(".openai.azure.com") and "/openai/v1" not in parts.path:
                warnings.append(
                    "OPENAI_BASE_URL points at Azure OpenAI; use "
                    "https://<resource>.openai.azure.com/openai/v1/ (the v1 API) and set "
                    "OPENAI_MODEL to the deployment name"
                )
        if not key:
            warnings.append("OPENAI_BASE_URL is set but OPENAI_API_KEY is not: the model is off")
    if not key:
        return _labelled(errors, warnings)
    if key != key.strip() or any(char.isspace() for char in key):
        errors.append("OPENAI_API_KEY contains spaces or line breaks; paste the key again")
    elif key[0] in "'\"" or key[-1] in "'\"":
        errors.append("OPENAI_API_KEY is wrapped in quotes; remove them")
    elif not key.isascii():
        errors.append("OPENAI_API_KEY contains non-ASCII characters; paste the key again")
    elif not base_url and not key.startswith("sk-"):
        warnings.append(
            "OPENAI_API_KEY does not look like an OpenAI key (sk-...); api.openai.com will "
            "probably reject it (set OPENAI_BASE_URL for Azure or a self-hosted server)"
        )
    if not settings.openai_model.strip():
        errors.append("OPENAI_MODEL is empty")
    if price_for(settings.openai_model) is None:
        warnings.append(
            f"no price known for OPENAI_MODEL={settings.openai_model}; costs are reported as 0"
        )
    if not settings.redact_before_llm:
        warnings.append(
            "REDACT_BEFORE_LLM=false: drafts go to the model with names, addresses and other "
            "identifiers in them"
        )
    return _labelled(errors, warnings)


def _labelled(errors: list[str], warnings: list[str]) -> list[str]:
    return [f"error: {line}" for line in errors] + [f"warning: {line}" for line in warnings]


def validate_llm_settings(settings: Settings) -> list[str]:
    """Raise ConfigError (one line) for the first error; return the warnings."""
    problems = check_llm_settings(settings)
    for line in problems:
        if line.startswith("error: "):
            raise ConfigError(line.removeprefix("error: "))
    return [line.removeprefix("warning: ") for line in problems]
