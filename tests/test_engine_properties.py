"""Any input at any step: no exception, nothing invalid stored, always a reply (≥ 1,000 each)."""

from __future__ import annotations

import json
from datetime import date
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flows import engine
from flows.engine import Event, OutKind, Phase
from flows.readers import Input, dont_know
from flows.steps import QUESTIONNAIRE, STEPS
from flows.validators import Invalid

TODAY = date(2026, 11, 21)
SCRIPTS = st.sampled_from(["Tahir Abdullayev", "Тахир Абдуллаев", "طاهر", "שלום", "👨‍👩‍👦", "\u202eRTL\u202c", "1980", "15 января"])
TEXTS = st.one_of(
    st.text(max_size=200),
    st.text(alphabet=st.characters(blacklist_categories=()), max_size=50),
    st.builds(lambda parts: " ".join(parts), st.lists(SCRIPTS, max_size=6)),
    st.integers(1, 10_000).map(lambda n: "ə" * n),  # up to 10,000 characters
    st.text(alphabet="\x00\x01\x1b\t\r\n\u200b\ufeff", max_size=30),
)
INPUTS = st.one_of(
    st.builds(lambda text: Input("text", text=text), TEXTS),
    st.builds(lambda value: Input("choice", value=value), st.one_of(st.text(max_size=20), st.sampled_from(sum((s.choices for s in QUESTIONNAIRE), ())))),
    st.builds(lambda phone: Input("contact", phone=phone), st.one_of(st.text(max_size=20), st.just("+994501234567"))),
    st.builds(lambda lat, lon: Input("location", latitude=lat, longitude=lon),
              st.floats(allow_nan=True, allow_infinity=True), st.floats(allow_nan=True, allow_infinity=True)),
    st.builds(lambda fid, uid: Input("media", media={"kind": "photo", "file_id": fid, "file_unique_id": uid}), st.text(max_size=10), st.text(max_size=10)),
    st.just(Input("other")),
)


def draft_at(field: str):
    return SimpleNamespace(phase=Phase.ASKING, step=field, editing=False, confirming_cancel=False,
                           answers={}, consent_version=engine.CONSENT_VERSION, started_at=None)


@pytest.mark.parametrize("field", list(STEPS))
@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(given_input=INPUTS)
def test_any_input_at_any_step(field, given_input):
    draft = draft_at(field)
    outs = engine.handle(draft, Event("answer", given_input), TODAY)
    assert outs, "the relative always gets a reply"
    step = STEPS[field]
    if dont_know(given_input) and (step.unknown or step.skippable):
        # "I don't know" typed where the question allows it: noted as unknown, and we say so.
        assert outs[0].key == "answer.dont_know" and field in draft.answers
        assert step.unknown or draft.answers[field] in (None, "dont_know", "unknown"), "never the words as the answer"
        return
    try:
        valid = step.read(given_input, TODAY)
    except Invalid:
        valid = None
    if valid is None:
        assert field not in draft.answers, "nothing invalid is stored"
        assert outs[-1].kind in (OutKind.ASK, OutKind.FILES) and outs[-1].reason, "a kind re-ask with the reason"
    else:
        assert field in draft.answers
        json.dumps(draft.answers)  # what is stored is plain data
    if isinstance(given_input.latitude, float) and draft.answers.get(field, {}) and isinstance(draft.answers[field], dict):
        lat = draft.answers[field].get("lat")
        assert lat is None or -90 <= lat <= 90, "a location pin must be a real place"
