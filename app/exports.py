"""Exports for staff: one row per case (full, embassy) or de-identified counts (stats).

Rows are read in chunks and written as they come, so memory stays flat however many cases there
are. Every export leaves an audit entry (who, when, profile, filters, row count), never a value.
"""

from __future__ import annotations

import json
import tomllib
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, CompoundSelect, Connection, DateTime, Result, Select, Text, bindparam, cast, select, type_coerce, union
from sqlmodel import Session

from app.case_schema import case_column
from app.export_writers import write_csv, write_json_table, write_jsonl
from core.config import load_settings
from flows.districts import load_districts
from flows.region_data import load_regions
from db.models import Attachment, Case, CaseAddition, CaseMessage, DuplicateLink, ExportAudit

FORMATS = ("csv", "xlsx", "json")
PROFILES = ("full", "embassy", "stats")
CHUNK = 500  # cases per read, and per look-up of their attachments, links and additions
CASES, ATTACHMENTS = Case.__table__, Attachment.__table__
ADDITIONS, LINKS, MESSAGES = CaseAddition.__table__, DuplicateLink.__table__, CaseMessage.__table__

# Spreadsheets downstream depend on these names and this order: append, never rename or reorder.
FULL_COLUMNS = (
    "case_ref", "created_at", "status", "language", "reporter_relationship", "reporter_name",
    "reporter_phone", "reporter_telegram_id", "person_full_name", "person_name_ru",
    "person_father_name", "birth_year", "home_district", "last_contact_date",
    "last_contact_precision", "last_contact_text", "last_location", "consular_mission",
    "circumstances", "person_situation", "last_phone", "already_contacted", "details",
    "attachments", "possible_duplicates", "additions", "assignee_id", "thread_messages",
    "last_family_message_at", "reporter_phone_changed_at", "last_location_changed_at",
    "unknown_answers",
)
# The JSON export of the full profile also carries the conversation with the family: every
# message with its time, direction, author's role, text and file (never a staff member's id).
JSON_ONLY_COLUMNS = ("thread",)
# What an embassy needs to trace the man and reach the family; only cases whose reporter agreed.
EMBASSY_COLUMNS = (
    "case_ref", "created_at", "person_full_name", "person_name_ru", "person_father_name",
    "birth_year", "home_district", "last_contact_date", "last_contact_precision", "last_location",
    "consular_mission", "circumstances", "person_situation", "last_phone",
    "reporter_relationship", "reporter_name", "reporter_phone", "reporter_phone_changed_at", "last_location_changed_at",
)
# People (a man reported twice and confirmed the same counts once) by quarter, home district
# (Azerbaijan's first-level units), where last seen (coarsened to a federal district of Russia,
# or the occupied regions of Ukraine as Ukraine), situation and case status. A combination with
# fewer than STATS_MIN_CELL people is not shown: such people are only counted in their quarter's
# "suppressed" row, which has no other value. HXL: +origin/+dest, ISO 3166-1 alpha-3 countries
# and ISO 3166-2 codes (seeds/iso3166.toml).
STATS_COLUMNS = (
    "quarter", "home_country", "home_district_code", "home_district", "last_seen_country", "last_seen_area",
    "situation", "status", "people", "suppressed",
)
STATS_HXL = (
    "#date+quarter", "#country+code+origin", "#adm1+code+origin", "#adm1+name+origin", "#country+code+dest", "#region+name+dest",
    "#status+situation", "#status+case", "#affected+ind", "#meta+suppressed",
)
ISO_SEED = Path(__file__).resolve().parent.parent / "seeds" / "iso3166.toml"
ALPHA3 = {"AZ": "AZE", "RU": "RUS", "UA": "UKR"}
DATE_COLUMNS = {"created_at", "last_contact_date", "last_family_message_at", "reporter_phone_changed_at",
                "last_location_changed_at"}
PHONE_COLUMNS = {"reporter_phone", "last_phone"}  # text cells without the quote in XLSX
# Full-profile columns gathered from other tables; every other column is a Case column.
RELATED_COLUMNS = ("attachments", "possible_duplicates", "additions", "thread_messages", "last_family_message_at", "thread")


@dataclass(frozen=True)
class Filters:
    since: date | None = None
    until: date | None = None
    status: str | None = None
    language: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in asdict(self).items() if v is not None}


def _conditions(filters: Filters, profile: str) -> list:
    conditions = []
    if filters.since:
        conditions.append(CASES.c.created_at >= datetime.combine(filters.since, time.min, tzinfo=timezone.utc))
    if filters.until:
        conditions.append(CASES.c.created_at <= datetime.combine(filters.until, time.max, tzinfo=timezone.utc))
    if filters.status:
        conditions.append(CASES.c.status == filters.status)
    if filters.language:
        conditions.append(CASES.c.language == filters.language)
    if profile == "embassy":
        conditions.append(CASES.c.share_with_authorities)
    return conditions


def _streamed(session: Session, query: Select) -> Result:
    """Rows as plain tuples, fetched CHUNK at a time (a server-side cursor on PostgreSQL), so
    memory stays flat; ORM instances would cost half the export's time to build and discard."""
    return session.connection().execute(query.execution_options(yield_per=CHUNK))


def _related_queries(conditions: list) -> tuple[Select, CompoundSelect, Select, Select]:
    """Attachments, possible duplicates (with both refs), additions and thread messages of one chunk: the cases
    that match the filters with ids from :first to :last. Built once per export; a range rather
    than a list of ids keeps each statement small and cached however big the chunk is."""
    chunk = select(CASES.c.id).where(CASES.c.id.between(bindparam("first"), bindparam("last")), *conditions)
    attachments = (
        select(ATTACHMENTS.c.case_id, ATTACHMENTS.c.kind, ATTACHMENTS.c.file_id)
        .where(ATTACHMENTS.c.case_id.in_(chunk)).order_by(ATTACHMENTS.c.id)
    )
    newer, older = CASES.alias("newer"), CASES.alias("older")
    links = (
        select(LINKS.c.case_id, newer.c.ref, LINKS.c.other_case_id, older.c.ref)
        .join(newer, newer.c.id == LINKS.c.case_id)
        .join(older, older.c.id == LINKS.c.other_case_id)
        .where(LINKS.c.state != "rejected")
    )
    # A union, not an OR: PostgreSQL cannot use either index for "a IN (...) OR b IN (...)" and
    # would scan every link for every chunk.
    links = union(links.where(LINKS.c.case_id.in_(chunk)), links.where(LINKS.c.other_case_id.in_(chunk)))
    additions = (
        select(ADDITIONS.c.case_id, ADDITIONS.c.created_at, ADDITIONS.c.kind, ADDITIONS.c.value)
        .where(ADDITIONS.c.case_id.in_(chunk)).order_by(ADDITIONS.c.id)
    )
    messages = (
        select(MESSAGES.c.case_id, MESSAGES.c.created_at, MESSAGES.c.direction, MESSAGES.c.author_role, MESSAGES.c.text,
               MESSAGES.c.attachment_kind, MESSAGES.c.file_id)
        .where(MESSAGES.c.case_id.in_(chunk)).order_by(MESSAGES.c.id)
    )
    return attachments, links, additions, messages


def _related(connection: Connection, queries: tuple[Select, CompoundSelect, Select, Select], first: int, last: int) -> tuple[dict, dict, dict, dict]:
    chunk = {"first": first, "last": last}
    attachment_query, link_query, addition_query, message_query = queries
    attachments: dict[int, list[str]] = defaultdict(list)
    for case_id, kind, file_id in connection.execute(attachment_query, chunk):
        attachments[case_id].append(f"{kind}:{file_id}")
    # A link counts for both of its cases.
    duplicates: dict[int, set[str]] = defaultdict(set)
    for case_id, case_ref, other_id, other_ref in connection.execute(link_query, chunk):
        duplicates[case_id].add(other_ref)
        duplicates[other_id].add(case_ref)
    additions: dict[int, list[str]] = defaultdict(list)
    for case_id, created_at, kind, value in connection.execute(addition_query, chunk):
        additions[case_id].append(f"{created_at.date().isoformat()} {kind}: {_addition_text(value)}")
    threads: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for case_id, created_at, direction, role, text, kind, file_id in connection.execute(message_query, chunk):
        threads[case_id].append({"time": created_at, "direction": direction, "author_role": role, "text": text,
                                 "attachment": f"{kind}:{file_id}" if kind else None})
    return attachments, duplicates, additions, threads


def _thread_columns(thread: list[dict[str, Any]], whole: bool) -> dict[str, Any]:
    family = [m["time"] for m in thread if m["direction"] == "family"]
    columns: dict[str, Any] = {"thread_messages": len(thread), "last_family_message_at": family[-1] if family else None}
    if whole:
        columns["thread"] = [{**m, "time": _utc_text(m["time"])} for m in thread]
    return columns


def _utc_text(moment: datetime) -> str:
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment.isoformat(timespec="seconds") + "Z"


def _addition_text(value: dict[str, Any]) -> str:
    """What was added; a new phone or location also names the one it replaced (the history)."""
    shown = (value.get("phone") or value.get("text") or ("telegram" if value.get("method") == "telegram" else None)
             or f"{value.get('kind', 'file')}:{value.get('file_id', '')}")
    previous = value.get("previous")
    return f"{shown} (before: {_addition_text(previous)})" if previous else shown


def _case_column(name: str) -> ColumnElement:
    if name in ("already_contacted", "unknown_answers"):
        return cast(CASES.c[name], Text)  # as text: decoded by _choices
    if name == "created_at":
        # The writers take naive datetimes as UTC and convert aware ones, so the model's UTC
        # decorator (a Python call per case) would only add time.
        return type_coerce(CASES.c.created_at, DateTime(timezone=True)).label("created_at")
    return CASES.c[case_column(name)]


@lru_cache(maxsize=256)
def _choices(text: str) -> tuple[str, ...]:
    """A list of choices from a fixed set (already_contacted): the same few JSON texts come back
    for thousands of cases, so each is decoded once. A tuple, as the value is shared."""
    return tuple(json.loads(text))


def columns_of(profile: str, fmt: str) -> tuple[str, ...]:
    if profile == "full":
        return FULL_COLUMNS + JSON_ONLY_COLUMNS if fmt == "json" else FULL_COLUMNS
    return EMBASSY_COLUMNS


def case_rows(session: Session, filters: Filters, profile: str, fmt: str = "csv") -> Iterator[dict[str, Any]]:
    """One mapping per case, holding exactly the profile's columns, in id order."""
    columns = columns_of(profile, fmt)
    fields = [name for name in columns if name not in RELATED_COLUMNS]
    wants_related = len(fields) < len(columns)
    # The id goes last: zip() with `fields` then stops before it, and row[-1] is the id.
    selected = [_case_column(name) for name in fields]
    conditions = _conditions(filters, profile)
    query = select(*selected, CASES.c.id).where(*conditions).order_by(CASES.c.id)
    related_queries = _related_queries(conditions)
    connection = session.connection()
    for batch in _streamed(session, query).partitions():
        if wants_related:
            attachments, duplicates, additions, threads = _related(connection, related_queries, batch[0][-1], batch[-1][-1])
        for row in batch:
            record = dict(zip(fields, row))
            for listed in ("already_contacted", "unknown_answers"):
                if listed in record:
                    record[listed] = _choices(record[listed])
            if wants_related:
                case_id = row[-1]
                record["attachments"] = attachments.get(case_id, [])
                record["possible_duplicates"] = sorted(duplicates.get(case_id, ()))
                record["additions"] = additions.get(case_id, [])
                record.update(_thread_columns(threads.get(case_id, []), "thread" in columns))
            yield record


@lru_cache(maxsize=1)
def _places() -> tuple[dict[str, tuple[str, str, str]], dict[str, tuple[str, str]]]:
    """Home district key → (country, ISO 3166-2 code, English name); region key → (country,
    area: the federal district's English name, or "" for Ukraine's occupied regions)."""
    with ISO_SEED.open("rb") as handle:
        codes = tomllib.load(handle)
    districts = {d.key: (ALPHA3["AZ"], codes["az_districts"][d.key], d.name["en"]) for d in load_districts()}
    regions, federal_districts = load_regions()
    areas = {}
    for region in regions:
        country = codes["regions"][region.key][:2]
        areas[region.key] = (ALPHA3[country], federal_districts[region.federal_district]["en"] if country == "RU" else "")
    return districts, areas


def _people(session: Session, filters: Filters) -> Iterator[tuple]:
    """(created_at, home district, region, situation, status) per person: each case, except that
    cases linked as confirmed duplicates, directly or through other reports (even ones the
    filters leave out), are one person, with the values of the earliest report the filters keep
    and any it lacks from the later ones. Unlinked cases stream through; only linked ones wait."""
    conditions = _conditions(filters, "stats")
    # All confirmed links, few beside the cases: filtering them by the cases chosen took SQLite
    # seconds per thousand cases.
    confirmed = select(LINKS.c.case_id, LINKS.c.other_case_id).where(LINKS.c.state == "confirmed")
    parent: dict[int, int] = {}

    def root(case_id: int) -> int:
        while parent.setdefault(case_id, case_id) != case_id:
            case_id = parent[case_id] = parent[parent[case_id]]
        return case_id

    for one, other in session.connection().execute(confirmed):
        parent[max(root(one), root(other))] = min(root(one), root(other))  # the earliest id is the root
    linked: dict[int, list] = {}
    query = select(CASES.c.id, CASES.c.created_at, CASES.c.home_district_key, CASES.c.region_key, CASES.c.person_situation, CASES.c.status)
    for case_id, *values in _streamed(session, query.where(*conditions).order_by(CASES.c.id)):
        if case_id not in parent:
            yield tuple(values)
        elif (person := linked.setdefault(root(case_id), values)) is not values:
            person[:] = [mine if mine is not None else theirs for mine, theirs in zip(person, values)]
    yield from map(tuple, linked.values())


def stats_rows(session: Session, filters: Filters, min_cell: int) -> list[dict[str, Any]]:
    """Counts of people only: no names, phones, free text, or count under `min_cell`."""
    districts, areas = _places()
    counts: Counter = Counter()
    for created, district, region, situation, status in _people(session, filters):
        quarter = f"{created.year}-Q{(created.month - 1) // 3 + 1}"
        home = districts.get(district, (ALPHA3["AZ"], "", ""))  # not given, or not a district we know
        seen = areas.get(region, ("", ""))
        counts[(quarter, *home, *seen, situation or "unknown", status)] += 1
    rows, suppressed = [], Counter()
    for key, people in sorted(counts.items()):
        if people >= min_cell:
            rows.append(dict(zip(STATS_COLUMNS, (*key, people))))
        else:
            suppressed[key[0]] += people
    rows += [{"quarter": quarter, "people": people, "suppressed": True} for quarter, people in suppressed.items()]
    return sorted(rows, key=lambda row: (row["quarter"], "suppressed" in row))


def write_export(session: Session, fmt: str, profile: str, filters: Filters, out: Path) -> int:
    """Write the file; returns the row count. The caller audits it before handing it out."""
    if fmt not in FORMATS or profile not in PROFILES:
        raise ValueError(f"format must be one of {FORMATS}, profile one of {PROFILES}")
    if profile == "stats":
        rows: Any = stats_rows(session, filters, load_settings().stats_min_cell)
        columns, header_rows, dates = STATS_COLUMNS, [STATS_HXL], set()
    else:
        columns = columns_of(profile, fmt)
        rows = case_rows(session, filters, profile, fmt)
        header_rows, dates = [], DATE_COLUMNS
    if fmt == "csv":
        with out.open("wb") as handle:
            # Stats are ASCII, and HXL readers (libhxl) take a BOM for part of the first column name.
            count = write_csv(rows, columns, handle, header_rows=header_rows, bom=not header_rows)
    elif fmt == "xlsx":
        from app.xlsx_writer import write_xlsx  # XlsxWriter (1.5 MB) only in the process that writes a workbook

        count = write_xlsx(rows, columns, out, header_rows=header_rows, date_columns=dates, phone_columns=PHONE_COLUMNS)
    else:
        with out.open("w", encoding="utf-8", newline="\n") as handle:
            # Stats as one array of arrays with the hashtag row, which HXL readers take.
            count = write_json_table(rows, columns, handle, header_rows) if header_rows else write_jsonl(rows, columns, handle)
    return count


def record_export(session: Session, fmt: str, profile: str, filters: Filters, count: int, actor_id: int | None, actor: str, channel: str) -> None:
    """The audit entry (who, when, profile, filters, count), never a value: written before the
    file is handed out."""
    session.add(ExportAudit(actor_id=actor_id, actor=actor, channel=channel, format=fmt, profile=profile, filters=filters.to_json(), row_count=count))


def run_export(db, fmt: str, profile: str, filters: Filters, out: Path, actor_id: int | None, actor: str, channel: str) -> int:
    """Export, then audit, from the command line (the bot audits through its writer)."""
    count = db.read_sync(lambda session: write_export(session, fmt, profile, filters, out))
    db.run_sync(lambda session: record_export(session, fmt, profile, filters, count, actor_id, actor, channel))
    return count
