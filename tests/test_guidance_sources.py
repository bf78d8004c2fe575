"""Sources a family can read: each guidance item ends with a publication and date, never a
file name; an admin's new text keeps every item's source or gives one; seed text no admin has
touched follows the files."""

from __future__ import annotations

import re

from sqlmodel import select

from app.guidance import load_seeds, read_seed_files, render_body
from app.guidance_files import export, import_folder
from app.guidance_sources import attach, cited, documents, label_of, references
from core.config import LANGUAGES
from db.database import Database
from db.migrate import upgrade
from db.models import GuidanceText

SHOWN = "• Officials urge citizens to contact the embassies.\n<i>News report, Baku, 16 July 2025</i>\n\n• Keep copies.\n<i>Homeward</i>"
PRIVATE_PEOPLE = ("rufull", "rüfull", "руфулл", "sonab", "сонаб", "farziy", "fərziy", "фарзи")  # of the news reports


def test_every_seed_item_cites_a_publication_and_no_file_or_private_person():
    for section in read_seed_files():
        for language in LANGUAGES:
            body = render_body(section["items"], language)
            assert len(cited(body)) >= 1 and not re.search(r"\.(txt|md)\b", body), (section["key"], language)
            assert all(label in {labels[language] for labels in documents().values()} for label in cited(body))
            assert not any(name in body.lower() for name in PRIVATE_PEOPLE), (section["key"], language)


def test_a_text_copied_as_shown_keeps_its_sources():
    assert attach(SHOWN, SHOWN) == (SHOWN, None)
    plain = SHOWN.replace("<i>", "").replace("</i>", "")  # copied without its italics
    assert attach(plain, SHOWN) == (SHOWN, None)


def test_reworded_items_keep_the_source_of_the_item_they_replace():
    new, missing = attach("• Officials ask citizens to turn to the embassies at once.\n\n• Keep your own copies.", SHOWN)
    assert missing is None and cited(new) == ["News report, Baku, 16 July 2025", "Homeward"]


def test_a_new_item_takes_its_source_from_a_source_line_in_any_language():
    for line in ("Source: MFA statement, 1 December 2026", "Mənbə: MFA statement, 1 December 2026", "<i>Источник: MFA statement, 1 December 2026.</i>"):
        new, missing = attach(SHOWN + f"\n\n• A new item.\n{line}", SHOWN)
        assert missing is None and new.endswith("• A new item.\n<i>MFA statement, 1 December 2026</i>"), line
    assert references(new) == ["000_c46e10abcd349607.txt", "homeward", "MFA statement, 1 December 2026"]


def test_an_item_without_a_source_is_named():
    assert attach(SHOWN + "\n\n• A new item with nothing behind it.", SHOWN)[1] == 3
    assert attach("Source: Homeward", SHOWN)[1] == 1, "a source line alone is not an item"


def test_seed_text_no_admin_touched_follows_the_files_and_edited_text_stays(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'g.db'}")
    upgrade(db.url)
    db.run_sync(load_seeds)

    def age(session):  # what an older release loaded: file names under the items
        for row in session.exec(select(GuidanceText).where(GuidanceText.section.in_(["what_to_do_now", "what_the_state_did"]), GuidanceText.language == "en")):
            row.body = row.body.replace(label_of("000_c46e10abcd349607.txt", "en"), "000_c46e10abcd349607.txt")
            row.author_id = 7 if row.section == "what_the_state_did" else None
            session.add(row)

    db.run_sync(age)
    assert db.run_sync(load_seeds) == 0, "nothing new: the untouched text is brought up to date in place"
    current = db.run_sync(lambda s: {r.section: (r.version, r.body) for r in s.exec(select(GuidanceText).where(GuidanceText.language == "en", GuidanceText.is_current))})
    assert ".txt" not in current["what_to_do_now"][1]
    assert current["what_the_state_did"][0] == 1 and ".txt" in current["what_the_state_did"][1], "an admin's text is never overwritten"
    db.close()


def test_an_imported_text_keeps_its_sources_or_is_refused(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'g.db'}")
    upgrade(db.url)
    db.run_sync(load_seeds)
    folder = tmp_path / "texts"
    db.run_sync(lambda s: export(s, folder))
    path = next(folder.glob("*what_the_state_did.toml"))
    content = path.read_text(encoding="utf-8")
    reworded = re.sub(r"(\[en\]\ntitle = .*\nbody = \"\"\"\n)[^\n]*\n<i>[^<]*</i>", r"\1• Three citizens came home.", content)
    path.write_text(reworded, encoding="utf-8")
    report = db.run_sync(lambda s: import_folder(s, folder))
    assert not report.errors and report.changed == ["what_the_state_did/en v2"]
    body = db.run_sync(lambda s: s.exec(select(GuidanceText.body).where(GuidanceText.section == "what_the_state_did", GuidanceText.language == "en", GuidanceText.is_current)).one())
    assert body == f"• Three citizens came home.\n<i>{label_of('000_c46e10abcd349607.txt', 'en')}</i>", "one item for one: the source stays"
    path.write_text(reworded.replace("• Three citizens came home.", "• Three citizens came home.\n\n• A second item."), encoding="utf-8")
    refused = db.run_sync(lambda s: import_folder(s, folder))
    assert refused.errors and "item 1 has no source" in refused.errors[0]
    db.close()
