"""Exports: every format and profile opens and holds what it should; filters; the audit trail."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, timedelta, timezone

import hxl
import pytest
from openpyxl import load_workbook
from sqlmodel import Session, create_engine, select

from app import exports
from app.xlsx_writer import PHONE_SHAPE
from app.exports import EMBASSY_COLUMNS, FULL_COLUMNS, PHONE_COLUMNS, STATS_COLUMNS, STATS_HXL, Filters, write_export
from core.config import ConfigError
from core.i18n import t
from db.database import normalise_url
from db.models import Attachment, Case, CaseAddition, DuplicateLink, ExportAudit
from tests.support.bots import ADMIN_IDS, database_url, run_bot, settle
from tests.support.conversation import submit_report
from tests.support.workbooks import holds, read_both

NOW = datetime.now(timezone.utc)


def make_case(n: int, **overrides) -> Case:
    values = dict(
        ref=f"T{n:02d}-AAA"[:7], reporter_telegram_id=900 + n, reporter_chat_id=900 + n, language="az", consent_version="2026-11-21",
        share_with_authorities=n % 2 == 0, submitted_receipt=10_000 + n, reporter_relationship="mother",
        person_full_name=f"Tahir Abdullayev {n}", birth_year=1980, last_contact_date=date(2026, 1, 15),
        last_contact_precision="approximate", last_contact_text="yanvarın ortası", last_location="Voronej",
        reporter_contact_method="phone", reporter_phone="+994501234567", created_at=NOW - timedelta(days=n),
        region_key="voronezh_oblast", home_district_key="bilasuvar", home_district="Biləsuvar", person_situation="no_contact",
        consular_mission="embassy_moscow", already_contacted=["embassy", "mfa"],
    )
    values.update(overrides)
    return Case(**values)


@pytest.fixture
def database(tmp_path):
    url = database_url(tmp_path)
    assert run_bot("migrate", env={"DATABASE_URL": url}).returncode == 0
    engine = create_engine(normalise_url(url))
    with Session(engine) as session:
        for n in range(1, 7):
            session.add(make_case(n, status="closed" if n == 6 else "new", language="ru" if n == 5 else "az"))
        session.add(make_case(7, ref="EVL-777", details="=HYPERLINK(\"http://evil\")", last_location="@SUM(A1)", last_phone="-1+1"))
        session.commit()
    engine.dispose()
    return url


def export(database, tmp_path, fmt, profile="full", *extra):
    out = tmp_path / f"out.{fmt}"
    result = run_bot("export", "--format", fmt, "--profile", profile, "--out", str(out), *extra, env={"DATABASE_URL": database})
    assert result.returncode == 0, result.stderr
    return out


def audits(database):
    engine = create_engine(normalise_url(database))
    with Session(engine) as session:
        rows = list(session.exec(select(ExportAudit)))
    engine.dispose()
    return rows


def test_full_csv_opens_in_excel_with_the_agreed_columns_and_no_formulas(database, tmp_path):
    raw = export(database, tmp_path, "csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 with a BOM, so Excel shows ə and Cyrillic"
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    # Written out here, not the code's constant: staff spreadsheets depend on these names and order.
    assert rows[0] == [
        "case_ref", "created_at", "status", "language", "reporter_relationship", "reporter_name",
        "reporter_phone", "reporter_telegram_id", "person_full_name", "person_name_ru",
        "person_father_name", "birth_year", "home_district", "last_contact_date",
        "last_contact_precision", "last_contact_text", "last_location", "consular_mission",
        "circumstances", "person_situation", "last_phone", "already_contacted", "details",
        "attachments", "possible_duplicates", "additions", "assignee_id", "thread_messages",
        "last_family_message_at", "reporter_phone_changed_at", "last_location_changed_at",
        "unknown_answers",
    ]
    assert len(rows) == 8
    by_ref = {row[0]: dict(zip(FULL_COLUMNS, row)) for row in rows[1:]}
    evil = by_ref["EVL-777"]
    assert evil["details"].startswith("'=") and evil["last_location"].startswith("'@") and evil["last_phone"].startswith("'-")
    first = next(r for r in by_ref.values() if r["person_full_name"] == "Tahir Abdullayev 1")
    assert first["already_contacted"] == "embassy; mfa" and first["last_contact_date"] == "2026-01-15"
    assert first["created_at"].endswith("Z") and first["consular_mission"] == "embassy_moscow"


def test_full_xlsx_has_a_frozen_header_real_dates_and_never_a_formula(database, tmp_path):
    sheet = load_workbook(export(database, tmp_path, "xlsx")).active
    assert tuple(c.value for c in sheet[1]) == FULL_COLUMNS and sheet.freeze_panes == "A2"
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    contact = [row[FULL_COLUMNS.index("last_contact_date")].value for row in sheet.iter_rows(min_row=2)]
    assert all(isinstance(v, (date, datetime)) for v in contact)
    by_ref = {row[0].value: dict(zip(FULL_COLUMNS, row)) for row in sheet.iter_rows(min_row=2)}
    phone = by_ref["T01-AAA"]["reporter_phone"]
    assert phone.value == "+994501234567" and phone.data_type == "s", "a number staff can copy and dial"
    assert by_ref["EVL-777"]["last_phone"].value == "'-1+1", "not a phone number: neutralised"


def test_full_xlsx_reads_back_as_the_csv_in_openpyxl_and_calamine(database, tmp_path):
    table = list(csv.reader(io.StringIO(export(database, tmp_path, "csv").read_text(encoding="utf-8-sig"))))
    for reader, sheet in zip(("openpyxl", "calamine"), read_both(export(database, tmp_path, "xlsx"))):
        assert len(sheet) == len(table) == 8, reader
        for line, cells in zip(table, sheet):
            for name, text, value in zip(FULL_COLUMNS, line, cells):
                unquoted = text.removeprefix("'") if name in PHONE_COLUMNS and PHONE_SHAPE.fullmatch(text.removeprefix("'")) else text
                assert holds(value, text, unquoted), (reader, line[0], name, text, value)


def test_json_is_one_object_per_line(database, tmp_path):
    lines = export(database, tmp_path, "json").read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    assert len(records) == 7 and tuple(records[0]) == (*FULL_COLUMNS, "thread")
    assert records[0]["already_contacted"] == ["embassy", "mfa"], "lists stay lists in JSON"


def test_embassy_profile_holds_only_consenting_cases_and_only_what_a_mission_needs(database, tmp_path):
    rows = list(csv.reader(io.StringIO(export(database, tmp_path, "csv", "embassy").read_text(encoding="utf-8-sig"))))
    assert tuple(rows[0]) == EMBASSY_COLUMNS
    assert {"reporter_telegram_id", "details", "attachments", "last_contact_text"}.isdisjoint(rows[0])
    assert sorted(r[0] for r in rows[1:]) == sorted(f"T0{n}-AAA"[:7] for n in (2, 4, 6)), "only reporters who agreed"


def test_stats_profile_is_counts_with_hxl_and_nothing_personal(database, tmp_path):
    text = export(database, tmp_path, "csv", "stats").read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert tuple(rows[0]) == STATS_COLUMNS and tuple(rows[1]) == STATS_HXL
    people = [dict(zip(STATS_COLUMNS, r))["people"] for r in rows[2:]]
    assert sum(map(int, people)) == 7
    for secret in ("Abdullayev", "+994", "Voronej", "yanvar", "HYPERLINK"):
        assert secret not in text


def _stats_case(n: int, created: datetime, **values) -> Case:
    return make_case(n, ref=f"S{n:02d}-AAA", created_at=created, **values)


@pytest.fixture
def stats_database(tmp_path):
    """27 reports of 26 men in two quarters: one man reported twice and confirmed the same."""
    url = database_url(tmp_path)
    assert run_bot("migrate", env={"DATABASE_URL": url}).returncode == 0
    engine = create_engine(normalise_url(url))
    winter, spring = datetime(2026, 2, 10, tzinfo=timezone.utc), datetime(2026, 4, 20, tzinfo=timezone.utc)
    cases = [_stats_case(n, winter + timedelta(days=n)) for n in range(6)]  # 6 reports, 5 men
    cases += [_stats_case(n, winter, home_district_key="baku", person_situation="killed", status="deceased") for n in range(6, 8)]
    cases += [_stats_case(n, spring, region_key="crimea", home_district_key="ganja", person_situation="captured") for n in range(8, 13)]
    cases += [_stats_case(n, spring, region_key=None, home_district_key=None, person_situation=None) for n in range(13, 18)]
    cases += [_stats_case(n, spring, region_key="dagestan") for n in range(18, 27)]  # 9 men, but ...
    cases[26].status = "closed"  # ... one has a status no other has
    with Session(engine) as session:
        session.add_all(cases)
        session.commit()
        ids = [case.id for case in cases]
        session.add(DuplicateLink(case_id=ids[5], other_case_id=ids[0], score=0.9, state="confirmed"))
        session.add(DuplicateLink(case_id=ids[4], other_case_id=ids[1], score=0.9, state="rejected"))
        session.add(DuplicateLink(case_id=ids[3], other_case_id=ids[2], score=0.9, state="candidate"))
        session.commit()
    yield url
    engine.dispose()


def _stats(url, tmp_path, fmt="csv"):
    out = tmp_path / f"stats.{fmt}"
    engine = create_engine(normalise_url(url))
    with Session(engine) as session:
        write_export(session, fmt, "stats", Filters(), out)
    engine.dispose()
    return out


def test_stats_count_men_once_coarsen_places_and_hide_every_count_under_five(stats_database, tmp_path):
    rows = list(csv.DictReader(io.StringIO(_stats(stats_database, tmp_path).read_text(encoding="utf-8-sig"))))[1:]
    cells = [row for row in rows if row["suppressed"] != "true"]
    assert all(int(row["people"]) >= 5 for row in cells), "no combination of fewer than five men is shown"
    assert sum(int(row["people"]) for row in rows) == 26, "27 reports, one man reported twice"
    got = {(r["quarter"], r["home_district_code"], r["last_seen_country"], r["last_seen_area"], r["situation"], r["status"]): int(r["people"]) for r in cells}
    assert got == {
        ("2026-Q1", "AZ-BIL", "RUS", "Central Federal District", "no_contact", "new"): 5,
        ("2026-Q2", "AZ-GA", "UKR", "", "captured", "new"): 5,  # Crimea: Ukraine, not a Russian district
        ("2026-Q2", "", "", "", "unknown", "new"): 5,
        ("2026-Q2", "AZ-BIL", "RUS", "North Caucasian Federal District", "no_contact", "new"): 8,
    }
    assert {row["home_country"] for row in cells} == {"AZE"}
    assert {row["home_district"] for row in cells} == {"Bilasuvar District", "Ganja", ""}
    # The two killed men of Baku and the one closed case: counted only in their quarter's total.
    suppressed = [row for row in rows if row["suppressed"] == "true"]
    assert [(row["quarter"], row["people"]) for row in suppressed] == [("2026-Q1", "2"), ("2026-Q2", "1")]
    assert all(value == "" for row in suppressed for name, value in row.items() if name not in ("quarter", "people", "suppressed"))


def test_stats_count_a_man_once_even_when_linked_through_a_report_left_out(stats_database):
    engine = create_engine(normalise_url(stats_database))
    with Session(engine) as session:
        def people() -> int:
            return sum(row["people"] for row in exports.stats_rows(session, Filters(status="new"), 5))

        before = people()
        ids = {case.ref: case.id for case in session.exec(select(Case))}
        # S18 and S19 are each confirmed the same man as S26, which is closed and so left out.
        session.add(DuplicateLink(case_id=ids["S26-AAA"], other_case_id=ids["S18-AAA"], score=0.9, state="confirmed"))
        session.add(DuplicateLink(case_id=ids["S26-AAA"], other_case_id=ids["S19-AAA"], score=0.9, state="confirmed"))
        session.commit()
        assert people() == before - 1
    engine.dispose()


def test_stats_threshold_is_a_setting(stats_database, tmp_path, monkeypatch):
    monkeypatch.setenv("STATS_MIN_CELL", "9")
    rows = list(csv.DictReader(io.StringIO(_stats(stats_database, tmp_path).read_text(encoding="utf-8-sig"))))[1:]
    assert [(r["quarter"], r["people"], r["suppressed"]) for r in rows] == [("2026-Q1", "7", "true"), ("2026-Q2", "19", "true")]
    monkeypatch.setenv("STATS_MIN_CELL", "1")  # would show single families: refused
    with pytest.raises(ConfigError, match="STATS_MIN_CELL"):
        _stats(stats_database, tmp_path)


# A libhxl schema: every row has a count, and it is a number (it refuses "x" or an empty cell).
COUNTS_ARE_NUMBERS = hxl.schema(hxl.data([["#valid_tag", "#valid_required", "#valid_datatype"], ["#affected", "true", "number"]]))


def test_stats_csv_and_json_are_hxl_that_libhxl_reads(stats_database, tmp_path):
    for fmt in ("csv", "json"):
        dataset = hxl.data(str(_stats(stats_database, tmp_path, fmt)), hxl.InputOptions(allow_local=True)).cache()
        assert [column.display_tag for column in dataset.columns] == list(STATS_HXL), fmt
        assert [column.header for column in dataset.columns] == list(STATS_COLUMNS), fmt
        assert sum(int(row.get("#affected+ind")) for row in dataset) == 26, fmt
        codes = {row.get("#adm1+code+origin") for row in dataset if row.get("#adm1+code+origin")}
        assert codes == {"AZ-BIL", "AZ-GA"}, fmt
        assert {row.get("#country+code+dest") or "" for row in dataset} == {"RUS", "UKR", ""}, fmt
        assert COUNTS_ARE_NUMBERS.validate(dataset), fmt


def test_every_place_has_its_iso_3166_2_code():
    """The codes the stats export names, checked against pycountry's copy of ISO 3166-2."""
    import tomllib

    import pycountry

    from flows.districts import load_districts
    from flows.region_data import load_regions

    codes = tomllib.loads(exports.ISO_SEED.read_text(encoding="utf-8"))
    districts, (regions, _) = load_districts(), load_regions()
    assert set(codes["az_districts"]) == {d.key for d in districts}
    assert set(codes["regions"]) == {r.key for r in regions}
    for kind, table in codes.items():
        assert len(set(table.values())) == len(table), f"two places share a code in [{kind}]"
    for district in districts:
        subdivision = pycountry.subdivisions.get(code=codes["az_districts"][district.key])
        assert subdivision.country_code == "AZ"
        assert (subdivision.type == "Municipality") == (district.kind == "city"), district.key
    occupied = {r.key for r in regions if r.note and "occup" in r.note.lower()}
    for region in regions:
        subdivision = pycountry.subdivisions.get(code=codes["regions"][region.key])
        assert subdivision.country_code == ("UA" if region.key in occupied else "RU"), region.key


def test_filters_select_by_period_status_and_language(database, tmp_path):
    def count(*extra):
        return len(export(database, tmp_path, "json", "full", *extra).read_text().splitlines())

    assert count("--status", "closed") == 1
    assert count("--language", "ru") == 1
    assert count("--since", (NOW - timedelta(days=3)).date().isoformat()) == 3
    assert count("--until", (NOW - timedelta(days=6)).date().isoformat()) == 2


def test_files_links_and_additions_reach_their_case_across_chunks(database, tmp_path, monkeypatch):
    """Cases are read a chunk at a time and each chunk's related rows with one query per table:
    with chunks of two, every file, link and addition still lands on its own case."""
    monkeypatch.setattr(exports, "CHUNK", 2)
    engine = create_engine(normalise_url(database))
    with Session(engine) as session:
        ids = {case.ref: case.id for case in session.exec(select(Case))}
        session.add(Attachment(case_id=ids["T01-AAA"], kind="photo", file_id="F1", file_unique_id="U1"))
        session.add(Attachment(case_id=ids["T01-AAA"], kind="document", file_id="F2", file_unique_id="U2"))
        session.add(Attachment(case_id=ids["T04-AAA"], kind="voice", file_id="F3", file_unique_id="U3"))
        session.add(CaseAddition(case_id=ids["T05-AAA"], kind="contact", value={"phone": "+7900"}, created_at=datetime(2026, 2, 1, tzinfo=timezone.utc)))
        session.add(DuplicateLink(case_id=ids["T06-AAA"], other_case_id=ids["T01-AAA"], score=0.9))
        session.add(DuplicateLink(case_id=ids["EVL-777"], other_case_id=ids["T02-AAA"], score=0.8, state="confirmed"))
        session.add(DuplicateLink(case_id=ids["T03-AAA"], other_case_id=ids["T02-AAA"], score=0.7, state="rejected"))
        session.commit()

    def exported(filters):
        out = tmp_path / "cases.json"
        with Session(engine) as session:
            write_export(session, "json", "full", filters, out)
        records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
        return {r["case_ref"]: (r["attachments"], r["possible_duplicates"], r["additions"]) for r in records}

    expected = {
        "T01-AAA": (["photo:F1", "document:F2"], ["T06-AAA"], []), "T02-AAA": ([], ["EVL-777"], []),
        "T03-AAA": ([], [], []), "T04-AAA": (["voice:F3"], [], []), "T05-AAA": ([], [], ["2026-02-01 contact: +7900"]),
        "T06-AAA": ([], ["T01-AAA"], []), "EVL-777": ([], ["T02-AAA"], []),
    }
    assert exported(Filters()) == expected
    # A filtered export keeps links to cases it leaves out (T06 is closed, T05 in Russian).
    assert exported(Filters(status="new", language="az")) == {ref: expected[ref] for ref in ("T01-AAA", "T02-AAA", "T03-AAA", "T04-AAA", "EVL-777")}
    engine.dispose()


def test_every_export_is_audited_without_values(database, tmp_path):
    export(database, tmp_path, "xlsx", "full", "--status", "new", "--language", "az")
    [entry] = audits(database)
    assert (entry.channel, entry.format, entry.profile, entry.row_count) == ("cli", "xlsx", "full", 5)
    assert entry.filters == {"status": "new", "language": "az"} and entry.actor.startswith("cli:")
    assert "Abdullayev" not in json.dumps(entry.filters)


def test_two_relatives_in_two_scripts_are_linked_and_staff_export_it_in_telegram(bot, standin, relative, tmp_path):
    mother, brother = relative("az"), relative("ru")
    first = submit_report(mother, "az", name="Tahir Abdullayev", district="Biləsuvar rayonu")
    second = submit_report(brother, "ru", name="Абдуллаев Тахир", district="Билясуварский район")
    rows = bot.query("select c1.ref, c2.ref, l.state from duplicate_link l join \"case\" c1 on c1.id = l.case_id join \"case\" c2 on c2.id = l.other_case_id")
    assert (second, first, "candidate") in rows
    assert bot.query("select home_district_key from \"case\" where ref = :r", r=second)[0][0] == "bilasuvar"

    admin = standin.user(ADMIN_IDS[0], first_name="Admin", language_code="en")
    settle(admin)
    card = admin.ask(f"/case {second}")
    assert first in card.text
    admin.click(t("en", "button.staff.same", ref=first))
    assert admin.next_message().text == t("en", "staff.dup.confirmed")
    assert bot.query("select state from duplicate_link l join \"case\" c on c.id = l.case_id where c.ref = :r", r=second)[0][0] == "confirmed"

    settle(admin)
    admin.ask("/export")
    admin.tap("CSV")
    admin.tap(t("en", "export.profile.full"))
    document = admin.tap(t("en", "button.export.all"), timeout=30)
    assert document.kind == "document" and document.document["file_name"].endswith(".csv")
    rows = list(csv.DictReader(io.StringIO(standin.file_content(document.document["file_id"]).decode("utf-8-sig"))))
    assert next(r for r in rows if r["case_ref"] == second)["possible_duplicates"] == first
    assert next(r for r in rows if r["case_ref"] == first)["possible_duplicates"] == second
    audit = bot.query("select channel, actor_id, profile from export_audit")
    assert ("telegram", ADMIN_IDS[0], "full") in audit


def test_an_export_while_families_report(bot, relative, tmp_path):
    """A long read never holds the intake up (SQLite WAL, PostgreSQL MVCC)."""
    import threading

    results = {}
    exporter = threading.Thread(target=lambda: results.setdefault("run", run_bot(
        "export", "--format", "xlsx", "--out", str(tmp_path / "during.xlsx"), env={"DATABASE_URL": bot.database_url})))
    exporter.start()
    people = [relative("az") for _ in range(3)]
    refs = [submit_report(person, "az") for person in people]
    exporter.join(timeout=120)
    assert results["run"].returncode == 0, results["run"].stderr
    assert all(len(bot.cases_of(p.id)) == 1 for p in people) and len(set(refs)) == 3
