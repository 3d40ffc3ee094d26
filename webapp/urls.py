"""Routes of the browser app, included under /app/.

Every path under /app/ is a client-side route and gets the same page.
"""

from django.urls import path, re_path

from webapp import views

app_name = "webapp"

urlpatterns = [
    path("", views.app_page, name="app"),
    re_path(r"^(?P<path>.*)$", views.app_page, name="app-route"),
]
