"""``notecheck serve``: run the prediction API with uvicorn.

Settings come from ``NOTECHECK_*`` environment variables and the optional ``--settings`` file (TOML or JSON);
``--model`` / ``--allow-version-mismatch`` override the model settings. Every worker process builds its app with
:func:`serve.app.create_app` from the same environment, so all workers serve the same settings.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from model.errors import InvalidParameterError


def register(subparsers: Any) -> None:
    from serve.cli import add_model_arg

    p = subparsers.add_parser("serve", help="run the prediction API (FastAPI + uvicorn)")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    p.add_argument("--workers", type=int, default=1, help="worker processes (default: 1)")
    p.add_argument("--settings", type=Path, default=None, help="settings file (TOML, or JSON ending in .json)")
    p.add_argument("--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"])
    p.add_argument("--access-log", action="store_true", help="log every request (off by default: it costs latency)")
    add_model_arg(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import uvicorn

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
    if settings.model_dir is not None and not Path(settings.model_dir).is_dir():
        raise InvalidParameterError(f"setting 'model_dir' must be a model directory. Got {settings.model_dir}.")
    uvicorn.run(
        "serve.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level=args.log_level,
        access_log=args.access_log,
    )
    return 0
