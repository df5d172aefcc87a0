"""Files that would take a worker's memory or minutes of its time are refused before they are parsed."""

import io
import zipfile

import pandas as pd
import pytest

from tumorboard.cases.importer import MAX_CELL_CHARACTERS, MAX_COLUMNS, ImportFileError, read_table


def _xlsx(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_excel(buffer, index=False)
    return buffer.getvalue()


def _with_part(xlsx: bytes, name: str, text: bytes) -> bytes:
    """The spreadsheet with one more part inside its zip (deflated: a few kB on the wire)."""
    buffer = io.BytesIO(xlsx)
    with zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, text)
    return buffer.getvalue()


def test_an_xlsx_that_expands_far_beyond_its_size_is_refused_unread():
    bomb = _with_part(
        _xlsx(pd.DataFrame({"mrn": ["TB1"]})), "xl/sharedStrings2.xml", b"<si><t>" + b"A" * 60_000_000 + b"</t></si>"
    )
    assert len(bomb) < 1_000_000
    with pytest.raises(ImportFileError, match="expands to 60 MB; at most 50 MB"):
        read_table(bomb, "cases.xlsx")


def test_a_file_named_xlsx_that_is_no_zip_is_refused():
    with pytest.raises(ImportFileError, match=r"This is not an Excel file \(.xlsx\)"):
        read_table(b"mrn,last_name\nTB1,Doe\n", "cases.xlsx")


def test_a_csv_with_a_huge_header_is_refused_before_parsing():
    content = (",".join(f"c{n}" for n in range(600_000)) + "\n1\n").encode()
    with pytest.raises(ImportFileError, match="header has more than 100 columns"):
        read_table(content, "cases.csv")


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_more_columns_than_a_table_has_are_refused(suffix):
    frame = pd.DataFrame({f"c{n}": ["x"] for n in range(MAX_COLUMNS + 1)})
    content = frame.to_csv(index=False).encode() if suffix == "csv" else _xlsx(frame)
    with pytest.raises(ImportFileError, match=f"(more than {MAX_COLUMNS}|{MAX_COLUMNS + 1}) columns"):
        read_table(content, f"cases.{suffix}")


def test_a_cell_longer_than_any_field_is_refused_with_its_place():
    content = f"mrn,question\nTB1,ok\nTB2,{'x' * (MAX_CELL_CHARACTERS + 1)}\n".encode()
    with pytest.raises(ImportFileError, match="Row 3, column question: 10,001 characters"):
        read_table(content, "cases.csv")


def test_rows_beyond_the_callers_maximum_are_refused():
    content = ("mrn\n" + "".join(f"TB{n}\n" for n in range(11))).encode()
    assert len(read_table(content, "cases.csv", max_rows=11)) == 11
    with pytest.raises(ImportFileError, match="at most 10 at a time"):
        read_table(content, "cases.csv", max_rows=10)


@pytest.mark.parametrize(("content", "message"), [
    (b"", "The file is empty"),
    (b"\xff\xfe\x00m\x00r\x00n\x00\n", "not text in UTF-8"),
    (b'mrn,last_name\n"TB1,Doe\n', "do not line up"),
])
def test_a_file_that_cannot_be_read_says_why_in_plain_words(content, message):
    with pytest.raises(ImportFileError, match=message) as refused:
        read_table(content, "cases.csv")
    assert "Error" not in str(refused.value)  # never a programmer's name for it
