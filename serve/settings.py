"""Settings of the prediction service: environment variables ``NOTECHECK_*`` and an optional TOML or JSON file.

Precedence, highest first: values passed to :class:`Settings` in code, environment variables, the settings file,
the defaults below. The file is named by ``load_settings(path)`` (``notecheck serve --settings FILE``) or by the
``NOTECHECK_SETTINGS_FILE`` environment variable; its keys are the field names without the prefix.

``NOTECHECK_API_KEYS`` and ``NOTECHECK_MODERATOR_KEYS`` take a JSON list (``["k1","k2"]``) or a comma-separated
string (``k1,k2``).
"""

from __future__ import annotations

import json
import os
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, PydanticBaseSettingsSource, SettingsConfigDict

from model.errors import InvalidParameterError
from model.notes import TOO_DEEP, TOO_LONG_NUMBER, RepeatedKeyError, repeated_key, unique_keys
from model.schema import MAX_TEXT_CHARS, MAX_TITLE_CHARS
from model.utf8 import decode_utf8, not_utf8

ENV_PREFIX = "NOTECHECK_"
#: Settings never shown in error messages or logs.
SECRET_SETTINGS = frozenset({"api_keys", "moderator_keys", "database_url"})
SETTINGS_FILE_ENV = "NOTECHECK_SETTINGS_FILE"


class Settings(BaseSettings):
    """What the service loads and the limits it enforces. Unknown keys are an error, not ignored."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="forbid", frozen=True)

    # -- models ------------------------------------------------------------------------------------------
    model_dir: Path | None = Field(None, description="ad-model directory; the shipped default when unset")
    comment_model_dir: Path | None = Field(None, description="comment-sentiment model directory; default when unset")
    allow_version_mismatch: bool = Field(False, description="load a model of another engine version")
    threshold: float | None = Field(None, ge=0.0, le=1.0, description="override the model's 'ad' threshold")
    review_threshold: float | None = Field(None, ge=0.0, le=1.0, description="override the 'review' threshold")
    top_reasons: int = Field(8, ge=0, le=50, description="readable reasons returned unless a request asks")
    model_threads: int = Field(
        1,
        ge=1,
        le=64,
        description="threads per worker running model code at once (off the event loop); under the "
        "GIL more threads only add switching, so scale with --workers instead",
    )
    model_processes: int = Field(
        2,
        ge=0,
        le=16,
        description="processes forked from each worker once its models are loaded that check notes beside its "
        "event loop, instead of worker threads taking turns with it for the GIL (Linux, when forking is safe); "
        "0 checks in worker threads (model_threads of them)",
    )
    model_process_timeout: float = Field(
        10.0,
        gt=0,
        le=600,
        description="seconds a model process may take per note it is sent (checks that queued together wait that "
        "many times it); a process that is stopped or gives no answer in time is killed and reaped, and its work "
        "runs in the worker (no request is lost); a new process gets at least 10 s to start",
    )
    check_coalesce: int = Field(
        32,
        ge=1,
        le=256,
        description="single-note /v1/check requests that queued while the model thread was busy are checked "
        "together in one vectorised call of up to this many notes (same results, less CPU per note under load; "
        "nothing waits for company when idle); 1 checks them one at a time",
    )

    # -- limits ------------------------------------------------------------------------------------------
    max_text_chars: int = Field(MAX_TEXT_CHARS, ge=1, description="characters in a note's text")
    max_title_chars: int = Field(MAX_TITLE_CHARS, ge=1, description="characters in a note's title")
    max_comments: int = Field(1_000, ge=0, description="comments per note (and per /v1/comments/score call)")
    max_comment_chars: int = Field(5_000, ge=1, description="characters in one comment")
    max_batch: int = Field(256, ge=1, description="notes per /v1/check/batch call")
    max_keyword_sets: int = Field(32, ge=0, description="keyword sets per request")
    max_keywords_per_set: int = Field(200, ge=1, description="keywords in one keyword set")
    max_keyword_chars: int = Field(64, ge=1, le=64, description="characters in one keyword or keyword-set name")
    max_request_chars: int = Field(
        200_000,
        ge=1,
        description="characters of titles, texts and comments in one request (/v1/check, /v1/check/batch, "
        "/v1/comments/score); more gets 413: a request's cost is bounded whatever its shape",
    )
    max_request_comment_chars: int = Field(
        50_000,
        ge=1,
        description="characters of comments in one request (within max_request_chars): scoring a comment costs "
        "about five times more per character than checking note text; more gets 413",
    )
    model_chunk_chars: int = Field(
        4_000,
        ge=1,
        description="a /v1/check/batch request is checked in parts of about this many characters, each taking its "
        "turn at the model like any other request, so a large batch never holds a model process for long",
    )
    max_body_bytes: int = Field(4 * 1024 * 1024, ge=1024, description="request body size; larger bodies get 413")

    # -- connections (notecheck serve sets them on uvicorn: serve/http_limits.py) ------------------------------
    max_header_bytes: int = Field(
        32 * 1024, ge=1024, le=1024 * 1024, description="bytes of a request's head (request line and headers); 431"
    )
    header_timeout: float = Field(
        10.0, gt=0, le=600, description="seconds a connection has to send a complete request head; 408 and closed"
    )
    body_timeout: float = Field(
        30.0, gt=0, le=3600, description="seconds a request has to send its whole body once its head is in; closed"
    )
    keep_alive_timeout: float = Field(5.0, gt=0, le=600, description="seconds an idle kept-alive connection stays open")
    limit_concurrency: int = Field(
        1024, ge=1, description="connections and requests in flight per worker; beyond it new requests get 503"
    )
    graceful_shutdown_timeout: float = Field(
        10.0, gt=0, le=600, description="seconds requests in flight get to finish when the server is stopped"
    )

    # -- access ------------------------------------------------------------------------------------------
    api_keys: Annotated[list[SecretStr], NoDecode] = Field(
        default_factory=list, description="when non-empty, /v1/* and /metrics need one of these keys"
    )
    metrics_enabled: bool = Field(True, description="serve Prometheus metrics at /metrics")
    moderator_keys: Annotated[list[SecretStr], NoDecode] = Field(
        default_factory=list,
        description="keys of moderators: they list and resolve appeals (and may do whatever a client key may); "
        "without any, appeals can only be resolved with `notecheck appeals resolve`",
    )

    # -- appeals database --------------------------------------------------------------------------------
    data_dir: Path | None = Field(
        None, description="where notecheck keeps its data: $XDG_DATA_HOME/notecheck, else ~/.local/share/notecheck"
    )
    database_url: SecretStr | None = Field(
        None,
        description="SQLAlchemy URL of the appeals database, e.g. postgresql+psycopg://user:pw@host/db; default a "
        "SQLite file notecheck.db in data_dir",
    )
    appeal_rate_limit: int = Field(
        30,
        ge=0,
        description="appeal requests per minute per API key and per client address (each valid one counts, a 409 "
        "too: each is a check of the note); 0 turns it off",
    )
    appeal_group_commit: bool = Field(
        True,
        description="commit the appeals that arrive together in one transaction (one disk flush for the group) "
        "instead of one commit each; a 201 means committed either way",
    )
    log_checks: Literal["off", "hash", "text"] = Field(
        "off",
        description="decision log of every check in the database: 'hash' keeps the note's sha256, model version, "
        "decision, probability and the words by which the note declared itself an ad, if it did; 'text' also its "
        "title and text; 'off' keeps nothing",
    )

    @field_validator("log_checks", mode="before")
    @classmethod
    def _log_checks_bool(cls, value: Any) -> Any:
        aliases = {"true": "hash", "1": "hash", "yes": "hash", "on": "hash", "false": "off", "0": "off", "no": "off"}
        if isinstance(value, bool):
            return "hash" if value else "off"
        if isinstance(value, str):
            return aliases.get(value.strip().lower(), value.strip().lower())
        return value

    @field_validator("api_keys", "moderator_keys", mode="before")
    @classmethod
    def _split_keys(cls, value: Any) -> Any:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            if not text:
                return []  # set but empty: no keys, as unset
            keys = [k.strip() for k in text.split(",")]
            if "" in keys:
                # "k1,,k2" or "," is a typo, and "," alone would open the server to anyone: said, never dropped
                raise ValueError(
                    f"a comma-separated list of keys with a blank entry at position {keys.index('')}; give keys "
                    "separated by single commas, or nothing for no keys"
                )
            return keys
        return value

    @field_validator("api_keys", "moderator_keys")
    @classmethod
    def _non_empty_keys(cls, value: list[SecretStr], info: Any) -> list[SecretStr]:
        for i, key in enumerate(value):
            if len(key.get_secret_value()) < 8:
                raise ValueError(
                    f"{info.field_name}[{i}] must be at least 8 characters long; got {len(key)} characters"
                )
        return value

    def resolved_data_dir(self) -> Path:
        """``data_dir``, else ``$XDG_DATA_HOME/notecheck``, else ``~/.local/share/notecheck``."""
        if self.data_dir is not None:
            return Path(self.data_dir)
        xdg = os.environ.get("XDG_DATA_HOME")
        return (Path(xdg) if xdg else Path.home() / ".local" / "share") / "notecheck"

    def resolved_database_url(self) -> str:
        """``database_url``, else the SQLite file ``notecheck.db`` in :meth:`resolved_data_dir`."""
        if self.database_url is not None and self.database_url.get_secret_value().strip():
            return self.database_url.get_secret_value().strip()
        return f"sqlite:///{(self.resolved_data_dir() / 'notecheck.db').as_posix()}"

    @field_validator("review_threshold")
    @classmethod
    def _below_threshold(cls, value: float | None, info: Any) -> float | None:
        # A field validator, not a model validator: its error is the setting's own (a model validator's has no
        # field, and its input is every setting given, keys included). 'threshold' is declared first, so it is
        # in info.data once valid; which of the places that set it gave it is said, as that is what to change.
        threshold = info.data.get("threshold")
        if value is not None and threshold is not None and value > threshold:
            raise ValueError(
                f"must be <= the ad threshold, setting 'threshold'{setting_source('threshold', threshold)} = "
                f"{threshold}"
            )
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return init_settings, env_settings, _FileSource(settings_cls)


class _FileSource(PydanticBaseSettingsSource):
    """Values from the file named by ``NOTECHECK_SETTINGS_FILE`` (TOML, or JSON when it ends in .json)."""

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:  # pragma: no cover - unused
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        path = os.environ.get(SETTINGS_FILE_ENV)
        return read_settings_file(path) if path else {}


def read_settings_file(path: str | Path) -> dict[str, Any]:
    """The mapping in a settings file; a missing or malformed file is an :class:`InvalidParameterError`."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InvalidParameterError(f"settings file {path}: cannot be read ({exc.strerror}).") from None
    kind = "JSON" if path.suffix.lower() == ".json" else "TOML"
    text = decode_utf8(raw, f"settings file {path}") if kind == "TOML" else ""  # JSON may be UTF-16 or -32 too
    try:
        # a setting given twice is refused in JSON as TOML refuses it: read last-wins, {"api_keys": [...],
        # "api_keys": []} would open the server to anyone
        data = json.loads(raw, object_pairs_hook=unique_keys) if kind == "JSON" else tomllib.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidParameterError(f"settings file {path}: expected valid JSON. Got an error: {exc}.") from None
    except UnicodeDecodeError as exc:  # before ValueError, which it is: not a number too long
        raise InvalidParameterError(f"settings file {path} {not_utf8(raw, exc)}.") from None
    except RepeatedKeyError as exc:
        raise InvalidParameterError(f"settings file {path}: {repeated_key(exc.key)}.") from None
    except RecursionError:
        raise InvalidParameterError(f"settings file {path}: {TOO_DEEP}.") from None
    except ValueError as exc:
        why = TOO_LONG_NUMBER if kind == "JSON" else f"expected valid TOML. Got an error: {exc}"
        raise InvalidParameterError(f"settings file {path}: {why}.") from None
    if not isinstance(data, dict):
        raise InvalidParameterError(f"settings file {path}: expected a table/object. Got {type(data).__name__}.")
    return data


def load_settings(path: str | Path | None = None, **overrides: Any) -> Settings:
    """Settings from the environment, the optional file ``path`` and ``overrides``; errors name the setting.

    When ``path`` is given it is also exported as ``NOTECHECK_SETTINGS_FILE`` so worker processes started by
    uvicorn read the same file.
    """
    if path is not None:
        os.environ[SETTINGS_FILE_ENV] = str(path)
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = "; ".join(
            f"setting '{'.'.join(str(p) for p in e['loc']) or '(settings)'}'{_where(e, overrides)}: "
            f"{e['msg'].removeprefix('Value error, ')}. Got {_preview(e)}"
            for e in exc.errors()
        )
        raise InvalidParameterError(f"Invalid notecheck settings: {problems}.") from None


def _where(error: dict[str, Any], overrides: dict[str, Any]) -> str:
    """Where the value of the setting an error is about came from (see :func:`setting_source`)."""
    loc = error.get("loc") or ()
    if not loc or loc[0] in overrides:  # given in code: no place the user wrote it
        return ""
    return setting_source(str(loc[0]), error.get("input"))


def _preview(error: dict[str, Any]) -> str:
    value = error.get("input")
    loc = error.get("loc")
    # no location: the input is every setting given, keys included
    if not loc or isinstance(value, SecretStr) or loc[0] in SECRET_SETTINGS:
        return "(hidden)"
    return f"{value!r:.80}"


_ANY = object()


def setting_source(name: str, value: Any = _ANY) -> str:
    """Where setting ``name`` was given, for an error about it: `` (environment variable NOTECHECK_NAME)`` or
    `` (settings file PATH)``, the first in precedence order that gives it (with ``value``: gives that value, so a
    value set in code is not put on a variable that says something else), else ``""`` (in code, or not given).
    The user is told which of the places that can set it to change; values are never shown here."""
    env = f"{ENV_PREFIX}{name}".upper()
    for key, raw in os.environ.items():
        if key.upper() == env and _gives(raw, value):  # pydantic-settings reads the variables case-insensitively
            return f" (environment variable {key})"
    path = os.environ.get(SETTINGS_FILE_ENV)
    if path:
        try:
            data = read_settings_file(path)
        except InvalidParameterError:  # an unreadable file is its own error, not this one's source
            return ""
        if name in data and _gives(data[name], value):
            return f" (settings file {path})"
    return ""


def _gives(raw: Any, value: Any) -> bool:
    """Whether ``raw``, a setting as written (an environment variable's text, a file's value), is ``value``."""
    if value is _ANY or raw == value:
        return True
    try:
        return float(raw) == float(value)  # "0.9" in the environment is the validated 0.9
    except (TypeError, ValueError):
        return False
