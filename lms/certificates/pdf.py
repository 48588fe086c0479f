"""The certificate as a one-page A4 landscape PDF, with a QR code to its verification page."""
import io
import os
import re
from pathlib import Path

import font_source_sans_pro
import font_source_serif_pro
import segno
from flask_babel import gettext as _
from fpdf import FPDF

SERIF = Path(font_source_serif_pro.__file__).parent / "files"
SANS = Path(font_source_sans_pro.__file__).parent / "files"
INK, BRAND, MUTED, GOLD = (29, 36, 51), (43, 89, 195), (107, 116, 135), (176, 141, 58)


# Japanese (and Chinese and Korean) names and text: Debian's Noto CJK (fonts-noto-cjk), whose
# collection holds the Japanese cut first. LMS_CJK_FONT may name another .ttf/.otf/.ttc.
CJK_FONTS = (
    ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
     "/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc"),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
     "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"),
)


def cjk_font():
    """(regular, bold) paths of a font with Japanese glyphs, or None if none is installed."""
    chosen = os.environ.get("LMS_CJK_FONT")
    if chosen and Path(chosen).is_file():
        return chosen, chosen
    for regular, bold in CJK_FONTS:
        if Path(regular).is_file():
            return regular, bold if Path(bold).is_file() else regular
    return None


def _fonts(pdf):
    pdf.add_font("serif", "", SERIF / "SourceSerifPro-Regular.ttf")
    pdf.add_font("serif", "B", SERIF / "SourceSerifPro-Semibold.ttf")
    pdf.add_font("serif", "I", SERIF / "SourceSerifPro-It.ttf")
    pdf.add_font("sans", "", SANS / "SourceSansPro-Regular.ttf")
    pdf.add_font("sans", "B", SANS / "SourceSansPro-Semibold.ttf")
    found = cjk_font()
    if found:
        # Only the glyphs used are embedded (fpdf2 subsets fonts), so the PDF stays small.
        pdf.add_font("cjk", "", found[0], collection_font_number=0)
        pdf.add_font("cjk", "B", found[1], collection_font_number=0)
        pdf.add_font("cjk", "I", found[0], collection_font_number=0)


CJK = re.compile(r"[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uff00-\uffef]")


def _font(pdf, family, style, size, text):
    """Set the font for `text`: the Japanese-capable one when it has such characters.

    Chosen per line rather than with fpdf2's fallback fonts, which can leave the wrong font
    in force for the next line (its Latin letters then print as empty boxes).
    """
    if CJK.search(text) and "cjk" in pdf.fonts:
        family = "cjk"
    pdf.set_font(family, style, size)


def _centred(pdf, y, text, family, style, size, colour, spacing=0):
    pdf.set_xy(20, y)
    _font(pdf, family, style, size, text)
    pdf.set_text_color(*colour)
    pdf.set_char_spacing(spacing)
    pdf.cell(257, size * 0.5, text, align="C")
    pdf.set_char_spacing(0)


def certificate_pdf(site_name, holder, title, subtitle, issued, expires, code, verify_url,
                    status="valid"):
    """Render a certificate; dates are already formatted for the reader."""
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_title(f"{title}: {holder}")
    pdf.set_author(site_name)
    _fonts(pdf)
    pdf.add_page()
    pdf.set_fill_color(250, 248, 242)
    pdf.rect(0, 0, 297, 210, style="F")
    pdf.set_draw_color(*BRAND)
    pdf.set_line_width(1.6)
    pdf.rect(10, 10, 277, 190)
    pdf.set_draw_color(*GOLD)
    pdf.set_line_width(0.4)
    pdf.rect(14, 14, 269, 182)

    _centred(pdf, 28, site_name.upper(), "sans", "B", 12, BRAND, spacing=1.5)
    _centred(pdf, 44, _("Certificate of Achievement"), "serif", "", 34, INK)
    pdf.set_draw_color(*GOLD)
    pdf.line(118, 66, 179, 66)
    _centred(pdf, 74, _("This certifies that"), "serif", "I", 14, MUTED)
    _centred(pdf, 86, holder, "serif", "B", 32, INK)
    _centred(pdf, 108, _("has completed"), "serif", "I", 14, MUTED)
    _centred(pdf, 118, title, "serif", "B", 20, BRAND)
    if subtitle:
        _centred(pdf, 131, subtitle, "sans", "", 12, MUTED)

    pdf.set_font("sans", "", 11)
    pdf.set_text_color(*INK)
    for x, label, value in ((40, _("Issued"), issued), (110, _("Valid until"), expires)):
        pdf.set_xy(x, 156)
        _font(pdf, "sans", "B", 9, label)
        pdf.set_text_color(*MUTED)
        pdf.cell(60, 5, label.upper())
        pdf.set_xy(x, 162)
        _font(pdf, "serif", "", 13, value)
        pdf.set_text_color(*INK)
        pdf.cell(60, 6, value)
        pdf.set_draw_color(*MUTED)
        pdf.set_line_width(0.2)
        pdf.line(x, 170, x + 55, 170)
    pdf.set_text_color(*MUTED)
    for y, line in ((176, _("Certificate code %(code)s", code=code)),
                    (181, _("Check it at %(url)s", url=verify_url))):
        pdf.set_xy(40, y)
        _font(pdf, "sans", "", 9, line)
        pdf.cell(150, 5, line)
    if status != "valid":
        status_label = {"revoked": _("Revoked"), "expired": _("Expired")}.get(status, status)
        _centred(pdf, 140, status_label.upper(), "sans", "B", 16, (180, 35, 24), spacing=3)

    qr = io.BytesIO()
    segno.make(verify_url, error="m").save(qr, kind="png", scale=8, border=1)
    qr.seek(0)
    pdf.image(qr, x=224, y=146, w=38, h=38)
    pdf.set_xy(214, 185)
    scan = _("Scan to verify")
    _font(pdf, "sans", "", 8, scan)
    pdf.cell(58, 4, scan, align="C")
    return bytes(pdf.output())
