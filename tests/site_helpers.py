"""A small registry with a history worth a catalog: registrations, promotions with
demotions, a pull request merged with a merge commit (with an Approved-by trailer), a
squash-merged one, an alias, suite metrics, and a model whose texts try to break out of
the page. Identities and dates are fixed, so the commit ids (and the site's bytes) are
the same on every run."""

from __future__ import annotations

from builders import Version, model, version
from conftest import GitRepo

HAZEL = ("hazel", "hazel@example.com")
RAVI = ("Ravi Patel", "ravi@example.com")
HOSTILE_DESCRIPTION = '<script>document.title = "pwned"; console.error("pwned")</script> & friends'
HOSTILE_TAG = '"><img src=x onerror=alert(1)>'
HOSTILE_OWNER = "<b>owner</b>"

FAQ_HEADER = "description: Q&A bot for the help centre\nowner: hazel\ntask: generation\ntags: [nlp, chat]\n"
OCR_HEADER = "description: Reads scanned forms\nowner: vision-team\ntask: ocr\n"


def faq(*versions: Version, aliases: str = "") -> str:
    return model("faq-bot", *versions, header=FAQ_HEADER + aliases)


def v100(stage: str) -> Version:
    return version("1.0.0", stage, size_bytes=104857600, fmt="onnx", run_id="run-1",
                   metrics={"accuracy": 0.9, "f1": 0.85})


def v110(stage: str) -> Version:
    return version("1.1.0", stage, size_bytes=109051904, fmt="onnx", run_id="run-2",
                   metrics={"accuracy": 0.93, "f1": 0.88}, suites={"core-v1": {"score": 0.9, "config_parse_ok": True}})


def v120(stage: str) -> Version:
    return version("1.2.0", stage, fmt="onnx", metrics={"accuracy": 0.91},
                   suites={"core-v1": {"score": 0.92}})


def ocr(*versions: Version) -> str:
    return model("ocr", *versions, header=OCR_HEADER)


def ocr_v(label: str, stage: str, cer: float) -> Version:
    return version(label, stage, fmt="pytorch", metrics={"cer": cer},
                   bindings=[{"provider": "vertex", "provider_model_id": f"ocr-{label}", "status": "active",
                              "region": "europe-west4"}])


def hostile() -> str:
    header = (f"description: '{HOSTILE_DESCRIPTION}'\nowner: '{HOSTILE_OWNER}'\ntask: classification\n"
              f"metadata: {{note: '{HOSTILE_TAG}'}}\n")
    return model("hostile", version("1", "none", metrics={"x": 1},
                                    uri="s3://b/</code><script>alert(3)</script>"), header=header)


def merge_pr(repo: GitRepo, number: int, branch: str, files: dict[str, str], summary: str, *,
             approved_by: tuple[str, str] | None = None) -> str:
    """A pull request merged with a merge commit, as GitHub writes it."""
    repo.git("checkout", "-q", "-b", branch)
    for path, text in files.items():
        repo.write(path, text)
    repo.commit(summary, author=HAZEL, committer=HAZEL)
    repo.git("checkout", "-q", "main")
    repo._tick += 1
    date = f"2024-11-{repo._tick:02d}T10:00:00+00:00"
    trailer = f"\n\nApproved-by: {approved_by[0]} <{approved_by[1]}>" if approved_by else ""
    repo.git("merge", "-q", "--no-ff", branch, "-m", f"Merge pull request #{number} from hazel/{branch}\n\n{summary}{trailer}",
             env={"GIT_AUTHOR_NAME": RAVI[0], "GIT_AUTHOR_EMAIL": RAVI[1], "GIT_AUTHOR_DATE": date,
                  "GIT_COMMITTER_NAME": RAVI[0], "GIT_COMMITTER_EMAIL": RAVI[1], "GIT_COMMITTER_DATE": date})
    return repo.git("rev-parse", "HEAD")


def build_history(repo: GitRepo) -> dict[str, str]:
    """The registry's history; returns the commit ids by name."""
    c: dict[str, str] = {}
    repo.write("models/faq-bot.yaml", faq(v100("none")))
    repo.write("models/ocr.yaml", ocr(ocr_v("v1", "none", 0.12)))
    c["register"] = repo.commit("Register faq-bot 1.0.0 and ocr v1", author=HAZEL)
    repo.write("models/faq-bot.yaml", faq(v100("staging")))
    repo.write("models/ocr.yaml", ocr(ocr_v("v1", "staging", 0.12)))
    c["staging"] = repo.commit("Promote faq-bot 1.0.0 and ocr v1 to staging", author=HAZEL)
    c["pr12"] = merge_pr(repo, 12, "promote", {"models/faq-bot.yaml": faq(v100("production"))},
                         "Promote faq-bot 1.0.0 to production", approved_by=RAVI)
    repo.write("models/faq-bot.yaml", faq(v100("production"), v110("staging")))
    repo.write("models/ocr.yaml", ocr(ocr_v("v1", "staging", 0.12), ocr_v("v2", "none", 0.08)))
    c["register2"] = repo.commit("Register faq-bot 1.1.0 and ocr v2", author=HAZEL)
    repo.write("models/faq-bot.yaml", faq(v100("staging"), v110("production"), aliases='aliases:\n  champion: "1.1.0"\n'))
    c["pr15"] = repo.commit("Promote faq-bot 1.1.0 to production (#15)", author=RAVI)
    repo.write("models/faq-bot.yaml", faq(v100("archived"), v110("production"), v120("none"),
                                          aliases='aliases:\n  champion: "1.1.0"\n'))
    repo.write("models/hostile.yaml", hostile())
    c["archive"] = repo.commit("Archive faq-bot 1.0.0, register 1.2.0 <img src=x onerror=alert(2)>",
                               author=("<img src=x onerror=alert(4)>", "x@example.com"))
    return c
