"""Real files of every kind the upload path meets, made in memory for tests:
good documents of each accepted type and the bad ones it must refuse."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject


def _pdf(writer: PdfWriter) -> bytes:
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _blank_writer() -> PdfWriter:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    return writer


def pdf() -> bytes:
    """A plain one-page PDF."""
    return _pdf(_blank_writer())


def pdf_with_javascript() -> bytes:
    """A PDF that runs JavaScript when opened (a document-level script in
    the /Names tree, as Acrobat writes it)."""
    writer = _blank_writer()
    action = writer._add_object(
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Action"),
                NameObject("/S"): NameObject("/JavaScript"),
                NameObject("/JS"): TextStringObject("app.alert('bonjour');"),
            }
        )
    )
    tree = DictionaryObject({NameObject("/Names"): ArrayObject([TextStringObject("x"), action])})
    writer._root_object[NameObject("/Names")] = DictionaryObject(
        {NameObject("/JavaScript"): writer._add_object(tree)}
    )
    return _pdf(writer)


def pdf_with_hidden_javascript() -> bytes:
    """The same script with its names written in hexadecimal escapes
    (``/J#61vaScript``), as malware does to slip past plain text searches."""
    return (
        pdf_with_javascript().replace(b"/JavaScript", b"/J#61vaScript").replace(b"/JS ", b"/J#53 ")
    )


def pdf_with_open_action_javascript() -> bytes:
    """A PDF whose /OpenAction is a JavaScript action."""
    writer = _blank_writer()
    action = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Action"),
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject("app.alert(1)"),
        }
    )
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)
    return _pdf(writer)


def pdf_with_launch_action() -> bytes:
    """A PDF whose /OpenAction launches a program."""
    writer = _blank_writer()
    action = DictionaryObject(
        {
            NameObject("/S"): NameObject("/Launch"),
            NameObject("/F"): TextStringObject("calc.exe"),
        }
    )
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)
    return _pdf(writer)


def pdf_with_embedded_file() -> bytes:
    """A PDF carrying another file inside it."""
    writer = _blank_writer()
    writer.add_attachment("programme.exe", b"MZ\x90\x00 not really a program")
    return _pdf(writer)


def encrypted_pdf() -> bytes:
    """A password-protected PDF (RC4, which needs no extra library)."""
    writer = _blank_writer()
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    return _pdf(writer)


def broken_pdf() -> bytes:
    """A file that starts like a PDF and is nothing else."""
    return b"%PDF-1.7\n" + b"\x00garbage" * 200


def _zip(members: dict[str, bytes], *, first: tuple[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        if first is not None:
            archive.writestr(first[0], first[1], compress_type=zipfile.ZIP_STORED)
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _content_types(main: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/main.xml" ContentType="{main}"/>'
        "</Types>"
    ).encode()


def docx() -> bytes:
    main = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
    return _zip(
        {
            "[Content_Types].xml": _content_types(main),
            "word/document.xml": b"<w:document><w:body>Lettre d'appui</w:body></w:document>",
        }
    )


def docm() -> bytes:
    """A Word document with macros."""
    main = "application/vnd.ms-word.document.macroEnabled.main+xml"
    return _zip(
        {
            "[Content_Types].xml": _content_types(main),
            "word/document.xml": b"<w:document/>",
            "word/vbaProject.bin": b"\xd0\xcf\x11\xe0 macros",
        }
    )


def xlsx() -> bytes:
    main = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
    return _zip(
        {
            "[Content_Types].xml": _content_types(main),
            "xl/workbook.xml": b"<workbook/>",
        }
    )


def odt() -> bytes:
    return _zip(
        {"content.xml": b"<office:document-content/>"},
        first=("mimetype", b"application/vnd.oasis.opendocument.text"),
    )


def ods() -> bytes:
    return _zip(
        {"content.xml": b"<office:document-content/>"},
        first=("mimetype", b"application/vnd.oasis.opendocument.spreadsheet"),
    )


def zip_bomb_docx(megabytes: int = 20) -> bytes:
    """A DOCX whose one member inflates a thousand times its compressed size."""
    main = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
    return _zip(
        {
            "[Content_Types].xml": _content_types(main),
            "word/document.xml": b"\x00" * (megabytes * 1024 * 1024),
        }
    )


def png() -> bytes:
    """A one-pixel PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\xff\xff")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def jpeg() -> bytes:
    """The start of a JFIF image (what its signature is made of) and its end."""
    return (
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
        + b"\xff\xdb\x00\x43\x00"
        + bytes(range(64))
        + b"\xff\xd9"
    )


def elf_executable() -> bytes:
    """The header of a Linux program."""
    return b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 240


def windows_executable() -> bytes:
    """The header of a Windows program (MZ, then the PE header)."""
    header = bytearray(b"MZ\x90\x00" + b"\x00" * 252)
    header[0x3C:0x40] = struct.pack("<I", 0x80)
    header[0x80:0x84] = b"PE\x00\x00"
    return bytes(header)


def svg() -> bytes:
    return (
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg">'
        b"<script>alert(document.cookie)</script></svg>"
    )


def html() -> bytes:
    return b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
