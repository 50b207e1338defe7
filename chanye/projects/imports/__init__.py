"""Importing the key-project library (项目库), annual plans (年度计划) and monthly filings (月度填报) from the
Excel/CSV sheets people keep, by the rules of the enterprise import.

Phase 1 reads and checks every row — each problem named by row, column, value and reason (unknown project
code, owner not in the register, stage not in the list, cumulative not continuing last month's, the same
row twice with different contents…). Phase 2 runs only when no row was rejected: everything is written in
one transaction, each change with its audit event. A dry run does all of it and rolls back, so its counts
are exact. The same file twice changes nothing. Imported filings obey the rules of `services.filing_save`:
the cumulative continues the last submitted filing of the year, only drafts and returned filings change
(a submitted or accepted one is refused with the reason), and each change leaves the same revision.

The sheets may be our templates, the monthly table the 发改局 circulates (title with the month, groups
by stage, subtotal rows, amounts in 亿元), or anyone's own layout with Chinese header synonyms.

Modules: `sheets` (columns and header synonyms), `values` (what people type in cells), `checker` (the frame
of every sheet's check), `library`, `plans` and `filings` (each sheet's checks and writes), `records` (the
history rows they leave), `table` (one sheet, all or nothing), `jobs` (jobs and the background task),
`templates` (the empty templates to download).
"""

from chanye.projects.imports.jobs import (
    can_import,
    import_job_create,
    import_job_run,
    import_jobs,
    import_kinds,
    import_run,
)
from chanye.projects.imports.sheets import KINDS
from chanye.projects.imports.templates import template_xlsx

__all__ = [
    "KINDS",
    "can_import",
    "import_job_create",
    "import_job_run",
    "import_jobs",
    "import_kinds",
    "import_run",
    "template_xlsx",
]
