"""Signing in and out, with Django's views and Solidaire's templates."""

from __future__ import annotations

from django.contrib.auth import views as auth_views


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    # Logout is a POST (a link could be followed by a prefetching browser).
    http_method_names = ["post", "options"]
