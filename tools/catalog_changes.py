"""A reviewer's table of what changed in the message catalogs and guidance seeds since a commit.

    python tools/catalog_changes.py BASE [--languages az ru]  > changes.md

One row per changed key (or guidance section, its title and numbered items with their sources): key | old az | new az | old ru | new ru;
the English changes follow as a short list. Reads git for the old text, the working tree for
the new; writes Markdown to stdout.
"""

from __future__ import annotations

import argparse
import io
import subprocess
import tomllib
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOG = "locales/{language}/LC_MESSAGES/homeward.po"
GUIDANCE = "seeds/guidance"


def _old(base: str, path: str) -> bytes | None:
    shown = subprocess.run(["git", "show", f"{base}:{path}"], cwd=ROOT, capture_output=True)
    return shown.stdout if shown.returncode == 0 else None


def _messages(data: bytes | None, language: str) -> dict[str, str]:
    if data is None:
        return {}
    catalog = read_po(io.BytesIO(data), locale=language)
    found = {}
    for message in catalog:
        if message.id:
            key = message.id if isinstance(message.id, str) else message.id[0]
            text = message.string if isinstance(message.string, str) else " | ".join(message.string)
            found[key] = text
    return found


def _guidance(data: bytes | None, language: str) -> dict[str, str]:
    """A section as one text: items move, split and merge, so they are read side by side whole."""
    if data is None:
        return {}
    section = tomllib.loads(data.decode("utf-8"))
    if "key" not in section:
        return {}
    items = [f"{number}. {item[language]} [{item['source']}]" for number, item in enumerate(section.get("items", []), 1)]
    return {section["key"]: "\n".join([f"**{section['title'][language]}**", *items])}


def texts(base: str, language: str) -> tuple[dict[str, str], dict[str, str]]:
    path = CATALOG.format(language=language)
    old, new = _messages(_old(base, path), language), _messages((ROOT / path).read_bytes(), language)
    names = {p.name for p in (ROOT / GUIDANCE).glob("*.toml")}
    listed = subprocess.run(["git", "ls-tree", "--name-only", f"{base}:{GUIDANCE}"], cwd=ROOT, capture_output=True, text=True)
    names |= set(listed.stdout.split())
    for name in sorted(names):
        old |= {f"guidance {k}": v for k, v in _guidance(_old(base, f"{GUIDANCE}/{name}"), language).items()}
        current = ROOT / GUIDANCE / name
        new |= {f"guidance {k}": v for k, v in _guidance(current.read_bytes() if current.exists() else None, language).items()}
    return old, new


def cell(text: str | None) -> str:
    if text is None:
        return "*(none)*"
    return text.replace("|", "\\|").replace("\n", "<br>")


def table(base: str, languages: list[str]) -> str:
    pairs = {language: texts(base, language) for language in [*languages, "en"]}
    keys: list[str] = []
    for old, new in pairs.values():
        keys += [k for k in dict.fromkeys([*old, *new]) if old.get(k) != new.get(k) and k not in keys]
    header = "| key | " + " | ".join(f"old {lang} | new {lang}" for lang in languages) + " |"
    lines = [header, "|" + "---|" * (1 + 2 * len(languages))]
    for key in keys:
        if any(pairs[lang][0].get(key) != pairs[lang][1].get(key) for lang in languages):
            lines.append(f"| `{key}` | " + " | ".join(f"{cell(pairs[lang][0].get(key))} | {cell(pairs[lang][1].get(key))}" for lang in languages) + " |")
    old_en, new_en = pairs["en"]
    english = [f"- `{k}`: {cell(old_en.get(k))} → {cell(new_en.get(k))}" for k in keys if old_en.get(k) != new_en.get(k)]
    return "\n".join(lines + ["", f"English changes ({len(english)}):", "", *english]) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("base", help="the commit to compare with, e.g. main or a merge base")
    parser.add_argument("--languages", nargs="+", default=["az", "ru"])
    args = parser.parse_args()
    print(table(args.base, args.languages), end="")


if __name__ == "__main__":
    main()
