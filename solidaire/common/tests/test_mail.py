"""Development e-mail: printed to the console and kept as a file."""

from __future__ import annotations

from django.core.mail import EmailMessage

from solidaire.common.mail import ConsoleAndFileEmailBackend

LINK = (
    "http://127.0.0.1:8000/courriel/verifier/MQ:1xXhck:Kltnz8CS2Y-z4EmbHcbzS4-7PvFEbmbIAkY0OWcAXxE/"
)


def test_message_is_printed_and_written_readable_with_its_link_whole(tmp_path, capsys):
    backend = ConsoleAndFileEmailBackend(alias="default", file_path=str(tmp_path / "mail"))
    message = EmailMessage(
        "Confirmez votre adresse courriel",
        f"Quelqu’un a donné l’adresse marie@example.org. Ouvrez ce lien :\n\n{LINK}\n",
        "solidaire@localhost",
        ["marie@example.org"],
    )

    assert backend.send_messages([message]) == 1

    files = list((tmp_path / "mail").iterdir())
    assert len(files) == 1
    written = files[0].read_text(encoding="utf-8")
    printed = capsys.readouterr().out
    for text in (written, printed):
        assert "To: marie@example.org" in text
        assert "Subject: Confirmez votre adresse courriel" in text
        assert "Quelqu’un a donné l’adresse" in text
        assert f"\n{LINK}\n" in text  # not cut by the wire format's line wrapping


def test_nothing_to_send_writes_nothing(tmp_path, capsys):
    backend = ConsoleAndFileEmailBackend(alias="default", file_path=str(tmp_path))

    assert not backend.send_messages([])

    assert list(tmp_path.iterdir()) == []
    assert capsys.readouterr().out == ""
