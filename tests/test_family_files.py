"""Files a family sends: only what a phone opens safely reaches staff; the rest is kept for the
export and flagged on the case; names are shown made safe; /update shares the report's limit."""

from __future__ import annotations

import pytest

from core.i18n import t
from flows.engine import MAX_ATTACHMENTS
from flows.files import NAME_MAX, forwardable, safe_name
from tests.support.bots import ADMIN_IDS, settle
from tests.support.conversation import SCRIPTS, answer_required

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
