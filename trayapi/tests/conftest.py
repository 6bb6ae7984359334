"""A family, a device token for every member and one limited to the kid, and API clients that send them."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from django.test import Client

from profiles.models import PermissionLevel, UserProfile
from profiles.services import family_member_create
from trayapi.models import DeviceToken
from trayapi.services import device_token_create


@dataclass
class Api:
    """A test client that sends a device token and JSON."""

    token: str | None

    def _headers(self, extra: dict | None = None) -> dict:
        headers = {"HTTP_AUTHORIZATION": f"Bearer {self.token}"} if self.token else {}
        return {**headers, **(extra or {})}

    def get(self, path: str, params: dict | None = None, **headers):
        return Client(raise_request_exception=False).get(f"/api/v1{path}", params or {}, **self._headers(headers))

    def send(self, method: str, path: str, body, **headers):
        data = body if isinstance(body, (str, bytes)) else json.dumps(body, default=str)
        client = Client(raise_request_exception=False)
        return getattr(client, method)(
            f"/api/v1{path}", data, content_type="application/json", **self._headers(headers)
        )

    def post(self, path: str, body, **headers):
        return self.send("post", path, body, **headers)

    def patch(self, path: str, body, **headers):
        return self.send("patch", path, body, **headers)


@dataclass
class Household:
    parent: UserProfile
    kid: UserProfile
    teen: UserProfile
    device: DeviceToken
    api: Api
    kid_device: DeviceToken
    kid_api: Api


@pytest.fixture
def household(db) -> Household:
    parent = family_member_create(
        name="Mum", permission_level=PermissionLevel.ADMIN, username="mum", password="x-Pass-93k"
    )
    kid = family_member_create(name="Alex", permission_level=PermissionLevel.KID)
    teen = family_member_create(name="Sam", permission_level=PermissionLevel.USER)
    device, token = device_token_create(name="living room tray")
    kid_device, kid_token = device_token_create(name="Alex's tablet", members=[kid])
    return Household(parent, kid, teen, device, Api(token), kid_device, Api(kid_token))
