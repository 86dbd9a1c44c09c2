"""A contract file that is not readable JSON: plain translated words naming the line and column
(never the parser's own English message), the same on the page and from ``load_contract``."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from finance.models import Contract

pytestmark = pytest.mark.django_db

BAD_FILES = [
    (
        b'{\n  "code": "C1",\n  "title": "x"\n  "funder": "y"\n}\n',
        "c.json is not valid JSON: line 4, column 3: a comma is missing between two items.",
    ),
    (
        b'{\n  "code": "C1",\n}\n',
        "c.json is not valid JSON: line 3, column 1: a key in double quotes is expected here "
        "(there may be a comma after the last item).",
    ),
    (
        b'{"code" "C1"}',
        "c.json is not valid JSON: line 1, column 9: a colon is missing after a key.",
    ),
    (
        b'{"code": "C1',
        "c.json is not valid JSON: line 1, column 10: a text in double quotes is not closed.",
    ),
    (
        b'{"code": }',
        "c.json is not valid JSON: line 1, column 10: a value is missing here "
        "(text in double quotes, a number, true, false or null).",
    ),
    (
        b'{"code": "C1"} {"code": "C2"}',
        "c.json is not valid JSON: line 1, column 16: something follows the end of the definition; "
        "the file must hold one JSON object.",
    ),
    (
        b'{"code": "a\\qb"}',
        "c.json is not valid JSON: line 1, column 12: a backslash in a text starts no valid escape; "
        "write \\\\ for a backslash.",
    ),
    (
        '{\n  "title": "信丰县"\n}\n'.encode("gbk"),
        "c.json is not UTF-8 text (the text cannot be read at line 2, column 13); "
        "save it as UTF-8 and load it again.",
    ),
    (
        b"  \r\n\r\n",
        "c.json is empty; it must hold one JSON object, the contract definition.",
    ),
    (
        b"[" * 100_000,
        "c.json cannot be read: it holds a number too long or values nested too deeply.",
    ),
    (
        b'{"total": ' + b"9" * 5000 + b"}",
        "c.json cannot be read: it holds a number too long or values nested too deeply.",
    ),
]


@pytest.mark.parametrize(("content", "message"), BAD_FILES)
def test_the_upload_page_says_why_the_file_is_not_json(content, message, finance, login_client):
    upload = SimpleUploadedFile("c.json", content, "application/json")
    response = login_client(finance).post(reverse("finance-contract-upload"), {"file": upload})
    assert response.status_code == 200
    assert list(response.context["form"].non_field_errors()) == [message]
    assert Contract.objects.count() == 0


@pytest.mark.parametrize(("content", "message"), BAD_FILES)
def test_load_contract_says_why_the_file_is_not_json(content, message, agency, tmp_path):
    path = tmp_path / "c.json"
    path.write_bytes(content)
    err = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("load_contract", str(path), "--agency", "xinfeng", stdout=io.StringIO(), stderr=err)
    assert raised.value.returncode == 1
    assert err.getvalue() == (
        f"Refused: c.json is not a valid contract definition; nothing was changed.\n{message}\n"
    )
    assert Contract.objects.count() == 0


def test_an_empty_upload_is_refused_by_the_form(finance, login_client):
    upload = SimpleUploadedFile("c.json", b"", "application/json")
    response = login_client(finance).post(reverse("finance-contract-upload"), {"file": upload})
    assert response.status_code == 200
    assert response.context["form"].errors == {"file": ["The submitted file is empty."]}


def test_the_upload_page_says_why_in_chinese(finance, login_client):
    upload = SimpleUploadedFile("c.json", b'{"code" "C1"}', "application/json")
    response = login_client(finance).post(
        reverse("finance-contract-upload"), {"file": upload}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert list(response.context["form"].non_field_errors()) == [
        "c.json 不是有效的 JSON：第 1 行第 9 列：键后面缺少冒号。"
    ]
