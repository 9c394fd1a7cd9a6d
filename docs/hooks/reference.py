"""MkDocs hook: pages generated from the application when the site is built, so they cannot
drift from it: the HTTP reference from the app's OpenAPI document (and the document itself, to
download), the CLI reference from the Typer application, and the changelog from CHANGELOG.md."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parents[2]
METHODS = ("get", "post", "put", "patch", "delete")


def cell(text: object) -> str:
    """One Markdown table cell: one line, pipes escaped."""
    return " ".join(str(text or "").split()).replace("|", "\\|")


def schema_name(schema: dict[str, Any]) -> str:
    """A short name for a JSON schema: its $ref's name, its type, or the array's item."""
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if schema.get("type") == "array":
        return f"array of {schema_name(schema.get('items', {}))}"
    if "anyOf" in schema:
        return " or ".join(schema_name(s) for s in schema["anyOf"])
    return str(schema.get("type", "object"))


def operation(path: str, method: str, op: dict[str, Any]) -> list[str]:
    """An operation's section: summary, description, parameters, body and answers."""
    out = [f"### `{method.upper()} {path}`", "", f"**{op.get('summary', '')}**", ""]
    if op.get("description"):
        out += [op["description"].strip(), ""]
    params = op.get("parameters", [])
    if params:
        out += ["| parameter | in | type | required | description |", "|---|---|---|---|---|"]
        for p in params:
            kind = schema_name(p.get("schema", {}))
            required = "yes" if p.get("required") else ""
            out.append(
                f"| `{p['name']}` | {p['in']} | {cell(kind)} | {required} | "
                f"{cell(p.get('description'))} |"
            )
        out.append("")
    body = op.get("requestBody", {}).get("content", {})
    for media, content in body.items():
        out += [f"Body ({media}): {schema_name(content.get('schema', {}))}", ""]
    out += ["| answer | meaning |", "|---|---|"]
    for code, answer in op.get("responses", {}).items():
        out.append(f"| {code} | {cell(answer.get('description'))} |")
    return [*out, ""]


def http_reference(document: dict[str, Any]) -> str:
    """The HTTP reference: every operation of the OpenAPI document, grouped by tag."""
    groups: dict[str, list[str]] = {}
    for path, item in document["paths"].items():
        for method in METHODS:
            if method in item:
                tag = (item[method].get("tags") or ["other"])[0]
                groups.setdefault(tag, []).extend(operation(path, method, item[method]))
    info = document["info"]
    out = [
        "# HTTP reference",
        "",
        f"{info['title']} {info['version']}, OpenAPI {document['openapi']}: generated from the "
        "application when this site was built. The document itself: "
        "[openapi.json](openapi.json); a running server serves it at `/openapi.json` and "
        "interactively at `/docs`. Examples are in [HTTP API](../http.md).",
        "",
    ]
    for tag in sorted(groups):
        out += [f"## {tag}", "", *groups[tag]]
    return "\n".join(out)


def command_section(cmd: Any, name: str, level: int) -> list[str]:
    """A command's section (and its subcommands'): usage, help, options. Typer's commands
    (its own copy of click) are read by their click interface."""
    out = [f"{'#' * level} `{name}`", ""]
    if cmd.help:
        out += [cmd.help.strip(), ""]
    ctx = cmd.context_class(cmd, info_name=name)
    out += ["```text", cmd.get_usage(ctx), "```", ""]
    rows = []
    for param in cmd.params:
        if param.param_type_name == "option" and not param.hidden:
            default = "" if param.default in (None, False) or param.is_flag else param.default
            rows.append(
                f"| `{', '.join(param.opts)}` | {cell(param.help)} | "
                f"{cell(default if not callable(default) else '')} |"
            )
        elif param.param_type_name == "argument":
            text = cell(getattr(param, "help", ""))
            rows.append(f"| `{(param.name or '').upper()}` | {text} (argument) | |")
    if rows:
        out += ["| option | description | default |", "|---|---|---|", *rows, ""]
    if hasattr(cmd, "commands"):
        for sub_name, sub in sorted(cmd.commands.items()):
            out += command_section(sub, f"{name} {sub_name}", min(level + 1, 4))
    return out


def cli_reference() -> str:
    """The CLI reference: every command of `geo-service`, generated from the Typer app."""
    from geo_service import __version__
    from geo_service.cli import app

    root = typer.main.get_command(app)
    out = [
        "# CLI reference",
        "",
        f"`geo-service` {__version__}: generated from the Typer application when this site "
        "was built; `geo-service COMMAND --help` says the same. The table of commands is in "
        "[Command line](../cli.md).",
        "",
        *command_section(root, "geo-service", 2)[2:],
    ]
    return "\n".join(out)


def on_files(files: Files, config: MkDocsConfig) -> Files:
    """Add the generated pages (and the OpenAPI document) to the site."""
    from geo_service.api.app import create_app

    document = create_app().openapi()
    pages = {
        "reference/http.md": http_reference(document),
        "reference/openapi.json": json.dumps(document, indent=1, ensure_ascii=False),
        "reference/cli.md": cli_reference(),
        "changelog.md": (ROOT / "CHANGELOG.md").read_text(encoding="utf-8"),
    }
    for uri, content in pages.items():
        files.append(File.generated(config, uri, content=content))
    return files
