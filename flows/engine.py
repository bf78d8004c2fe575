"""The small engine that runs the questionnaire in `flows.steps`.

It is pure: it reads and changes a draft (any object with the `Conversation` fields) and returns
what to say as `Out` records, which the bot renders and the database stores with the draft so a
redelivered update gets the very same reply. It never talks to Telegram or the database.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timezone
from enum import StrEnum
from typing import Any

from flows.readers import EXPECTED_CHOICE, Input, dont_know, unknown_contact
from flows.steps import OPTIONAL, QUESTIONNAIRE, REQUIRED, STEPS, Keyboard, Step
from flows.validators import Invalid

# Bump when the consent text changes meaningfully; each case keeps the version it was given under.
CONSENT_VERSION = "2026-12-03.3"  # .2: /delete and the retention period; .3: plain words, every retention period
MAX_ATTACHMENTS = 20
NOT_SKIPPABLE = "input.not_skippable"
TOO_MANY_FILES = "input.too_many_files"
# The answers' list of optional questions the family said they do not know (kept as no value).
UNKNOWN_ANSWERS = "unknown_answers"


class Phase(StrEnum):
    IDLE = "idle"
    CONSENT = "consent"
    ASKING = "asking"
    GATE = "gate"  # required answers are in: add details, or review and send
    REVIEW = "review"


class OutKind(StrEnum):
    CONSENT = "consent"
    ASK = "ask"
    ACK = "ack"  # shows the tapped answer on the question it answered
    TOGGLE = "toggle"  # a multi-select question's buttons changed
    FILES = "files"  # files received so far
    GATE = "gate"
    REVIEW = "review"
    CONFIRM_CANCEL = "confirm_cancel"
    SAY = "say"
    SUBMIT = "submit"  # the service turns the draft into a case
    SUBMITTED = "submitted"  # params: ref
    GUIDANCE = "guidance"  # params: situation (the service looks up the texts)
    IDLE = "idle"  # no report under way: offer to start one
    UNFINISHED = "unfinished"  # a new report was asked for while one is under way
    LIMIT = "limit"  # params: count; today's reports have reached the daily cap
    TEAM_OFFER = "team_offer"  # params: cases ([ref, label]); words outside any question, after a report


@dataclass(frozen=True)
class Out:
    kind: OutKind
    key: str | None = None  # the step's field, or a message key for SAY
    reason: str | None = None  # why a question is asked again
    params: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Out:
        return cls(OutKind(data["kind"]), data.get("key"), data.get("reason"), data.get("params") or {})


@dataclass(frozen=True)
class Event:
    """What the relative did: answered (typed, tapped, shared) or pressed a control button."""

    action: str  # answer | unknown | skip | done | finish | more | review | edit | submit | agree | decline | cancel | cancel_yes | cancel_no | resume
    input: Input | None = None
    field: str | None = None  # the step a tapped button belongs to; None for typed input


def ask(step: Step, reason: str | None = None, params: dict[str, Any] | None = None) -> Out:
    return Out(OutKind.ASK, step.field, reason, params or {})


def begin(draft: Any) -> list[Out]:
    """A new report: consent comes first, and nothing of the report exists before it."""
    _reset(draft)
    draft.phase = Phase.CONSENT
    return [Out(OutKind.CONSENT)]


def current_prompt(draft: Any) -> list[Out]:
    if draft.confirming_cancel:
        return [Out(OutKind.CONFIRM_CANCEL)]
    match draft.phase:
        case Phase.CONSENT:
            return [Out(OutKind.CONSENT)]
        case Phase.ASKING:
            return [ask(STEPS[draft.step])]
        case Phase.GATE:
            return [Out(OutKind.GATE)]
        case Phase.REVIEW:
            return [Out(OutKind.REVIEW)]
    return [Out(OutKind.IDLE)]


def handle(draft: Any, event: Event, today: date) -> list[Out]:
    if draft.confirming_cancel:
        return _confirming_cancel(draft, event)
    if event.action == "cancel":
        if draft.phase == Phase.IDLE:
            return [Out(OutKind.SAY, "cancel.nothing")]
        draft.confirming_cancel = True
        return [Out(OutKind.CONFIRM_CANCEL)]
    if draft.phase == Phase.IDLE:
        return [Out(OutKind.IDLE)]
    if event.action == "resume":
        return current_prompt(draft)
    phase_handler = {
        Phase.CONSENT: _consent,
        Phase.ASKING: _asking,
        Phase.GATE: _gate,
        Phase.REVIEW: _review,
    }[Phase(draft.phase)]
    return phase_handler(draft, event, today)


def after_submit(draft: Any) -> None:
    _reset(draft)


def _reset(draft: Any) -> None:
    draft.phase = Phase.IDLE
    draft.step = None
    draft.editing = False
    draft.confirming_cancel = False
    draft.answers = {}
    draft.consent_version = None
    draft.started_at = None


def _confirming_cancel(draft: Any, event: Event) -> list[Out]:
    if event.action == "cancel_yes":
        _reset(draft)
        return [Out(OutKind.SAY, "cancel.done")]
    if event.action in ("cancel_no", "resume"):
        draft.confirming_cancel = False
        return [Out(OutKind.SAY, "cancel.kept"), *current_prompt(draft)]
    return [Out(OutKind.CONFIRM_CANCEL, reason=EXPECTED_CHOICE)]


def _consent(draft: Any, event: Event, _today: date) -> list[Out]:
    if event.action == "agree":
        draft.consent_version = CONSENT_VERSION
        draft.started_at = datetime.now(timezone.utc)
        return _go_to(draft, REQUIRED[0])
    if event.action == "decline":
        _reset(draft)
        return [Out(OutKind.SAY, "consent.declined")]
    return [Out(OutKind.CONSENT, reason=EXPECTED_CHOICE)]


def _gate(draft: Any, event: Event, _today: date) -> list[Out]:
    if event.action == "more":
        return _go_to(draft, OPTIONAL[0])
    if event.action == "review":
        draft.phase = Phase.REVIEW
        return [Out(OutKind.REVIEW)]
    return [Out(OutKind.GATE, reason=EXPECTED_CHOICE)]


def _review(draft: Any, event: Event, _today: date) -> list[Out]:
    if event.action == "edit" and event.field in STEPS:
        draft.editing = True
        return _go_to(draft, STEPS[event.field])
    if event.action == "submit":
        return [Out(OutKind.SUBMIT)]
    return [Out(OutKind.REVIEW, reason=EXPECTED_CHOICE)]


def _asking(draft: Any, event: Event, today: date) -> list[Out]:
    step = STEPS[draft.step]
    if event.field is not None and event.field != step.field:
        # A button from an earlier question: say so and show where we are.
        return [Out(OutKind.SAY, "button.stale"), ask(step)]
    match event.action:
        case "unknown" if step.unknown or step.skippable:
            return _unknown(draft, step)
        case "skip":
            if not step.skippable:
                return [ask(step, NOT_SKIPPABLE)]
            _store(draft, step.field, None)
            return _advance(draft, step)
        case "done" if step.keyboard in (Keyboard.MULTI, Keyboard.MEDIA):
            if not draft.answers.get(step.field):
                _store(draft, step.field, None)
            return _advance(draft, step)
        case "finish" if step in OPTIONAL:
            draft.editing = False
            draft.phase = Phase.REVIEW
            draft.step = None
            return [Out(OutKind.REVIEW)]
        case "answer" if event.input is not None and dont_know(event.input) and (step.unknown or step.skippable):
            return [Out(OutKind.SAY, "answer.dont_know"), *_unknown(draft, step)]
        case "answer" if event.input is not None:
            return _answer(draft, step, event.input, today)
    return [ask(step, EXPECTED_CHOICE if step.keyboard != Keyboard.NONE else None)]


def _answer(draft: Any, step: Step, given: Input, today: date) -> list[Out]:
    try:
        value = step.read(given, today)
    except Invalid as exc:
        return [ask(step, exc.reason, exc.params)]
    if step.keyboard == Keyboard.MULTI:
        _store(draft, step.field, _toggle(draft.answers.get(step.field) or [], value))
        return [Out(OutKind.TOGGLE, step.field)]
    if step.keyboard == Keyboard.MEDIA:
        files = list(draft.answers.get(step.field) or [])
        if any(f["file_unique_id"] == value.get("file_unique_id") for f in files):
            return [Out(OutKind.FILES, step.field, params={"count": len(files)})]
        if len(files) >= MAX_ATTACHMENTS:
            return [Out(OutKind.FILES, step.field, TOO_MANY_FILES, {"count": len(files), "max": MAX_ATTACHMENTS})]
        _store(draft, step.field, [*files, value])
        return [Out(OutKind.FILES, step.field, params={"count": len(files) + 1})]
    _store(draft, step.field, value)
    acknowledged = []
    if given.kind == "choice":
        acknowledged = [Out(OutKind.ACK, step.field)]
    if step.keyboard == Keyboard.CONTACT:
        # A plain message, so the share-my-number keyboard can be taken away.
        acknowledged = [Out(OutKind.SAY, "answer.saved")]
    return acknowledged + _advance(draft, step)


def _unknown(draft: Any, step: Step) -> list[Out]:
    own_choice = [choice for choice in step.choices if choice in ("dont_know", "unknown")]
    if step.unknown:  # a required question with its own "unknown" (the last contact)
        _store(draft, step.field, unknown_contact())
    elif own_choice:  # the question has its own "I don't know" button: the words mean it
        _store(draft, step.field, own_choice[0])
    else:
        _store(draft, step.field, None, unknown=True)
    return _advance(draft, step)


def _toggle(selected: list[str], value: str) -> list[str]:
    if value in selected:
        return [v for v in selected if v != value]
    if value == "none":
        return ["none"]
    return [v for v in selected if v != "none"] + [value]


def _store(draft: Any, field_name: str, value: Any, unknown: bool = False) -> None:
    # A new dict, so the ORM sees the change to the JSON column.
    answers = {**draft.answers, field_name: value}
    marked = [name for name in answers.pop(UNKNOWN_ANSWERS, []) if name != field_name] + ([field_name] if unknown else [])
    draft.answers = {**answers, UNKNOWN_ANSWERS: marked} if marked else answers


def _go_to(draft: Any, step: Step) -> list[Out]:
    draft.phase = Phase.ASKING
    draft.step = step.field
    return [ask(step)]


def _advance(draft: Any, step: Step) -> list[Out]:
    if draft.editing:
        draft.editing = False
        draft.phase = Phase.REVIEW
        draft.step = None
        return [Out(OutKind.REVIEW)]
    if step is REQUIRED[-1]:
        draft.phase = Phase.GATE
        draft.step = None
        return [Out(OutKind.GATE)]
    position = QUESTIONNAIRE.index(step)
    if position + 1 == len(QUESTIONNAIRE):
        draft.phase = Phase.REVIEW
        draft.step = None
        return [Out(OutKind.REVIEW)]
    return _go_to(draft, QUESTIONNAIRE[position + 1])
