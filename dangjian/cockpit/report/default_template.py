"""The default Word template of the monthly report (default_template.docx beside this file), built
with python-docx: Jinja tags (docxtpl) in a plain document a district downloads, edits in Word (its
wording, fonts, letterhead; the tags stay) and uploads again. Rebuild the file after changing this:

    .venv/bin/python -m dangjian.cockpit.report.default_template
"""

from __future__ import annotations

import io
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

PATH = Path(__file__).with_name("default_template.docx")


def _east_asian(style, font: str, size: float | None = None, bold: bool | None = None) -> None:
    style.font.name = font
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
    if size:
        style.font.size = Pt(size)
    if bold is not None:
        style.font.bold = bold


def build() -> bytes:
    doc = Document()
    _east_asian(doc.styles["Normal"], "仿宋", 12)
    _east_asian(doc.styles["Title"], "黑体", 20, True)
    doc.styles["Title"].font.color.rgb = RGBColor(0xA6, 0x1B, 0x1B)
    _east_asian(doc.styles["Heading 1"], "黑体", 15, True)
    doc.styles["Heading 1"].font.color.rgb = RGBColor(0x11, 0x11, 0x11)

    title = doc.add_paragraph("{{ title }}", style="Title")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    sub = doc.add_paragraph("{{ district }} · {{ month }}")
    sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
    note = doc.add_paragraph("数据日期 {{ on }}，变化与 {{ compare_on }} 比")
    note.alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph("{%p if opening %}")
    doc.add_paragraph("{{ opening }}").paragraph_format.first_line_indent = Pt(24)
    doc.add_paragraph("{%p endif %}")

    doc.add_paragraph("{%p for g in groups %}")
    doc.add_paragraph("{{ loop.index }}. {{ g.label }}", style="Heading 1")
    table = doc.add_table(rows=4, cols=4)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ("指标", "本月数", "较上月", "目标"), strict=True):
        cell.text = text
        cell.paragraphs[0].runs[0].bold = True
    table.rows[1].cells[0].text = "{%tr for row in g.rows %}"
    for cell, text in zip(
        table.rows[2].cells,
        ("{{ row.label }}", "{{ row.value }} {{ row.unit }}", "{{ row.change }}", "{{ row.target }}"),
        strict=True,
    ):
        cell.text = text
    table.rows[3].cells[0].text = "{%tr endfor %}"
    doc.add_paragraph("{%p if g.bar %}")
    doc.add_paragraph("{{ g.bar }}").alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph("{%p endif %}")
    doc.add_paragraph("{%p if g.trend %}")
    doc.add_paragraph("{{ g.trend }}").alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph("{%p endif %}")
    doc.add_paragraph("{%p endfor %}")

    doc.add_paragraph("本月变化", style="Heading 1")
    doc.add_paragraph("{%p for c in changes %}")
    doc.add_paragraph("{{ c.label }}：{{ c.value }} {{ c.unit }}，较上月 {{ c.change }}", style="List Bullet")
    doc.add_paragraph("{%p endfor %}")
    doc.add_paragraph("{%p if not changes %}")
    doc.add_paragraph("本月各项指标与上月末持平。")
    doc.add_paragraph("{%p endif %}")
    doc.add_paragraph("{%p if closing %}")
    doc.add_paragraph("{{ closing }}").paragraph_format.first_line_indent = Pt(24)
    doc.add_paragraph("{%p endif %}")
    doc.add_paragraph("本报告由驾驶舱于 {{ generated_at }} 自动生成，数字取自指标库。")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


if __name__ == "__main__":
    PATH.write_bytes(build())
    print(PATH)
