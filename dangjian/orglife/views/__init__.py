"""Pages of org life: `branches` (my branches, a branch's calendar, planning, the yearly register),
`records` (a record, its steps and files), `oversight` (the branches behind), `guidance`."""
