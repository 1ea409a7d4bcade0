"""References inside nested repeats resolve to the nearest enclosing instance (property-based)."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracing_app.scripts import xlsform
from tracing_app.scripts.engine import evaluate_form

TODAY = datetime.date(2024, 6, 3)
PROPERTIES = settings(database=None, derandomize=True, max_examples=150, deadline=2000)

FORM = """survey
,type,name,label,constraint,calculation
,begin repeat,household,Huishouden,,
,text,tag,Label,,
,integer,limit,Minimumleeftijd,,
,calculate,household_number,,,position(..)
,calculate,members_here,,,count(${member})
,calculate,oldest_here,,,max(${age})
,begin repeat,member,Lid van ${tag},,
,integer,age,Leeftijd,. >= ${limit},
,calculate,member_tag,,,"concat(${tag}, '/', ${threshold})"
,calculate,member_number,,,position(..)
,end repeat,,,,
,end repeat,,,,
,integer,threshold,Drempel,,
,calculate,total_age,,,sum(${age})
,calculate,household_total,,,count(${household})
,calculate,all_tags,,,"join(' ', ${tag})"
,calculate,second_tag,,,"indexed-repeat(${tag}, ${household}, 2)"
,calculate,first_of_second,,,"indexed-repeat(${age}, ${household}, 2, ${member}, 1)"
settings
,form_id,version
,nested,1
"""

HOUSEHOLDS = st.lists(
    st.tuples(
        st.text(alphabet="abcXYZ", min_size=1, max_size=4),
        st.integers(0, 100),
        st.lists(st.integers(0, 120), min_size=1, max_size=4),
    ),
    min_size=1,
    max_size=4,
)


@pytest.fixture(scope="module")
def definition(app):
    return xlsform.load(FORM.encode(), "nested.csv")


def answers_for(households, threshold):
    answers = {"household": str(len(households)), "threshold": str(threshold)}
    for h, (tag, limit, ages) in enumerate(households):
        prefix = f"household.{h}."
        answers |= {prefix + "tag": tag, prefix + "limit": str(limit)}
        answers[prefix + "member"] = str(len(ages))
        for m, age in enumerate(ages):
            answers[f"{prefix}member.{m}.age"] = str(age)
    return answers


@PROPERTIES
@given(households=HOUSEHOLDS, threshold=st.integers(0, 9))
def test_references_resolve_to_the_nearest_instance(definition, households, threshold):
    state = evaluate_form(
        definition, answers_for(households, threshold), language="nl", today=TODAY
    )
    values = state.values
    for h, (tag, limit, ages) in enumerate(households):
        prefix = f"household.{h}."
        assert values[prefix + "household_number"] == str(h + 1)
        assert values[prefix + "members_here"] == str(len(ages))
        assert values[prefix + "oldest_here"] == str(max(ages))
        assert state.labels[prefix + "member"] == f"Lid van {tag}"
        for m, age in enumerate(ages):
            key = f"{prefix}member.{m}."
            # Outer instance first, then the top level.
            assert values[key + "member_tag"] == f"{tag}/{threshold}"
            assert values[key + "member_number"] == str(m + 1)
            assert (key + "age" in state.errors) == (age < limit)
    all_ages = [age for _tag, _limit, ages in households for age in ages]
    assert values["total_age"] == str(sum(all_ages))
    assert values["household_total"] == str(len(households))
    assert values["all_tags"] == " ".join(tag for tag, _limit, _ages in households)
    second = households[1] if len(households) > 1 else None
    assert values["second_tag"] == (second[0] if second else "")
    assert values["first_of_second"] == (str(second[2][0]) if second else "")


@PROPERTIES
@given(households=HOUSEHOLDS)
def test_an_answer_never_leaks_into_another_instance(definition, households):
    answers = answers_for(households, 0)
    state = evaluate_form(definition, answers, language="nl", today=TODAY)
    for h in range(len(households)):
        # Emptying one household's limit only changes the checks of that household.
        emptied = answers | {f"household.{h}.limit": ""}
        other = evaluate_form(definition, emptied, language="nl", today=TODAY)
        for key in set(state.errors) ^ set(other.errors):
            assert key.startswith(f"household.{h}.")


def test_the_kept_layouts_hold_no_answers_and_are_bounded(app):
    from tracing_app.scripts import engine

    definition = xlsform.load(FORM.encode(), "nested.csv")
    first = {"household": "2", "household.0.tag": "A", "household.1.tag": "B"}
    second = {"household": "2", "household.0.tag": "C"}
    one = evaluate_form(definition, first, language="nl", today=TODAY)
    two = evaluate_form(definition, second, language="nl", today=TODAY)
    # The same counts share their slots; the values are each evaluation's own.
    assert [s.key for s in one.slots] == [s.key for s in two.slots]
    assert (one.values["household.1.tag"], two.values["household.1.tag"]) == ("B", "")
    assert two.values["all_tags"] == "C "
    kept = definition.derived["engine.layouts"]
    assert all(not hasattr(layout, "values") for layout in kept.values())
    for count in range(1, engine.MAX_LAYOUTS + 10):
        state = evaluate_form(definition, {"household": str(count)}, language="nl", today=TODAY)
        assert state.values["household_total"] == str(min(count, 50))
    assert len(kept) == engine.MAX_LAYOUTS


RELEVANCE = """survey
,type,name,label,relevant,calculation
,text,a,A,${c} = 'x',
,text,b,B,${d} = '',
,calculate,c,,,"if(${b} != '', 'x', '')"
,text,d,D,${a} != '',
,calculate,e,,${b} != '',"concat(${a}, ${d})"
,text,f,F,${e} != '',
settings
,form_id,version
,relevance,1
"""


@pytest.fixture(scope="module")
def relevance_definition(app):
    return xlsform.load(RELEVANCE.encode(), "relevance.csv")


@PROPERTIES
@given(st.fixed_dictionaries({name: st.sampled_from(["", "x", "y"]) for name in "abdf"}))
def test_a_skipped_second_relevance_pass_decides_as_the_full_two_rounds(
    relevance_definition, answers
):
    from tracing_app.scripts.engine import _Evaluation

    state = evaluate_form(relevance_definition, answers, language="nl", today=TODAY)
    now = datetime.datetime.combine(TODAY, datetime.time(12))
    full = _Evaluation(relevance_definition, answers, "nl", TODAY, now)
    for _round in range(2):
        full.calculate()
        full.relevance()
    assert (state.values, state.visible) == (full.values, full.visible)
