"""The Japanese page ``GET /verify/{code}`` answers a browser (a resident or a receiving office
who typed the code or scanned the QR code): what the JSON says, in words.

Kept in the API package, since the API may not import the counter (its templates are the
counter's); the page is small and built with escaping throughout. It carries no personal data,
as the JSON does not.
"""

from __future__ import annotations

from datetime import date
from html import escape
from typing import Final

from jichitai.domain.common.dates import format_wareki
from jichitai.services.certificates import Verification

_STYLE: Final = (
    "body{font-family:sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;line-height:1.6}"
    "dt{font-weight:bold}dd{margin:0 0 .5rem 0}.ok{color:#064}.invalid{color:#a00}"
    ".code{font-family:monospace}"
)
HEADERS: Final = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
    "frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def _day(value: date) -> str:
    return escape(format_wareki(value))


def verification_page(found: Verification) -> str:
    if found.disposed_on:
        verdict = (
            '<p class="invalid">この証明書は誤って発行されたため処分されており、無効です'
            f"（{_day(found.disposed_on)}）。</p>"
        )
    elif found.superseded_by:
        verdict = (
            '<p class="invalid">この証明書は再交付されたため無効です（新しい確認コード '
            f'<span class="code">{escape(found.superseded_by)}</span>）。</p>'
        )
    else:
        verdict = '<p class="ok">この確認コードの証明書は発行されています。</p>'
    rows = [
        ("確認コード", f'<span class="code">{escape(found.code)}</span>'),
        ("種類", escape(found.title)),
        ("発行した団体", escape(found.municipality_name)),
        ("発行日", _day(found.issued_on)),
        ("枚数", f"{found.pages}枚"),
        ("内容のハッシュ値", f'<span class="code">{escape(found.content_sha256)}</span>'),
    ]
    listed = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows)
    return (
        '<!doctype html><html lang="ja"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>証明書の確認</title><style>{_STYLE}</style></head><body>"
        f"<h1>証明書の確認</h1>{verdict}<dl>{listed}</dl>"
        "<p>お手元の証明書の確認コード・種類・発行日がこの内容と一致するかを確かめてください。"
        "証明書のPDFファイルは電子署名とQRコードでも確認できます（POST /verify）。</p>"
        "</body></html>"
    )


def not_found_page(message: str) -> str:
    return (
        '<!doctype html><html lang="ja"><head><meta charset="utf-8">'
        f"<title>証明書の確認</title><style>{_STYLE}</style></head><body>"
        f'<h1>証明書の確認</h1><p class="invalid">{escape(message)}</p></body></html>'
    )
