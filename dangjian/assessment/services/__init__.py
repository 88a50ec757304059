"""Assessment writes: `schemes` (schemes, items, the panel, opening sheets, publishing) and `sheets` (the
scores of one sheet, the 述职, the panel's scores, the steps)."""
