"""What an outside record's file is, read from its bytes (never its name): a PDF or an image, within limits. Pure.

An image is opened far enough to read its size: one whose pixels would fill the memory when decoded (a
"decompression bomb", a few kilobytes on disk) is refused before it is decoded, and its data is then checked whole.
"""

from __future__ import annotations

import io
import re
import unicodedata
import warnings
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

MAX_PIXELS = 60_000_000  # a 60-megapixel scan; Pillow's own alarm is at 89 million
IMAGE_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "TIFF": "image/tiff"}
EXTENSIONS = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg", "image/tiff": ".tif"}
PDF_TAIL = 2048  # where a PDF's %%EOF must be (writers may add a little after it)


class UploadRefused(ValueError):
    """A file that is not taken, with the reason in plain words."""


@dataclass(frozen=True)
class CheckedFile:
    """A file that passed: its media type as read from its content, and a name safe to show and to send back."""

    media_type: str
    filename: str
    size: int


def safe_filename(name: str, media_type: str) -> str:
    """The uploaded name without folders, control characters or oddities, at most 200 characters; 'record' when
    nothing is left; with the extension its content calls for."""
    base = re.split(r"[\\/]", name or "")[-1]
    kept = (ch for ch in unicodedata.normalize("NFC", base) if ch == " " or unicodedata.category(ch)[0] not in "CZ")
    base = "".join(kept)
    stem = re.sub(r"\.[A-Za-z0-9]{1,5}$", "", base).strip(" .") or "record"
    extension = EXTENSIONS[media_type]
    return stem[: 200 - len(extension)] + extension


def check_file(name: str, content: bytes, max_bytes: int) -> CheckedFile:
    """The file's media type, read from its bytes; UploadRefused with the reason otherwise."""
    if not content:
        raise UploadRefused("The file is empty.")
    if len(content) > max_bytes:
        raise UploadRefused(f"The file is {_megabytes(len(content))}; a file may be at most {_megabytes(max_bytes)}.")
    media_type = _pdf(content) if content.startswith(b"%PDF-") else _image(content)
    return CheckedFile(media_type, safe_filename(name, media_type), len(content))


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def _pdf(content: bytes) -> str:
    if b"%%EOF" not in content[-PDF_TAIL:]:
        raise UploadRefused("This PDF is incomplete (it has no end): save or download it again and attach that copy.")
    return "application/pdf"


def _image(content: bytes) -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(content)) as image:
                kind, (width, height) = image.format, image.size
                if kind in IMAGE_TYPES and width * height <= MAX_PIXELS:
                    image.verify()  # the whole data, without decoding it into memory
        except (Image.DecompressionBombWarning, Image.DecompressionBombError) as error:
            raise _bomb(0, 0) from error
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as error:
            raise _not_a_record() from error
    if kind not in IMAGE_TYPES:
        raise _not_a_record()
    if width * height > MAX_PIXELS:
        raise _bomb(width, height)
    return IMAGE_TYPES[kind]


def _not_a_record() -> UploadRefused:
    return UploadRefused(
        "This file is not a PDF or an image (PNG, JPEG or TIFF), whatever its name says. Attach the record as a PDF."
    )


def _bomb(width: int, height: int) -> UploadRefused:
    size = f" ({width} x {height} pixels)" if width else ""
    return UploadRefused(f"This image is far too large to open{size}: at most {MAX_PIXELS // 1_000_000} million "
                         "pixels. Scan it at a lower resolution or attach it as a PDF.")
