"""An outside record's file is judged by its bytes, never its name: PDFs and images pass, a renamed executable, a
cut-short PDF, an oversized file and an image bomb do not. Pure."""

import io
import zlib

import pytest
from PIL import Image

from tumorboard.second_opinions.uploads import MAX_PIXELS, UploadRefused, check_file, safe_filename

LIMIT = 1024 * 1024
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def image(kind: str, size: tuple[int, int] = (40, 30), mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, "white").save(out, kind)
    return out.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims `width` x `height` pixels in a few bytes: a decompression bomb's header."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")

    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([1, 0, 0, 0, 0])
    pixels = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def test_a_pdf_and_images_pass_whatever_their_names_say():
    assert check_file("pathology.pdf", PDF, LIMIT).media_type == "application/pdf"
    checked = check_file("scan.pdf", image("PNG"), LIMIT)
    assert (checked.media_type, checked.filename) == ("image/png", "scan.png")
    assert check_file("photo", image("JPEG"), LIMIT).filename == "photo.jpg"
    assert check_file("slide.tif", image("TIFF"), LIMIT).media_type == "image/tiff"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("report.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200, "This file is not a PDF or an image"),
        ("report.pdf", b"#!/bin/sh\nrm -rf /\n", "This file is not a PDF or an image"),
        ("report.pdf", PDF[:40], "This PDF is incomplete"),
        ("scan.png", image("PNG")[:60], "This file is not a PDF or an image"),
        ("scan.gif", image("GIF"), "This file is not a PDF or an image"),
        ("empty.pdf", b"", "The file is empty."),
        ("big.pdf", PDF + b"\x00" * LIMIT, "The file is 1.0 MB; a file may be at most 1.0 MB."),
    ],
)
def test_what_is_not_a_record_is_refused_with_the_reason(name, content, message):
    with pytest.raises(UploadRefused, match=message.replace(".", r"\.")):
        check_file(name, content, LIMIT)


@pytest.mark.parametrize("size", [(10_000, 10_000), (100_000, 100_000)])
def test_an_image_bomb_is_refused_before_it_is_decoded(size):
    bomb = png_header_only(*size)
    assert len(bomb) < 200 and size[0] * size[1] > MAX_PIXELS
    with pytest.raises(UploadRefused, match="far too large to open"):
        check_file("scan.png", bomb, LIMIT)


def test_a_name_loses_its_folders_and_control_characters_and_takes_the_contents_extension():
    assert safe_filename("../../etc/passwd", "application/pdf") == "passwd.pdf"
    assert safe_filename("C:\\Users\\me\\scan 01.exe", "image/png") == "scan 01.png"
    assert safe_filename("evil\r\nSet-Cookie: x.pdf", "application/pdf") == "evilSet-Cookie: x.pdf"
    assert safe_filename("...", "image/jpeg") == "record.jpg"
    assert len(safe_filename("a" * 500 + ".pdf", "application/pdf")) == 200
