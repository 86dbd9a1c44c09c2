"""Signing in the way a person does, through the login page (django-axes needs the request)."""

from __future__ import annotations

from django.test import Client


def log_in(client: Client, username: str, password: str) -> bool:
    """Post the login form with ``client``; True when it signed in (a redirect away from it)."""
    response = client.post("/login/", {"username": username, "password": password})
    return response.status_code == 302
