"""``validate --staged`` (the index against HEAD: what pre-commit runs) and ``--base``
against the merge base (as a pull request shows its change) or the tip (``--base-mode
tip``, the merge queue's two-tree comparison)."""

from __future__ import annotations

from builders import line_of, model, validate_json, version, where

PATH = "models/faq-bot.yaml"
V1 = model("faq-bot", version("1.0.0", "production"))
V2 = model("faq-bot", version("1.0.0", "production"), version("1.1.0", "none"))


# --- --staged ------------------------------------------------------------------------------

def test_staged_judges_the_index_not_the_working_tree(repo, cli):
    repo.write(PATH, V1)
    repo.commit("base")
    born_in_production = model("faq-bot", version("1.0.0", "production"), version("1.1.0", "production"))
    repo.write(PATH, born_in_production)
    repo.git("add", PATH)
    repo.write(PATH, V2)  # the working tree was fixed, but the bad version is what is staged
    code, found, data = validate_json(cli, repo.path, "--staged")
    assert code == 1
    line = line_of(born_in_production, 'version: "1.1.0"') + 1
    assert ("models/faq-bot.yaml", line, "skipped-stage") in where(found)
    assert data["files_checked"] == 1
    assert validate_json(cli, repo.path, "--base", "HEAD")[0] == 0  # the working tree is fine


def test_staged_sees_a_staged_deletion(repo, cli):
    repo.write(PATH, V1)
    repo.commit("base")
    repo.git("rm", "-q", PATH)
    code, found, _ = validate_json(cli, repo.path, "--staged")
    assert (code, where(found)) == (1, [("models/faq-bot.yaml", 1, "model-removed")])


def test_staged_with_nothing_staged_passes_and_reads_nothing(repo, cli):
    repo.write(PATH, V1)
    repo.commit("base")
    repo.write(PATH, "not: [valid")  # unstaged: not the next commit's business
    code, found, data = validate_json(cli, repo.path, "--staged")
    assert (code, found, data["files_checked"]) == (0, [], 0)


def test_staged_reads_only_the_files_whose_ids_changed(repo, cli, monkeypatch):
    # the index and HEAD both name each file's blob: an unchanged file is known by its id,
    # never read (the hook read every blob's header: 7 s at 10,000 models)
    from registry_tool.snapshots.git import GitStore

    for name in ("a-bot", "b-bot", "c-bot"):
        repo.write(f"models/{name}.yaml", model(name, version("1.0.0", "production")))
    repo.commit("three models")
    repo.write("models/b-bot.yaml", model("b-bot", version("1.0.0", "production"), version("1.1.0", "none")))
    repo.git("add", "models/b-bot.yaml")
    touched: list[str] = []
    for method in ("blob_size", "read_blob"):
        real = getattr(GitStore, method)
        monkeypatch.setattr(GitStore, method, lambda self, oid, display, *a, _real=real, **k: (
            touched.append(display), _real(self, oid, display, *a, **k))[1])
    code, found, data = validate_json(cli, repo.path, "--staged")
    assert (code, found, data["files_checked"]) == (0, [], 1)
    assert set(touched) == {"models/b-bot.yaml"}


def test_staged_before_the_first_commit_judges_against_an_empty_registry(repo, cli):
    repo.write(PATH, V1)
    repo.git("add", PATH)
    code, found, _ = validate_json(cli, repo.path, "--staged")
    assert code == 1 and [f[2] for f in where(found)] == ["skipped-stage"]


def test_staged_reads_the_index_git_names_in_git_index_file(repo, cli, monkeypatch, tmp_path):
    """``git commit -a`` and ``git commit PATH`` run hooks with a temporary index in GIT_INDEX_FILE."""
    repo.write(PATH, V1)
    repo.commit("base")
    repo.write(PATH, V2)
    other = tmp_path / "next-index"
    repo.git("add", PATH, env={"GIT_INDEX_FILE": str(other)})  # the repository's own index stays as HEAD
    assert validate_json(cli, repo.path, "--staged")[2]["files_checked"] == 0
    monkeypatch.setenv("GIT_INDEX_FILE", str(other))
    assert validate_json(cli, repo.path, "--staged")[2]["files_checked"] == 1


def test_staged_skips_a_file_only_marked_to_be_added(repo, cli):
    """git add -N records the path with no content: git commit leaves it out, and so does
    --staged. An empty file staged for real is still judged."""
    repo.write(PATH, V1)
    repo.commit("base")
    repo.write("models/newm.yaml", "not: [valid")
    repo.git("add", "-N", "models/newm.yaml")
    code, found, data = validate_json(cli, repo.path, "--staged")
    assert (code, found, data["files_checked"]) == (0, [], 0)
    repo.write("models/empty.yaml", "")
    repo.git("add", "models/empty.yaml")
    code, found, _ = validate_json(cli, repo.path, "--staged")
    assert (code, where(found)) == (1, [("models/empty.yaml", 1, "schema")])


def test_staged_refuses_an_index_with_conflicts(repo, cli):
    repo.write(PATH, V1)
    repo.commit("base")
    repo.git("checkout", "-q", "-b", "side")
    repo.write(PATH, V2)
    repo.commit("side")
    repo.git("checkout", "-q", "main")
    repo.write(PATH, model("faq-bot", version("1.0.0", "production"), version("2.0.0", "none")))
    repo.commit("main")
    done = repo.git_status("merge", "side")
    assert done != 0
    run = cli(repo.path, "validate", "--staged")
    assert run.code == 2 and "unresolved merge conflicts" in run.err


def test_staged_judges_a_staged_models_folder_that_is_a_file(repo, cli):
    repo.write("registry.yaml", "models_dir: ml/models\n")
    repo.commit("policy")
    repo.write("ml", "a file where a folder should be\n")
    repo.git("add", "ml")
    run = cli(repo.path, "validate", "--staged")
    assert run.code == 2
    assert run.err == ("registry-tool: error: ml in the index: is a file, not a directory; "
                       "the models directory (ml/models) must be a real folder\n")


def test_staged_cannot_be_combined(repo, cli):
    assert cli(repo.path, "validate", "--staged", "--base", "main").code == 2
    assert cli(repo.path, "validate", "--staged", PATH).code == 2


# --- --base: the merge base, or the tip ------------------------------------------------------

def branch_behind_main(repo):
    """A branch cut before main registered 1.1.0, which promotes 1.0.0's successor of its own."""
    repo.write(PATH, V1)
    repo.commit("base")
    repo.git("checkout", "-q", "-b", "feature")
    repo.write("models/ocr.yaml", model("ocr", version("v1", "none")))
    repo.commit("register ocr v1")
    repo.git("checkout", "-q", "main")
    repo.write(PATH, V2)
    main = repo.commit("register faq-bot 1.1.0 on main")
    repo.git("checkout", "-q", "feature")
    return main


def test_base_judges_the_change_since_the_merge_base(repo, cli):
    main = branch_behind_main(repo)
    run = cli(repo.path, "validate", "--base", "main")
    assert (run.code, run.out, run.err) == (0, "ok: 1 model file checked, no violations\n", "")
    assert validate_json(cli, repo.path, "--ref", "HEAD", "--base", main)[0] == 0


def test_base_mode_tip_compares_the_two_trees(repo, cli):
    branch_behind_main(repo)
    code, found, _ = validate_json(cli, repo.path, "--base", "main", "--base-mode", "tip")
    assert (code, [f[2] for f in where(found)]) == (1, ["version-removed"])
    code, found, _ = validate_json(cli, repo.path, "--ref", "HEAD", "--base", "main", "--base-mode", "tip")
    assert [f[2] for f in where(found)] == ["version-removed"]


def test_base_with_no_common_history(repo, cli):
    repo.write(PATH, V1)
    repo.commit("base")
    repo.git("checkout", "-q", "--orphan", "other")
    repo.write(PATH, V2)
    repo.commit("unrelated")
    run = cli(repo.path, "validate", "--base", "main")
    assert run.code == 2
    assert "main and HEAD have no common ancestor" in run.err and "--base-mode tip" in run.err
    assert cli(repo.path, "validate", "--base", "main", "--base-mode", "tip").code == 0


def test_staged_with_a_sparse_index_says_how_to_expand_it(repo, cli):
    # git sparse-checkout --sparse-index writes folder entries libgit2 cannot read
    repo.write(PATH, V1)
    repo.write("docs/a.md", "x\n")
    repo.commit("base")
    repo.git("sparse-checkout", "init", "--cone", "--sparse-index")
    repo.git("sparse-checkout", "set", "models")
    run = cli(repo.path, "validate", "--staged")
    assert (run.code, run.out) == (2, "")
    assert run.err.endswith("it is a sparse index, which libgit2 cannot read: git sparse-checkout set "
                            "--no-sparse-index expands it (the checkout stays sparse)\n")
    repo.git("sparse-checkout", "set", "--no-sparse-index", "models")
    repo.write(PATH, V2)
    repo.git("add", PATH)
    assert validate_json(cli, repo.path, "--staged")[:2] == (0, [])
