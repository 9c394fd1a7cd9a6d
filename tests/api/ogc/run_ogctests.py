"""Run a scope of the third-party ogctests suite against a server, the API key on every request.

Run with the interpreter of ``.venv-ogctests`` (the suite pins old httpx and pytest):
``python run_ogctests.py SCOPE URL KEY [pytest flags...]``; exits with pytest's code. The
suite's own client sends no credentials, so it is given one that sends ``X-API-Key``; it
fetches the API definition with httpx's module functions, which get the key too.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any

import httpx
from ogctests.main import run_ogctests


def keyed(call: Callable[..., httpx.Response], key: str) -> Callable[..., httpx.Response]:
    """``call`` (httpx.get, httpx.head, ...) with the key among its headers."""

    @functools.wraps(call)
    def run(*args: Any, headers: dict[str, str] | None = None, **kwargs: Any) -> httpx.Response:
        return call(*args, headers={"X-API-Key": key, **(headers or {})}, **kwargs)

    return run


def main() -> int:
    """Run the scope given on the command line; pytest's exit code."""
    scope, url, key, *flags = sys.argv[1:]
    for name in ("get", "head", "request"):
        setattr(httpx, name, keyed(getattr(httpx, name), key))
    with httpx.Client(base_url=url, headers={"X-API-Key": key}, timeout=120) as client:
        return int(run_ogctests(scope, url, flags, test_client=client))


if __name__ == "__main__":
    sys.exit(main())
