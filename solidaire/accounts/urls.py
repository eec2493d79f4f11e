from allauth.account import views as allauth_views
from django.urls import path, register_converter

from solidaire.accounts import views


class Base36Converter:
    """A user's number in base 36, as in allauth's password reset links
    (``<uid>-<token>``; the token itself contains dashes)."""

    regex = "[0-9A-Za-z]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(Base36Converter, "b36")

app_name = "accounts"

urlpatterns = [
    path("connexion/", allauth_views.login, name="login"),
    path("deconnexion/", views.LogoutView.as_view(), name="logout"),
    path("inscription/", allauth_views.signup, name="signup"),
    path("compte/", views.account, name="account"),
]

# django-allauth reverses its own URL names (``account_signup``, …): the same
# pages under their French addresses.
allauth_urlpatterns = [
    path("connexion/", allauth_views.login, name="account_login"),
    path("deconnexion/", views.LogoutView.as_view(), name="account_logout"),
    path("inscription/", allauth_views.signup, name="account_signup"),
    path(
        "inscription/courriel-envoye/",
        allauth_views.email_verification_sent,
        name="account_email_verification_sent",
    ),
    path("courriel/verifier/<str:key>/", allauth_views.confirm_email, name="account_confirm_email"),
    path("compte/inactif/", allauth_views.account_inactive, name="account_inactive"),
    path("compte/courriel/", allauth_views.email, name="account_email"),
    path("compte/mot-de-passe/", allauth_views.password_change, name="account_change_password"),
    path("compte/mot-de-passe/choisir/", allauth_views.password_set, name="account_set_password"),
    path("mot-de-passe/oublie/", allauth_views.password_reset, name="account_reset_password"),
    path(
        "mot-de-passe/oublie/envoye/",
        allauth_views.password_reset_done,
        name="account_reset_password_done",
    ),
    path(
        "mot-de-passe/nouveau/<b36:uidb36>-<str:key>/",
        allauth_views.password_reset_from_key,
        name="account_reset_password_from_key",
    ),
    path(
        "mot-de-passe/nouveau/termine/",
        allauth_views.password_reset_from_key_done,
        name="account_reset_password_from_key_done",
    ),
]
