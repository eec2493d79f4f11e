"""The JSON API (owned by the API work)."""

urlpatterns: list = []
