"""Schema-driven fuzzing of every endpoint (Schemathesis against our own OpenAPI document): no 5xx, ever."""

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@pytest.mark.django_db(transaction=True)  # each request commits or rolls back on its own, as in production
@schema.parametrize()
@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_no_endpoint_answers_a_server_error(case, household):
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
