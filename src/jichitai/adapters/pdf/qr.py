"""Drawing a QR code on a ReportLab page (error correction M: a smudged corner still reads).

The modules are computed once (``qrcode``) and drawn as one filled path, a rectangle per run of
dark modules in a row: ReportLab's own QR widget built thousands of shape objects and encoded
the data twice, three quarters of a certificate's drawing time (measured).
"""

from __future__ import annotations

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from reportlab.pdfgen.canvas import Canvas

MASK = 4
QUIET_ZONE = 4
"""Light modules around the code, as the QR standard asks."""


def qr_matrix(text: str) -> list[list[bool]]:
    # A fixed mask: choosing the best of the eight by scoring each (the library's default)
    # cost ~30 ms a code in pure Python; any mask reads the same (zbarimg in the tests).
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0, mask_pattern=MASK)
    code.add_data(text)
    code.make(fit=True)
    return [[bool(cell) for cell in row] for row in code.get_matrix()]


def draw_qr(canvas: Canvas, text: str, x: float, y: float, size: float) -> None:
    """The QR code of ``text`` (quiet zone included) as a ``size`` × ``size`` point square at
    (x, y), its lower left corner."""
    matrix = qr_matrix(text)
    count = len(matrix)
    cell = size / (count + 2 * QUIET_ZONE)
    path = canvas.beginPath()
    for r, row in enumerate(matrix):
        top = y + (count - r - 1 + QUIET_ZONE) * cell
        c = 0
        while c < count:
            if not row[c]:
                c += 1
                continue
            start = c
            while c < count and row[c]:
                c += 1
            path.rect(x + (start + QUIET_ZONE) * cell, top, (c - start) * cell, cell)
    canvas.saveState()
    canvas.setFillColorRGB(0, 0, 0)
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()
