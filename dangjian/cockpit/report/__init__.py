"""The cockpit's monthly report: a district's figures of a month, with its charts and the month's
changes, as a PDF (WeasyPrint) and a Word file (docxtpl, from the district's template), generated in
the queue and archived per month."""
