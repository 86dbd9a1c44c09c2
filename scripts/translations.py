"""Helpers for the Chinese catalogue: export untranslated messages to JSON chunks for
translators, and merge translated chunks back.

    python scripts/translations.py export --chunks 4 --out .tmp/i18n
    python scripts/translations.py merge .tmp/i18n/*.json
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import polib

PO = Path(__file__).resolve().parents[1] / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def _key(entry: polib.POEntry) -> str:
    return json.dumps([entry.msgctxt or "", entry.msgid, entry.msgid_plural or ""], ensure_ascii=False)


def export(chunks: int, out: Path) -> None:
    po = polib.pofile(str(PO))
    todo = [e for e in po if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)]
    out.mkdir(parents=True, exist_ok=True)
    size = max(1, -(-len(todo) // chunks))
    for index in range(0, len(todo), size):
        part = {
            _key(e): {
                "msgid": e.msgid,
                "msgid_plural": e.msgid_plural or None,
                "context": e.msgctxt,
                "zh": "",
            }
            for e in todo[index : index + size]
        }
        path = out / f"chunk-{index // size + 1}.json"
        path.write_text(json.dumps(part, ensure_ascii=False, indent=1), encoding="utf-8")
        print(f"{path}: {len(part)} messages")


def merge(paths: list[Path]) -> None:
    po = polib.pofile(str(PO))
    by_key = {_key(e): e for e in po}
    done = missing = 0
    for path in paths:
        for key, item in json.loads(path.read_text(encoding="utf-8")).items():
            entry = by_key.get(key)
            zh = item.get("zh")
            if entry is None or not zh:
                missing += 1
                continue
            if entry.msgid_plural:
                entry.msgstr_plural = {0: zh if isinstance(zh, str) else zh[0]}
            else:
                entry.msgstr = zh
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
            done += 1
    po.save(str(PO))
    print(f"merged {done} translations; {missing} without a translation or no longer in the catalogue")


def main() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    e = sub.add_parser("export")
    e.add_argument("--chunks", type=int, default=1)
    e.add_argument("--out", type=Path, default=Path(".tmp/i18n"))
    m = sub.add_parser("merge")
    m.add_argument("paths", nargs="+", type=Path)
    args = parser.parse_args()
    if args.command == "export":
        export(args.chunks, args.out)
    else:
        merge(args.paths)


if __name__ == "__main__":
    main()
