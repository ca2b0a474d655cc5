"""Write small, real PDF files (text pages with the standard Helvetica font) for tests."""

from __future__ import annotations

from pathlib import Path


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def write_pdf(path: Path, pages: list[list[str]]) -> Path:
    """One PDF page per list of lines."""
    objects: list[bytes] = []
    page_ids = []
    font_id = 3
    next_id = 4
    page_objects: list[tuple[int, int, bytes]] = []
    for lines in pages:
        ops = ["BT", "/F1 11 Tf", "14 TL", "50 780 Td"]
        for line in lines:
            ops.append(f"({_escape(line)}) Tj T*")
        ops.append("ET")
        stream = "\n".join(ops).encode("latin-1")
        page_id, content_id = next_id, next_id + 1
        next_id += 2
        page_ids.append(page_id)
        page_objects.append((page_id, content_id, stream))

    kids = " ".join(f"{page_id} 0 R" for page_id in page_ids)
    objects_by_id: dict[int, bytes] = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: f"<< /Type /Pages /Kids [{kids}] /Count {len(page_ids)} >>".encode(),
        font_id: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    }
    for page_id, content_id, stream in page_objects:
        objects_by_id[page_id] = (
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            f"/Resources << /Font << /F1 {font_id} 0 R >> >> /Contents {content_id} 0 R >>"
        ).encode()
        objects_by_id[content_id] = (
            f"<< /Length {len(stream)} >>\nstream\n".encode() + stream + b"\nendstream"
        )

    output = bytearray(b"%PDF-1.4\n")
    offsets = {}
    for object_id in sorted(objects_by_id):
        offsets[object_id] = len(output)
        output += f"{object_id} 0 obj\n".encode() + objects_by_id[object_id] + b"\nendobj\n"
    xref_at = len(output)
    count = max(objects_by_id) + 1
    output += f"xref\n0 {count}\n0000000000 65535 f \n".encode()
    for object_id in range(1, count):
        output += f"{offsets[object_id]:010d} 00000 n \n".encode()
    output += f"trailer\n<< /Size {count} /Root 1 0 R >>\nstartxref\n{xref_at}\n%%EOF\n".encode()
    objects.append(bytes(output))
    path.write_bytes(bytes(output))
    return path
