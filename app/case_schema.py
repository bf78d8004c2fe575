"""One case schema, derived from the questionnaire: each step declares the `Case` column(s) its
answer is kept in (`flows.steps`), and both directions come from that one declaration, so an
answer key, a column and an export column are never mapped by hand in three places."""

from __future__ import annotations

from datetime import date
from typing import Any

from flows.steps import QUESTIONNAIRE, Column, Step

# Export column names are `Case` column names, except the reference (staff spreadsheets say
# `case_ref`); every other export column is a step's column or one of the case's own.
EXPORT_ALIASES = {"case_ref": "ref"}
CASE_OWN_COLUMNS = ("ref", "created_at", "status", "language", "reporter_telegram_id", "consular_mission", "assignee_id",
                    "reporter_phone_changed_at", "last_location_changed_at", "unknown_answers")
STORED_STEPS = tuple(step for step in QUESTIONNAIRE if step.columns)
STEP_COLUMNS = tuple(column.name for step in STORED_STEPS for column in step.columns)


def _stored(column: Column, answer: Any) -> Any:
    value = answer.get(column.part) if column.part and answer is not None else answer
    if column.kind == "date":
        return date.fromisoformat(value) if value else None
    if column.kind == "flag":
        return value == "yes"
    if column.kind == "list":
        return list(value or [])
    return value


def _answered(column: Column, value: Any) -> Any:
    if column.kind == "date":
        return value.isoformat() if value else None
    if column.kind == "flag":
        return "yes" if value else "no"
    if column.kind == "list":
        return list(value) or None
    return value


def case_values(answers: dict[str, Any]) -> dict[str, Any]:
    """The `Case` columns of a submitted draft's answers."""
    return {column.name: _stored(column, answers.get(step.field)) for step in STORED_STEPS for column in step.columns}


def answer_of(step: Step, case: Any) -> Any:
    """A step's answer as the draft held it, read back from a case (None: skipped)."""
    if not step.columns[0].part:
        return _answered(step.columns[0], getattr(case, step.columns[0].name))
    return {column.part: _answered(column, getattr(case, column.name)) for column in step.columns}


def answers_of(case: Any) -> dict[str, Any]:
    return {step.field: answer_of(step, case) for step in STORED_STEPS}


def case_column(export_name: str) -> str:
    """The `Case` column behind an export column."""
    return EXPORT_ALIASES.get(export_name, export_name)
