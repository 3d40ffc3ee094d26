"""Websocket routes of the suggestions app."""

from django.urls import path

from suggestions.consumers import SessionConsumer

websocket_urlpatterns = [
    path("ws/session/", SessionConsumer.as_asgi()),
]
