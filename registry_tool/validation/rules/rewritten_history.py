"""history-rewritten: ``--range BEFORE..AFTER`` where BEFORE is not on AFTER's first-parent
history. A force-push rewound or rewrote the branch, or a fast-forward "foxtrot" merge put
the old head on a second parent: judging AFTER's own first-parent commits one by one would
miss what the push undid. The range is then judged as one change, AFTER against BEFORE as
a whole, and this rule fails the push all the same, so a rewrite is never silent."""

from __future__ import annotations

from registry_tool.core.findings import Violation
from registry_tool.core.rules import declare

HISTORY_REWRITTEN = declare(
    "history-rewritten", "change",
    "--range BEFORE..AFTER where BEFORE is not on AFTER's first-parent history (a force-push, a rewritten "
    "branch, a merge with the old head as second parent); AFTER is then judged against BEFORE as one change.",
    help="The branch's history was rewritten or rewound, so the commits of the push are not the changes it "
         "made: the range is judged as one change from BEFORE to AFTER, and the push fails so that someone "
         "looks at it. Protect the branch against force-pushes; merge the base into a branch with the branch "
         "as first parent (or let the Git host merge pull requests).")


def rewritten(models_dir: str, before: str, after: str, how: str) -> Violation:
    """The finding for a range whose BEFORE is not a first-parent ancestor of AFTER."""
    return Violation(models_dir, 1, 1, HISTORY_REWRITTEN.id,
                     f"history was rewritten: {before[:12]} (BEFORE) is not on the first-parent history of "
                     f"{after[:12]} (AFTER); {how}; AFTER was judged against BEFORE as one change, not commit "
                     "by commit")
