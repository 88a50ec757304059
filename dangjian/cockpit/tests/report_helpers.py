"""Reading the monthly report's files back in the tests: the PDF's text as WeasyPrint laid it out
(the same HTML the file was printed from), the Word file's paragraphs and table cells."""

from __future__ import annotations

import io
import re
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile


def pdf_layout_text(html: str) -> tuple[str, int]:
    """The text of every page WeasyPrint lays the report out on, and the number of pages."""
    from weasyprint import HTML

    document = HTML(string=html).render()
    parts: list[str] = []

    def walk(box) -> None:
        text = getattr(box, "text", None)
        if isinstance(text, str):
            parts.append(text)
        for child in getattr(box, "children", None) or []:
            walk(child)

    for page in document.pages:
        walk(page._page_box)
        parts.append("\f")
    return "".join(parts), len(document.pages)


def pdf_page_count(data: bytes) -> int:
    """The page count the PDF's page tree states (its object streams inflated first)."""
    chunks = [data]
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            chunks.append(zlib.decompress(stream))
        except zlib.error:
            continue
    data = b"\n".join(chunks)
    counts = [int(n) for n in re.findall(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)", data)]
    counts += [int(n) for n in re.findall(rb"/Count\s+(\d+)[^>]*?/Type\s*/Pages\b", data)]
    return max(counts) if counts else 0


def docx_text(data: bytes) -> tuple[list[str], list[list[str]], int]:
    """The Word file's paragraphs, its table rows (cell texts) and its number of pictures."""
    from docx import Document

    doc = Document(io.BytesIO(data))
    paragraphs = [p.text for p in doc.paragraphs]
    rows = [[c.text for c in row.cells] for table in doc.tables for row in table.rows]
    return paragraphs, rows, len(doc.inline_shapes)


def docx_upload(*paragraphs: str, name: str = "本区模板.docx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, docx_bytes(*paragraphs))


def docx_bytes(*paragraphs: str) -> bytes:
    from docx import Document

    doc = Document()
    for text in paragraphs:
        doc.add_paragraph(text)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
