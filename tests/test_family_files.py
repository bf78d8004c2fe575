"""Files a family sends: only what a phone opens safely reaches staff; the rest is kept for the
export and flagged on the case; names are shown made safe; /update shares the report's limit."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import MetaData, Table
from sqlmodel import create_engine

from app.case_card import case_files
from core.i18n import t
from db.database import Database, normalise_url
from db.migrate import upgrade
from db.models import Case
from flows.engine import MAX_ATTACHMENTS
from flows.files import NAME_MAX, forwardable, safe_name
from tests.support.bots import ADMIN_IDS, STAFF_CHAT, run_bot, settle
from tests.support.conversation import SCRIPTS, answer_required, submit_report

pytestmark = pytest.mark.inprocess

SENT = [  # (file name, mime type as the sender's app declares it, may it reach staff)
    ("scan.pdf", "application/pdf", True),
    ("setup.exe", "application/x-msdownload", False),
    ("invoice.pdf.exe", "application/pdf", False),  # the type says PDF, the name says program
    ("contract.pdf", "application/x-sh", False),  # and the other way round
    ("../../home/\u202efdp.exe", "application/pdf", False),
    ("photos.zip", "application/zip", False),
]


@pytest.mark.parametrize(("kind", "mime", "name", "verdict"), [
    ("photo", "image/jpeg", None, True), ("voice", "audio/ogg", None, True), ("video_note", "video/mp4", None, True),
    ("audio", "audio/mpeg", "song.mp3", True), ("audio", "audio/mpeg", "song.mp3.bat", False), ("audio", "audio/mpeg", None, True),
    ("video", "video/mp4", "clip.mp4", True), ("video", "application/x-msdownload", None, False),
    ("document", "application/pdf", "Scan.PDF", True), ("document", "image/jpeg", "passport.jpg", True),
    ("document", "image/svg+xml", "map.svg", False), ("document", "text/html", "page.html", False),
    ("document", "application/vnd.android.package-archive", "app.apk", False), ("document", None, "scan.pdf", False),
    ("document", "application/pdf", None, False), ("document", "application/pdf", "scan.pdf\u202e", False),
])
def test_only_photos_voice_video_audio_and_pdf_may_be_forwarded(kind, mime, name, verdict):
    assert forwardable(kind, mime, name) is verdict


def test_file_names_are_shown_without_folders_controls_or_endless_length():
    assert safe_name("../../etc/passwd") == "passwd"
    assert safe_name("C:\\Users\\Əli\\pasport.pdf") == "pasport.pdf"
    assert safe_name("invoice\u202efdp.exe") == "invoicefdp.exe"
    assert safe_name("a\u0000b\nc\u200b.pdf") == "ab c.pdf"
    long = safe_name("x" * 500 + ".pdf")
    assert len(long) == NAME_MAX and long.endswith(".pdf")
    assert safe_name("\u202e\u200f") is None and safe_name("...") is None and safe_name(None) is None


def to_attachments(mother) -> None:
    mother.ask("/start")
    answer_required(mother, "en", SCRIPTS["en"])
    mother.tap(t("en", "choice.share_with_authorities.yes"))
    message = mother.tap(t("en", "button.more_details"))
    while t("en", "ask.attachments") not in message.text:
        message = mother.tap(t("en", "button.done") if t("en", "button.done") in message.buttons else t("en", "button.skip"))


def test_unsafe_files_are_kept_and_flagged_never_sent_to_staff_and_update_shares_the_limit(bot, standin, relative):
    mother = relative("en")
    to_attachments(mother)
    mother.send_photo()
    mother.next_message()
    for name, mime, _ in SENT:
        mother.send_document(file_name=name, mime_type=mime)
        mother.next_message()
    assert mother.tap(t("en", "button.done")).text.startswith(t("en", "review.title"))
    submitted = mother.tap("✅ " + t("en", "button.submit"))
    ref = submitted.text.split("<b>")[1].split("</b>")[0]
    settle(mother)
    assert bot.query('select count(*) from attachment a join "case" c on c.id = a.case_id where c.ref = :r', r=ref) == [(1 + len(SENT),)]

    admin = standin.user(ADMIN_IDS[0], first_name="Admin", language_code="en")
    settle(admin)
    card = admin.ask(f"/case {ref}")
    for name in ("setup.exe", "invoice.pdf.exe", "contract.pdf", "fdp.exe", "photos.zip"):
        assert t("en", "staff.case.file_held", name=name) in card.text
    assert "../" not in card.text and "\u202e" not in card.text
    before = len(standin.sent_messages(admin.id))
    admin.tap(t("en", "button.staff.files", count=2))
    admin.wait_for(lambda: len(standin.sent_messages(admin.id)) >= before + 2, what="the two safe files")
    settle(admin)
    forwarded = standin.sent_messages(admin.id)[before:]
    assert [(m.kind, (m.document or {}).get("file_name")) for m in forwarded] == [("photo", None), ("document", "scan.pdf")]

    mother.ask("/update")
    mother.tap(t("en", "button.update.attachment"))
    mother.send_document(file_name="more.rar", mime_type="application/vnd.rar")
    assert mother.next_message().text == t("en", "update.file_saved")
    for _ in range(MAX_ATTACHMENTS - len(SENT) - 2):
        mother.send_photo()
        assert mother.next_message().text == t("en", "update.file_saved")
    mother.send_photo()
    assert mother.next_message().text == t("en", "invalid.input.too_many_files", max=MAX_ATTACHMENTS), "the report's 20 files, not 20 more"
    mother.tap(t("en", "button.done"))
    card = admin.ask(f"/case {ref}")
    assert t("en", "staff.case.file_held", name="more.rar") in card.text
    assert t("en", "button.staff.files", count=MAX_ATTACHMENTS - len(SENT)) in card.buttons  # 2 of the report, 12 photos added


def test_files_in_the_conversation_follow_the_same_rule(bot, standin, relative, staff, tmp_path):
    mother = relative("en")
    ref = submit_report(mother, "en")
    mother.tap(t("en", "button.write_to_team"))
    for name, mime in (("scan.pdf", "application/pdf"), ("report\u2067.pdf.exe", "application/pdf"), ("letter.pdf", "application/x-msdownload")):
        mother.send_document(file_name=name, mime_type=mime)
        assert mother.next_message().text == t("en", "thread.received")
    stored = bot.query('select m.file_name, m.mime_type, m.forwardable from case_message m join "case" c on c.id = m.case_id where c.ref = :r order by m.id', r=ref)
    assert stored == [("scan.pdf", "application/pdf", True), ("report.pdf.exe", "application/pdf", False),
                      ("letter.pdf", "application/x-msdownload", False)]

    settle(staff)
    in_staff_chat = len(standin.sent_messages(STAFF_CHAT))
    card = staff.ask(f"/case {ref}")
    for name in ("report.pdf.exe", "letter.pdf"):
        assert t("ru", "staff.case.file_held", name=name) in card.text
    assert "\u2067" not in card.text and t("ru", "staff.case.file_held", name="scan.pdf") not in card.text
    before = len(standin.sent_messages(staff.id))
    staff.tap(t("ru", "button.staff.files", count=1))
    staff.wait_for(lambda: len(standin.sent_messages(staff.id)) > before, what="the PDF")
    settle(staff)
    sent = [m for m in standin.sent_messages(staff.id)[before:] + standin.sent_messages(STAFF_CHAT)[in_staff_chat:] if m.document]
    assert [m.document.get("file_name") for m in sent] == ["scan.pdf"], "the PDF alone, and never the program"

    # The export names a conversation file as it names a report's: kind and file id, no name.
    out = tmp_path / "full.json"
    assert run_bot("export", "--format", "json", "--profile", "full", "--out", str(out), env={"DATABASE_URL": bot.database_url}).returncode == 0
    record = next(r for r in map(json.loads, out.read_text().splitlines()) if r["case_ref"] == ref)
    file_ids = [i for (i,) in bot.query('select m.file_id from case_message m join "case" c on c.id = m.case_id where c.ref = :r order by m.id', r=ref)]
    assert [m["attachment"] for m in record["thread"]] == [f"document:{i}" for i in file_ids]
    assert "report" not in json.dumps(record["thread"])


def test_conversation_files_stored_before_the_upgrade_reach_staff_only_if_telegram_made_them(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0011")
    engine = create_engine(normalise_url(url))
    with engine.begin() as connection:  # the columns the tables had then
        cases, messages = (Table(name, MetaData(), autoload_with=connection) for name in ("case", "case_message"))
        row = Case(ref="T00001", reporter_telegram_id=1, reporter_chat_id=1, language="az", consent_version="1", submitted_receipt=1,
                   reporter_relationship="mother", person_full_name="Tahir Rüfullayev", birth_year=1980, last_contact_date=date(2026, 1, 15),
                   last_contact_precision="month", last_contact_text="yanvar", last_location="Voronej",
                   reporter_contact_method="telegram").model_dump(exclude={"id"})
        case_id = connection.execute(cases.insert().values({k: v for k, v in row.items() if k in cases.c})).inserted_primary_key[0]
        for kind in ("photo", "document", "audio"):
            connection.execute(messages.insert().values(case_id=case_id, direction="family", author_role="family",
                                                        attachment_kind=kind, file_id=f"old-{kind}", created_at=date(2026, 1, 21)))
    engine.dispose()
    upgrade(url)
    db = Database(url)
    try:
        assert [(f.file_id, f.forwardable) for f in db.read_sync(lambda s: case_files(s, case_id))] == [
            ("old-photo", True), ("old-document", False), ("old-audio", False)]
    finally:
        db.close()
