"""JSON replies from any OpenAI-compatible chat server, validated with pydantic.

Works with OpenAI, Azure OpenAI, Ollama, llama.cpp and vLLM. Structured output is asked
for in the richest form the server accepts, learned once per session: OpenAI's
``json_schema``, then ``json_object`` with a schema (llama-cpp-python, which then constrains
decoding to it), then plain ``json_object``, then none (the schema is in the prompt too).

Timeouts are short (30 s, not the client's 10 minutes); a failed connection or a server
error is retried twice with backoff, a time-out is not (a server that said nothing for 30 s
will not say more on the next try). A reply that is not valid JSON for the schema is asked
for once more. A server found down (a time-out, no connection, errors after the retries) is
not asked again for ``DOWN_FOR_S`` by any client of this process (the interviewer, the
judge), so an outage costs one time-out, not one per client or per answer.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError, model_validator

from interviewsense.config import Settings

M = TypeVar("M", bound=BaseModel)
FORMATS = ("json_schema", "json_object+schema", "json_object", "none")
DOWN_FOR_S = 300.0  # a server found down is skipped this long (a server process asks again)
_down: dict[str, tuple[float, str]] = {}  # server -> (time.monotonic() until, why)


def quoted_in(quote: str, text: str) -> bool:
    """Whether ``quote`` is words of ``text``, case, punctuation and spacing aside: how a
    reply's quotes are held to what the candidate said."""
    import re

    def squash(words: str) -> str:
        return re.sub(r"[^a-z0-9%$]+", " ", words.lower()).strip()

    return squash(quote) in squash(text)


class LLMReply(BaseModel):
    """A reply's JSON, its text made safe to show and store before it is checked: an LLM's
    words reach the terminal, and a job description or an answer can steer them (a review:
    escape codes in a question cleared the screen and retitled the window)."""

    @model_validator(mode="before")
    @classmethod
    def _cleaned(cls, data: Any) -> Any:
        from interviewsense.scoring.text import clean_text

        def clean(value: Any) -> Any:
            if isinstance(value, str):
                return clean_text(value)
            if isinstance(value, list):
                return [clean(v) for v in value]
            if isinstance(value, dict):
                return {k: clean(v) for k, v in value.items()}
            return value

        return clean(data)


def _mark_down(server: str, why: str) -> LLMDown:
    _down[server] = (time.monotonic() + DOWN_FOR_S, why)
    return LLMDown(why)


class LLMDown(Exception):
    """The server did not answer usefully (connection, time-out, auth, 5xx after retries)."""

    def __init__(
        self,
        why: str,
        status: int | None = None,
        *,
        unreachable: bool = False,
        timed_out: bool = False,
    ) -> None:
        super().__init__(why)
        self.status = status  # the HTTP status the server answered with, if it answered
        self.unreachable = unreachable  # no connection could be made at all
        self.timed_out = timed_out  # connected, and no answer came in time


class LLMInvalid(Exception):
    """The server answered twice, but not with JSON that fits the schema."""


def describe_endpoint(settings: Settings) -> str:
    """The server, as it may be printed: a URL without its user, password or query."""
    from interviewsense.audio.urls import shown

    if settings.azure_openai_endpoint:
        return f"Azure OpenAI at {shown(settings.azure_openai_endpoint)}"
    return shown(settings.llm_base_url) if settings.llm_base_url else "the OpenAI API"


def llm_configured(settings: Settings) -> bool:
    return bool(settings.azure_openai_endpoint or settings.llm_base_url or settings.openai_api_key)


def bad_base_url(settings: Settings) -> str:
    """Why the server address cannot be used as it is written ("" when it can): a review's
    "127.0.0.1:8080/v1" became "://127.0.0.1…" and "localhost://8080" in the messages."""
    url = settings.llm_base_url.strip()
    if url and not url.lower().startswith(("http://", "https://")):
        # Shown as written, without a query or a user and password (they may hold a key).
        where = url.split("?", 1)[0].rsplit("@", 1)[-1]
        return f"the LLM server address '{where[:80]}' needs http:// or https://"
    return ""


def missing_key(settings: Settings) -> str:
    """Why a configured server cannot be asked at all ("" when it can): Azure OpenAI with
    no key (the client stopped as a bug: a review)."""
    if settings.azure_openai_endpoint and not (
        settings.azure_openai_api_key or settings.openai_api_key
    ):
        return f"{describe_endpoint(settings)} has no key (set AZURE_OPENAI_API_KEY)"
    return ""


def make_client(settings: Settings, timeout_s: float) -> Any:
    """The ``openai`` client for the configured server (Azure OpenAI or OpenAI-compatible),
    without the client's own retries; the one place the server's URL and key are read."""
    import openai

    common: dict[str, Any] = {"timeout": timeout_s, "max_retries": 0}
    if settings.azure_openai_endpoint:
        return openai.AzureOpenAI(
            azure_endpoint=settings.azure_openai_endpoint,
            api_key=settings.azure_openai_api_key or settings.openai_api_key or None,
            api_version=settings.azure_openai_api_version,
            **common,
        )
    from urllib.parse import parse_qsl

    # A query in the URL ("…/v1?api-key=…", some gateways) goes with every request: the
    # client would put the path after it ("/v1/?api-key=Xchat/completions", a review).
    base, _, query = settings.llm_base_url.partition("?")
    if query:
        common["default_query"] = dict(parse_qsl(query))
    return openai.OpenAI(
        base_url=base or None,
        # Local servers need no key, but the client insists on one.
        api_key=settings.openai_api_key or "not-needed",
        **common,
    )


def list_models(settings: Settings, timeout_s: float) -> tuple[str, list[str]]:
    """The server's URL and the ids of the models it lists (``GET {base_url}/models``);
    ``LLMDown`` says why not, naming the URL and never the key."""
    import openai

    if problem := bad_base_url(settings) or missing_key(settings):
        raise LLMDown(problem)
    client = make_client(settings, timeout_s)
    from interviewsense.audio.urls import shown

    url = shown(str(client.base_url).rstrip("/"))
    try:
        page = client.models.list()
        data = getattr(page, "data", None)
        if not isinstance(data, list):  # a reply that is not JSON: the client's text of it
            raise LLMDown(f"{url} gave an unusable model list (not JSON)")
        return url, [str(getattr(m, "id", m)) for m in data]
    except openai.APITimeoutError as exc:
        raise LLMDown(f"{url} did not answer within {timeout_s:g} s", timed_out=True) from exc
    except openai.APIConnectionError as exc:
        raise LLMDown(f"could not connect to {url}", unreachable=True) from exc
    except openai.APIStatusError as exc:
        raise LLMDown(
            f"{url} refused to list its models ({exc.status_code})", exc.status_code
        ) from exc
    except (openai.OpenAIError, ValueError, AttributeError, TypeError) as exc:
        # A reply that is not JSON, or JSON that is not a model list (a web page: the client
        # stopped as a bug in doctor, a review): not an OpenAI-compatible server.
        raise LLMDown(
            f"{url} gave an unusable model list ({type(exc).__name__}): is it an "
            "OpenAI-compatible server?"
        ) from exc


class ChatClient:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.model = settings.llm_model
        self._client: Any = make_client(settings, settings.llm_timeout_s)
        self._format = 0  # index into FORMATS that the server accepted last
        self._server = describe_endpoint(settings)

    def _response_format(self, schema: type[BaseModel]) -> dict[str, Any] | None:
        kind = FORMATS[self._format]
        spec = schema.model_json_schema()
        if kind == "json_schema":
            return {"type": "json_schema", "json_schema": {"name": schema.__name__, "schema": spec}}
        if kind == "json_object+schema":
            return {"type": "json_object", "schema": spec}
        if kind == "json_object":
            return {"type": "json_object"}
        return None

    def _create(self, messages: list[dict[str, str]], schema: type[BaseModel]) -> str:
        import openai

        until, why = _down.get(self._server, (0.0, ""))
        if time.monotonic() < until:
            raise LLMDown(f"{why}, a moment ago; not asked again for a few minutes")
        retries = max(0, self.settings.llm_retries)
        attempt = 0
        while True:
            options: dict[str, Any] = {
                "model": self.model,
                "messages": messages,
                "temperature": 0.6,
                "max_tokens": 700,
            }
            fmt = self._response_format(schema)
            if fmt is not None:
                options["response_format"] = fmt
            try:
                reply = self._client.chat.completions.create(**options)
                choices = getattr(reply, "choices", None)
                if isinstance(choices, list):
                    content = choices[0].message.content if choices else None
                    return str(content or "")
                # Not JSON (an HTML page with 200): the client hands back its text.
                why = "a reply that is not a chat completion"
            except openai.APIStatusError as exc:
                about_format = "response_format" in str(exc) or "json_schema" in str(exc)
                if about_format and self._format < len(FORMATS) - 1:
                    self._format += 1  # the server does not take this form; try the next
                    continue
                if exc.status_code in (400, 401, 403, 404, 422):
                    raise LLMDown(f"the server refused the request ({exc.status_code})") from exc
                why = f"the server answered {exc.status_code}"
            except openai.APITimeoutError:
                raise _mark_down(
                    self._server, f"no reply within {self.settings.llm_timeout_s:g} s"
                ) from None
            except openai.APIConnectionError:
                why = "could not connect"
            except (openai.OpenAIError, ValueError) as exc:
                why = type(exc).__name__
            attempt += 1
            if attempt > retries:
                raise _mark_down(self._server, why)
            time.sleep(0.5 * 2 ** (attempt - 1))

    def ask(
        self,
        messages: list[dict[str, str]],
        schema: type[M],
        check: Callable[[M], None] | None = None,
    ) -> M:
        """One reply parsed into ``schema`` (and passing ``check``, which raises ValueError to
        refuse it); a reply that does not fit is asked for again once."""
        last = ""
        for _ in range(2):
            content = self._create(messages, schema)
            try:
                reply = schema.model_validate(json.loads(_strip_fences(content)))
                if check is not None:
                    check(reply)
                return reply
            except (ValueError, ValidationError) as exc:
                last = str(exc).splitlines()[0][:120]
        raise LLMInvalid(last)


def _strip_fences(text: str) -> str:
    """Accept ```json fenced replies, which many chat models give despite instructions."""
    t = text.strip()
    if t.startswith("```"):
        t = t.split("\n", 1)[1] if "\n" in t else ""
        t = t.rsplit("```", 1)[0]
    return t.strip()
