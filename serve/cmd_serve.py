"""``notecheck serve``: run the prediction API with uvicorn.

Settings come from ``NOTECHECK_*`` environment variables and the optional ``--settings`` file (TOML or JSON);
``--model`` / ``--allow-version-mismatch`` override the model settings. Every worker process builds its app with
:func:`serve.app.create_app` from the same environment, so all workers serve the same settings.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from model.errors import InvalidParameterError

if TYPE_CHECKING:
    from serve.settings import Settings


def register(subparsers: Any) -> None:
    from serve.cli import add_model_arg

    p = subparsers.add_parser(
        "serve", help="run the prediction API (FastAPI + uvicorn)", formatter_class=argparse.RawDescriptionHelpFormatter
    )
    _settings_epilog(p)
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    p.add_argument("--workers", type=int, default=1, help="worker processes (default: 1)")
    p.add_argument("--settings", type=Path, default=None, help="settings file (TOML, or JSON ending in .json)")
    p.add_argument("--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"],
                   help="uvicorn's log level (default: info)")  # fmt: skip
    p.add_argument("--access-log", action="store_true", help="log every request (off by default: it costs latency)")
    add_model_arg(p)
    p.set_defaults(func=run)


def _settings_epilog(parser: argparse.ArgumentParser) -> None:
    """Give ``parser`` the :func:`settings_help` epilog when its help is shown: building it imports pydantic's
    settings (~0.3 s), which every other command (``notecheck score`` included) would otherwise pay at start."""
    plain = parser.format_help

    def format_help() -> str:
        parser.epilog = settings_help()
        return plain()

    parser.format_help = format_help  # type: ignore[method-assign]


def settings_help() -> str:
    """Every setting as its environment variable, default and meaning (the epilog of ``serve --help``)."""
    from serve.settings import ENV_PREFIX, Settings

    lines = ["settings (environment variables, or keys without the prefix in the --settings file):"]
    for name, field in Settings.model_fields.items():
        default = field.default if field.default_factory is None else field.default_factory()
        shown = "unset" if default in (None, []) else default
        lines.append(f"  {ENV_PREFIX}{name.upper()} (default {shown}): {field.description or ''}")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    from serve.settings import load_settings

    if not 1 <= args.port <= 65535:
        raise InvalidParameterError(f"--port must be between 1 and 65535. Got {args.port}.")
    if args.workers < 1:
        raise InvalidParameterError(f"--workers must be at least 1. Got {args.workers}.")
    if args.settings is not None and not args.settings.is_file():
        raise InvalidParameterError(f"--settings {args.settings}: no such file.")
    # Exported, so that every worker process (which re-reads the environment) gets the same settings.
    if args.model is not None:
        os.environ["NOTECHECK_MODEL_DIR"] = str(args.model)
    if args.allow_version_mismatch:
        os.environ["NOTECHECK_ALLOW_VERSION_MISMATCH"] = "true"
    settings = load_settings(args.settings)  # fails here, with the setting named, before any worker starts
    # A value the user gave as an option is named by that option in errors, not by the setting it was exported as
    options = {"model_dir": "--model"} if args.model is not None else {}
    if settings.model_dir is not None and not Path(settings.model_dir).is_dir():
        who = _named(settings, "model_dir", options)
        raise InvalidParameterError(f"{who} must be a model directory. Got {settings.model_dir}.")
    _check_models(settings, options)
    _check_port(args.host, args.port)  # before uvicorn loads the models, and exit 2 (uvicorn's own failure is 3)
    serve_app(
        "serve.app:create_app",
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level=args.log_level,
        access_log=args.access_log,
        settings=settings,
    )
    return 0


def _named(settings: Settings, name: str, options: dict[str, str]) -> str:
    """How an error names where setting ``name`` came from: the command-line option in ``options`` that gave it
    (``--model``: the user typed that, and never wrote NOTECHECK_MODEL_DIR, though it is exported for the
    workers), else ``setting 'NAME'`` and the environment variable or settings file that gave it."""
    from serve.settings import setting_source

    if name in options:
        return options[name]
    value = getattr(settings, name)
    return f"setting '{name}'" + (setting_source(name, str(value)) if value is not None else "")


def _check_models(settings: Settings, options: dict[str, str] | None = None) -> None:
    """The model directories the settings name hold model cards of their task, and threshold overrides fit the ad
    model's thresholds, and the cards' versions are ones this notecheck computes (format, normalisation, OpenCC
    table, engine): checked before uvicorn loads the models, where an error is a lifespan traceback and uvicorn's
    exit status 3; here it is a usage error, exit 2. The shipped comment model is not required (the server starts
    without comment scoring when it cannot be loaded), so only a comment model the settings name is checked.
    ``options`` maps a setting given by a command-line option to that option, which errors name (:func:`_named`)."""
    from model.artifacts import DEFAULT_MODEL_DIR, check_card_versions, read_card
    from model.errors import ModelLoadError, WrongModelTask
    from serve.deps import operating_thresholds, overrides_thresholds

    for name, task in (("model_dir", "ad"), ("comment_model_dir", "sentiment")):
        directory = getattr(settings, name)
        if directory is None and task == "ad":
            directory = DEFAULT_MODEL_DIR
        if directory is not None:
            try:
                card = read_card(directory)
                if card.get("task") != task:  # the other model's directory: the loader would refuse it
                    raise WrongModelTask(directory, card.get("task"), task)
                with warnings.catch_warnings():  # an allowed engine mismatch warns once, when the model loads
                    warnings.simplefilter("ignore")
                    check_card_versions(card, Path(directory), allow_version_mismatch=settings.allow_version_mismatch)
            except ModelLoadError as exc:
                raise InvalidParameterError(f"{_named(settings, name, options or {})}: {exc}") from None
    if not overrides_thresholds(settings):
        return
    card = read_card(settings.model_dir or DEFAULT_MODEL_DIR)
    try:
        threshold, review = float(card["threshold"]), float(card["review_threshold"])
    except (KeyError, TypeError, ValueError):
        return  # a card without them: loading the model says so
    operating_thresholds(settings, threshold, review)


def _check_port(host: str, port: int) -> None:
    """Bind ``host:port`` as uvicorn will (SO_REUSEADDR) and let it go: a port already in use is a usage error."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            raise InvalidParameterError(
                f"--host/--port: cannot listen on {host}:{port}: {exc.strerror or exc}."
            ) from None


def serve_app(
    factory: str,
    *,
    host: str,
    port: int,
    workers: int,
    log_level: str,
    access_log: bool,
    settings: Settings | None = None,
) -> None:
    """Run the app factory ``factory`` (``"module:function"``) with uvicorn until it is stopped, with the
    connection limits of ``settings`` (the environment's when None; :mod:`serve.http_limits`)."""
    import uvicorn

    from serve.http_limits import uvicorn_options
    from serve.offload import SUPERVISOR_ENV
    from serve.settings import load_settings

    limits = uvicorn_options(load_settings() if settings is None else settings)
    if workers > 1:  # the workers uvicorn spawns read it in create_app (die_with_supervisor)
        os.environ[SUPERVISOR_ENV] = str(os.getpid())
    # Once it has shut down, a single uvicorn server raises the signal that stopped it again under the handler it
    # found. SIGINT then is a KeyboardInterrupt uvicorn.run swallows (exit 0), but SIGTERM's default action killed
    # the process (status 143), though SIGTERM is, like Ctrl-C, the documented way to stop the server and exit 0,
    # as `--workers N` does. While uvicorn serves its own handler takes SIGTERM; this one ends the process with
    # status 0 on the signal raised again, or on one that arrives before uvicorn has installed its handler.
    on_main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _stopped) if on_main else None
    try:
        with _nodelay_listener(uvicorn.Config):
            uvicorn.run(
                factory,
                factory=True,
                host=host,
                port=port,
                workers=workers,
                log_level=log_level,
                access_log=access_log,
                **limits,
            )
    finally:
        os.environ.pop(SUPERVISOR_ENV, None)
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _stopped(signum: int, frame: Any) -> None:
    """SIGTERM outside uvicorn's own handler (see :func:`serve_app`): the server has stopped, or never started."""
    raise SystemExit(0)


@contextmanager
def _nodelay_listener(config_class: Any) -> Iterator[None]:
    """Set TCP_NODELAY on the listening socket uvicorn binds for ``--workers N`` (N > 1).

    There uvicorn binds the socket itself with ``proto`` 0, and asyncio only disables Nagle's algorithm on accepted
    connections whose socket says ``IPPROTO_TCP``: every keep-alive response then waits ~40 ms for the client's
    delayed ACK (uvicorn issue #3149; measured here: 44 ms per request on one connection with 2 workers, 0.7 ms
    with 1). Linux copies TCP_NODELAY from a listening socket to the connections it accepts, so setting it on the
    listener fixes every worker. With one worker asyncio binds the socket and nothing needs fixing.
    """
    original = config_class.bind_socket

    def bind_socket(self: Any) -> socket.socket:
        sock = original(self)
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock

    config_class.bind_socket = bind_socket
    try:
        yield
    finally:
        config_class.bind_socket = original
