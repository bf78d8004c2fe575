"""Defaults the tables share (`db.models`, `db.case_work`)."""

from __future__ import annotations

from datetime import datetime, timezone


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


# Factories for empty JSON columns. Not `list` and `dict` themselves: pydantic inspects a
# factory's signature each time it makes a default, which for a built-in class costs about
# 0.1 ms (a case has three such columns, made on every report sent).
def empty_list() -> list:
    return []


def empty_dict() -> dict:
    return {}
