"""What a family member does in the admin, as browser steps shared by the browser tests."""

from django.apps import apps
from playwright.sync_api import Page, Response

SCHEMA_APPS = ("profiles", "activity", "telemetry")


def schema_models() -> set[str]:
    """Every model of the schema's apps as "app_label.modelname": what a family admin must find."""
    return {
        f"{model._meta.app_label}.{model._meta.model_name}"
        for app in SCHEMA_APPS
        for model in apps.get_app_config(app).get_models()
    }


def admin_sign_in(page: Page, *, username: str, password: str) -> Response:
    """Open the admin sign-in page, submit the form and return the answer to the POST.

    The answer is a redirect when the sign-in worked, the form again (200) when it did not,
    and axes' 429 during a lockout.
    """
    page.goto("/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_response(lambda response: response.request.method == "POST") as posted:
        page.click("input[type=submit]")
    page.wait_for_load_state()
    return posted.value


def admin_index_models(page: Page) -> set[str]:
    """The models listed on the admin index, as "app_label.modelname" (e.g. "activity.activitylog")."""
    page.goto("/admin/")
    links = page.eval_on_selector_all("#content-main th[scope=row] a", "links => links.map(a => a.pathname)")
    return _models_of(links)


def admin_index_addable_models(page: Page) -> set[str]:
    """The models the admin index offers an "Add" link for, as "app_label.modelname"."""
    page.goto("/admin/")
    links = page.eval_on_selector_all("#content-main a.addlink", "links => links.map(a => a.pathname)")
    return _models_of(links)


def _models_of(paths: list[str]) -> set[str]:
    # The index groups tables in sections of the family's words (FamilyAdminSite.get_app_list), so a row
    # says its model by its link, /admin/<app_label>/<model>/[add/], not by its section; pages such as
    # /admin/health/ are no model.
    parts = [path.strip("/").split("/") for path in paths]
    return {f"{p[1]}.{p[2]}" for p in parts if len(p) >= 3 and p[0] == "admin" and p[2] != "add"}
