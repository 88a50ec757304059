"""The figures helper every app's figures pages share: rows per area per period → table + chart.

- `rollup`: the grouped reads (one row per child node, the trend buckets) and the Row/Report shapes;
- `selection`: the node and period a request asks for, checked against the user, and the links;
- `display`: the page the shared template renders (cards, drill-down table, chart options).

An app keeps what its figures *mean* (its cohort, its aggregates, its columns); this package keeps
how figures are grouped, picked and shown. The figures store (daily facts) will sit under it.
"""
