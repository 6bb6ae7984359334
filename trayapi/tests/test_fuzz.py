"""Schema-driven fuzzing of every endpoint (Schemathesis against our own OpenAPI document): no 5xx, ever."""

import re

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())

# What a schema-driven generator never draws by itself (JSON Schema strings are valid Unicode, and
# `date-time` offsets stay within ±23:59 of a real clock): a lone surrogate in any text, and times
# with offsets PostgreSQL cannot hold or years no clock can mean.
MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T")
UUID = re.compile(r"^[0-9a-fA-F]{8}-?([0-9a-fA-F]{4}-?){3}[0-9a-fA-F]{12}$")
ODD_TIMES = ["2026-01-01T00:00:00+23:59", "0001-01-01T00:00:00+00:00", "2999-12-31T23:59:59-14:30"]


def _poisoned(value, *, text: str, time: str):
    if isinstance(value, dict):
        return {key: _poisoned(item, text=text, time=time) for key, item in value.items()}
    if isinstance(value, list):
        return [_poisoned(item, text=text, time=time) for item in value]
    if isinstance(value, str) and not UUID.match(value):
        return time if MOMENT.match(value) else value + text
    return value


def _with_member(value, member: str):
    if isinstance(value, dict):
        return {key: member if key == "member" else _with_member(item, member) for key, item in value.items()}
    if isinstance(value, list):
        return [_with_member(item, member) for item in value]
    return value


# The member the test's household has, so that bodies naming it reach the services and the database.
REAL_MEMBER: dict[str, str] = {}


@schema.hook
def flatmap_body(context, body):
    """Bodies as drawn, naming a real member, and either with a surrogate in every text and an odd time in
    every time."""
    if body is None:
        return st.just(body)
    bodies = st.sampled_from([body, _with_member(body, REAL_MEMBER.get("id", ""))])
    odd = st.builds(lambda drawn, text, time: _poisoned(drawn, text=text, time=time), bodies,
                    st.sampled_from(["\ud800", "\udfff", "x\x00"]), st.sampled_from(ODD_TIMES))  # fmt: skip
    return st.one_of(bodies, odd)


@pytest.fixture
def real_member(household):
    REAL_MEMBER["id"] = str(household.kid.pk)
    yield household
    REAL_MEMBER.clear()


@pytest.mark.django_db(transaction=True)  # each request commits or rolls back on its own, as in production
@schema.parametrize()
@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_no_endpoint_answers_a_server_error(case, real_member):
    household = real_member
    headers = {key: value for key, value in (case.headers or {}).items() if key.lower() != "authorization"}
    response = case.call(headers={**headers, "Authorization": f"Bearer {household.api.token}"})

    assert response.status_code < 500, (
        f"{case.method} {case.formatted_path}: {response.status_code} {response.text[:500]}"
    )
    # Schemathesis also sends cases without the header on purpose: only those may be refused as unauthenticated.
    assert response.status_code != 401 or "Authorization" not in response.request.headers, "the token was refused"


def test_the_openapi_document_has_an_example_for_each_body(household):
    document = household.api.get("/openapi.json").json()

    bodies = [
        operation["requestBody"]["content"]["application/json"]["schema"]
        for path in document["paths"].values()
        for operation in path.values()
        if "requestBody" in operation
    ]
    names = [body["$ref"].rsplit("/", 1)[-1] for body in bodies if "$ref" in body]
    examples = {name: document["components"]["schemas"][name].get("examples") for name in names}
    assert {"ActivityBatchIn", "RequestIn", "SessionIn", "ActivityPatch"} <= set(examples)
    assert all(examples[name] for name in ("ActivityBatchIn", "RequestIn", "SessionIn", "ActivityPatch"))
    assert document["components"]["securitySchemes"]["DeviceToken"]["scheme"] == "bearer"
