"""Shared REST API machinery: the router every app registers on, pagination, errors, bases."""

from rest_framework.routers import DefaultRouter

router = DefaultRouter()
