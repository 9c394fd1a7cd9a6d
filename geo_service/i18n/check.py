"""Keep the catalogues in step with the code: find every message the code marks (Babel's
extractors over ``geo_service/**.py`` and the Jinja templates) and report the ones a catalogue
lacks or leaves untranslated, stale and duplicate entries and placeholders that differ.

``python -m geo_service.i18n.check`` reports (exit 1 on a problem); ``--add`` appends the new
messages to the end of every catalogue (English filled in with the source text, German and
the sheet languages left for you to translate); ``--prune`` removes stale entries. Neither
reorders nor rewraps an existing entry, so parallel branches merge (``*.po merge=union``).
"""

from __future__ import annotations

import ast
import re
import string
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import PoFileParser, write_po

from geo_service.i18n.catalogue import LOCALE_DIR, SHEET_CONTEXTS, UI_LANGUAGES, po_path

PACKAGE = Path(__file__).resolve().parent.parent
METHODS = [
    ("locale/**", "ignore"),
    ("**.py", "python"),
    ("**/templates/**.j2", "jinja2.ext:babel_extract"),
]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2),
            "npgettext": ((1, "c"), 2, 3), "N_": None, "NP_": ((1, "c"), 2)}  # fmt: skip
# A translated call must get a literal (an f-string cannot be looked up) and must not sit in
# an f-string's braces (the extractor does not look inside f-strings)
NOT_LITERAL = re.compile(
    r"\b(?:_|gettext|ngettext|N_)\(\s*f[\"']|(?<!\{)\{\s*(?:_|gettext|ngettext)\("
)
Key = tuple[str | None, str]  # (context, msgid)


@dataclass
class Used:
    """A message the code marks, where it is first marked."""

    id: str | tuple[str, ...]
    context: str | None
    where: str
    comments: list[str] = field(default_factory=list)


def extract(package: Path = PACKAGE) -> dict[Key, Used]:
    """Every message marked in the package's code and templates."""
    found: dict[Key, Used] = {}
    for path, line, msg, comments, ctx in extract_from_dir(
        package,
        METHODS,
        keywords=KEYWORDS,
        comment_tags=("TRANSLATORS:",),
        strip_comment_tags=True,
    ):
        singular = msg[0] if isinstance(msg, tuple) else msg
        found.setdefault((ctx, singular), Used(msg, ctx, f"{path}:{line}", list(comments)))
    return found


def not_literal(package: Path = PACKAGE) -> list[str]:
    """Calls of ``_()`` and its kin whose message is an f-string, or inside one."""
    return [
        f"{path.relative_to(package.parent)}:{n}: an f-string in or around _(); write "
        '_("... {name} ...").format(name=...)'
        for path in sorted(package.rglob("*.py"))
        for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if NOT_LITERAL.search(text)
    ]


def _binds_underscore(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Whether ``function`` itself (not a nested function or comprehension) binds ``_``."""
    args = function.args
    params = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
    if any(a is not None and a.arg == "_" for a in params):
        return True
    todo: list[ast.AST] = list(function.body)
    while todo:
        node = todo.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef):
            continue
        if isinstance(node, ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp):
            continue
        if isinstance(node, ast.Name) and node.id == "_" and isinstance(node.ctx, ast.Store):
            return True
        if isinstance(node, ast.ExceptHandler) and node.name == "_":
            return True
        todo.extend(ast.iter_child_nodes(node))
    return False


def _calls_underscore(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Whether ``function`` calls ``_()`` anywhere in its own body."""
    return any(
        isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "_"
        for n in ast.walk(function)
    )


def _hidden_literal(node: ast.AST) -> bool:
    """A call of ``_()`` whose message is computed from an expression holding a string
    (``_(WORDS[row["status"]])``): the extractor would take that string for the message."""
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "_"
        and bool(node.args)
        and not isinstance(node.args[0], ast.Constant)
        and any(
            isinstance(n, ast.Constant) and isinstance(n.value, str) for n in ast.walk(node.args[0])
        )
    )


def shadowed(package: Path = PACKAGE) -> list[str]:
    """Functions that call ``_()`` but also bind ``_`` (a parameter, ``for _ in``, ``a, _ =``):
    there ``_`` is no longer the catalogue and the call fails at run time; and calls whose
    computed message holds a string literal (the extractor would take it for the message)."""
    found = []
    for path in sorted(package.rglob("*.py")):
        where = path.relative_to(package.parent)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and (
                _calls_underscore(node) and _binds_underscore(node)
            ):
                found.append(
                    f"{where}:{node.lineno}: {node.name} binds _ and calls _(); name the "
                    "throwaway value otherwise"
                )
            if isinstance(node, ast.Call) and _hidden_literal(node):
                found.append(
                    f"{where}:{node.lineno}: _() of an expression holding a string: look the "
                    'key up first (status = row["status"]; _(WORDS[status]))'
                )
    return found


def languages() -> list[str]:
    """The languages that have a catalogue, German and English first."""
    others = sorted(p.name for p in LOCALE_DIR.iterdir() if po_path(p.name).is_file())
    return [*UI_LANGUAGES, *(lang for lang in others if lang not in UI_LANGUAGES)]


def load(lang: str) -> tuple[Catalog, int]:
    """A catalogue as written (fuzzy entries kept) and the number of entries the file holds
    (more than the catalogue when a msgid appears twice)."""
    catalog = Catalog(locale=lang)
    parser = PoFileParser(catalog)
    with po_path(lang).open("rb") as po:
        parser.parse(po)
    return catalog, parser.counter - 1  # the header counts as one


def key(message: Message) -> Key:
    """A catalogue entry's key as extraction gives it."""
    msgid = message.id[0] if isinstance(message.id, tuple) else message.id
    return (message.context, str(msgid))


def placeholders(text: str) -> set[str]:
    """The ``{names}`` a text fills in (``str.format``)."""
    try:
        return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name}
    except ValueError:
        return {"<unbalanced braces>"}


def required(lang: str, used: dict[Key, Used]) -> dict[Key, Used]:
    """What ``lang`` must translate: everything (de, en) or the sheet's texts."""
    if lang in UI_LANGUAGES:
        return used
    return {k: u for k, u in used.items() if k[0] in SHEET_CONTEXTS}


def entry_problems(lang: str, message: Message, used: Used) -> Iterator[str]:
    """Why one entry does not serve the code: empty, fuzzy, singular/plural or placeholders."""
    name = f"{lang}: {used.id!r}" + (f" (context {used.context})" if used.context else "")
    plural = isinstance(used.id, tuple)
    sources = used.id if isinstance(used.id, tuple) else (used.id,)
    raw = message.string
    strings = tuple(raw) if isinstance(raw, tuple | list) else (str(raw or ""),)
    if plural != isinstance(message.id, tuple):
        yield f"{name}: the code uses it {'with' if plural else 'without'} plural forms"
        return
    if message.fuzzy:
        yield f"{name}: marked fuzzy (check the translation, then remove the flag)"
    if not all(strings):
        yield f"{name}: not translated ({used.where})"
        return
    source = set().union(*(placeholders(s) for s in sources))
    for text in strings:
        own = placeholders(text)
        if own - source or (not plural and own != source):
            yield f"{name}: placeholders {sorted(own)} differ from the source's {sorted(source)}"


def problems(used: dict[Key, Used] | None = None) -> list[str]:
    """Everything that keeps the catalogues from serving the code (empty when they do)."""
    used = extract() if used is None else used
    found = not_literal() + shadowed()
    for lang in languages():
        catalog, entries = load(lang)
        have = {key(m): m for m in catalog if m.id}
        for k, u in required(lang, used).items():
            if k not in have:
                found.append(f"{lang}: {u.id!r} missing ({u.where}); run make messages")
            else:
                found.extend(entry_problems(lang, have[k], u))
        found.extend(
            f"{lang}: {k[1]!r} is no longer used; run make messages-prune"
            for k in have
            if k not in used
        )
        if entries > len(have):
            twice = [line for line, n in Counter(_ids(po_path(lang))).items() if n > 1]
            found.append(
                f"{lang}: entries appear twice (a merge kept both sides): {', '.join(twice)}"
            )
    return found


def _ids(path: Path) -> Iterator[str]:
    """Each entry's ``msgid`` line with its ``msgctxt`` line, if any, as the file has them."""
    context = ""
    for line in path.read_text("utf-8").splitlines():
        if line.startswith("msgctxt "):
            context = line + " "
        elif line.startswith("msgid "):
            yield context + line
            context = ""


def new_entries(lang: str, messages: Iterable[Used]) -> bytes:
    """Entries for ``messages`` as ``.po`` text: English gets the source text, others empty."""
    catalog = Catalog(locale=lang)
    for u in messages:
        if lang == "en":
            text: str | tuple[str, ...] = u.id
        else:
            text = ("",) * catalog.num_plurals if isinstance(u.id, tuple) else ""
        catalog.add(u.id, text, auto_comments=u.comments, context=u.context)
    out = BytesIO()
    write_po(out, catalog, width=0, no_location=True, omit_header=True)
    return out.getvalue()


def add(used: dict[Key, Used] | None = None) -> dict[str, int]:
    """Append the messages each catalogue lacks to its end; the count added per language."""
    used = extract() if used is None else used
    added = {}
    for lang in languages():
        catalog, _entries = load(lang)
        have = {key(m) for m in catalog if m.id}
        missing = [u for k, u in required(lang, used).items() if k not in have]
        if missing:
            path = po_path(lang)
            text = path.read_bytes().rstrip(b"\n") + b"\n\n" + new_entries(lang, missing).strip()
            path.write_bytes(text + b"\n")
        added[lang] = len(missing)
    return added


def prune(used: dict[Key, Used] | None = None) -> dict[str, int]:
    """Remove entries no code uses any more (the rest stays as written); count per language."""
    used = extract() if used is None else used
    removed = {}
    for lang in languages():
        path = po_path(lang)
        blocks = path.read_text("utf-8").rstrip("\n").split("\n\n")
        keep = [blocks[0]]  # the header
        for block in blocks[1:]:
            catalog = Catalog(locale=lang)
            PoFileParser(catalog).parse(block.encode("utf-8").splitlines())
            if all(key(m) in used for m in catalog if m.id):
                keep.append(block)
        path.write_text("\n\n".join(keep) + "\n", encoding="utf-8")
        removed[lang] = len(blocks) - len(keep)
    return removed


def main(argv: list[str]) -> int:
    """``check`` (default), ``--add`` or ``--prune``; prints what it found or did."""
    if "--add" in argv:
        print("added:", add())
    if "--prune" in argv:
        print("removed:", prune())
    found = problems()
    for line in found:
        print(line)
    if found:
        print(f"{len(found)} problems; see geo_service/i18n/__init__.py", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
