"""The CI templates, pre-commit hooks and editor settings: parsed with real parsers and checked
against what GitHub Actions, GitLab CI, pre-commit and the YAML language server require.

- ci/github/gongkai.yml is validated against the official workflow JSON Schema from SchemaStore
  (a copy in tests/fixtures/schemas/, see its README: there is no network at test time).
- Every ``gongkai …`` and ``mkdocs …`` command the templates run names a real subcommand and real options.
- schema/report.schema.json is exactly the output of ``gongkai schema`` (it cannot go stale)."""

from __future__ import annotations

import json
import re
import shlex
import tomllib
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from conftest import ROOT
from gongkai.cli.commands import main

GITHUB = ROOT / "ci" / "github" / "gongkai.yml"
GITLAB = ROOT / "ci" / "gitlab" / ".gitlab-ci.yml"
HOOKS = ROOT / ".pre-commit-hooks.yaml"
PRECOMMIT = ROOT / ".pre-commit-config.yaml"
VSCODE = ROOT / ".vscode"
REPORT_SCHEMA = ROOT / "schema" / "report.schema.json"
WORKFLOW_SCHEMA = ROOT / "tests" / "fixtures" / "schemas" / "github-workflow.json"
GUIDE = ROOT / "content" / "guide" / "ci.md"

APT_PACKAGES = [
    "fonts-noto-cjk", "libharfbuzz-subset0", "libpango-1.0-0", "libpangoft2-1.0-0", "poppler-utils",
    "texlive-lang-chinese", "fonts-arphic-gkai00mp",  # the 公文 print fonts (Fandol, AR PL KaitiM GB)
]
PDF_CACHE = ".cache/gongkai/pdf"
MODELINE = "# yaml-language-server: $schema=../../../schema/report.schema.json"
# Subcommands the templates already use while they are being written; their tests skip until they exist.
PENDING: set = set()


def load_yaml(path: Path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def workflow() -> dict:
    """The GitHub workflow as GitHub reads it: YAML 1.1 parses the key ``on`` as True."""
    data = load_yaml(GITHUB)
    if True in data:
        data["on"] = data.pop(True)
    return data


def steps(job: dict) -> list:
    return job.get("steps", [])


def runs(job: dict) -> str:
    return "\n".join(s["run"] for s in steps(job) if "run" in s)


def uses(job: dict, action: str) -> list:
    return [s for s in steps(job) if s.get("uses", "").split("@")[0] == action]


# ---------------------------------------------------------------- GitHub Actions


def test_github_workflow_parses_and_on_is_not_lost():
    raw = load_yaml(GITHUB)
    assert isinstance(raw, dict)
    assert True in raw and "on" not in raw  # YAML 1.1: `on:` is the boolean true; workflow() puts it back
    assert set(workflow()) >= {"name", "on", "jobs"}


def test_github_workflow_matches_the_official_schema():
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(WORKFLOW_SCHEMA.read_text(encoding="utf-8"))
    assert schema["$id"] == "https://json.schemastore.org/github-workflow.json"
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema)
    errors = sorted(validator.iter_errors(workflow()), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)

    # The schema does reject what GitHub rejects: the raw parse (no `on`), a job without runs-on,
    # a step with both `uses` and `run`, an unknown permission.
    assert not validator.is_valid(load_yaml(GITHUB))
    for broken in (
        {"runs-on": None},
        {"steps": [{"uses": "actions/checkout@v7", "run": "true"}]},
        {"permissions": {"pull-request": "write"}},
    ):
        data = workflow()
        job = {**data["jobs"]["check"], **broken}
        data["jobs"]["check"] = {k: v for k, v in job.items() if v is not None}
        assert not validator.is_valid(data), broken


def test_github_triggers_are_pull_requests_and_pushes_to_main():
    on = workflow()["on"]
    assert set(on) == {"pull_request", "push"}
    assert on["push"]["branches"] == ["main"]


def test_github_actions_are_official_and_pinned_to_a_major_version():
    actions = [s["uses"] for job in workflow()["jobs"].values() for s in steps(job) if "uses" in s]
    assert actions
    for action in actions:
        assert re.fullmatch(r"actions/[a-z-]+@v\d+", action), action
    names = {a.split("@")[0] for a in actions}
    assert names >= {
        "actions/checkout",
        "actions/setup-python",
        "actions/cache",
        "actions/upload-artifact",
        "actions/upload-pages-artifact",
        "actions/deploy-pages",
        "actions/github-script",
    }
    versions = {}
    for action in actions:  # one version of each action throughout
        name, version = action.split("@")
        assert versions.setdefault(name, version) == version, action


def test_github_permissions_are_least_privilege():
    data = workflow()
    assert data["permissions"] == {"contents": "read"}
    jobs = data["jobs"]
    writers = {name: job["permissions"] for name, job in jobs.items() if "permissions" in job}
    assert writers == {
        "diff": {"contents": "read", "pull-requests": "write"},
        "deploy": {"pages": "write", "id-token": "write"},
    }


def test_github_jobs_install_gongkai_the_same_way():
    jobs = workflow()["jobs"]
    installs = [s["run"] for job in jobs.values() for s in steps(job) if s.get("name") == "安装 gongkai"]
    assert len(installs) == 3 and len(set(installs)) == 1
    assert 'python -m pip install "$GONGKAI_PIP"' in installs[0]
    assert "python -m pip install ." in installs[0]  # in gongkai's own repository
    assert re.fullmatch(r"gongkai @ git\+https://\S+\.git@\S+", workflow()["env"]["GONGKAI_PIP"])
    assert gitlab()["variables"]["GONGKAI_PIP"] == workflow()["env"]["GONGKAI_PIP"]


def test_github_jobs_run_on_ubuntu_with_the_system_packages():
    data = workflow()
    assert all(job["runs-on"] == "ubuntu-latest" for job in data["jobs"].values())
    assert data["env"]["APT_PACKAGES"].split() == APT_PACKAGES
    assert re.search(r"apt-get install [^\n]*\$APT_PACKAGES", runs(data["jobs"]["build"]))


def test_github_checks_builds_and_uploads_the_site():
    jobs = workflow()["jobs"]
    check, build = runs(jobs["check"]), runs(jobs["build"])
    assert "gongkai check data --strict" in check
    assert "gongkai fmt --check" in check
    assert "mkdocs build --strict" in build
    assert jobs["build"]["needs"] == "check"
    [artifact] = uses(jobs["build"], "actions/upload-artifact")
    assert artifact["with"]["path"].rstrip("/") == "site"
    [pages] = uses(jobs["build"], "actions/upload-pages-artifact")
    assert pages["with"]["path"].rstrip("/") == "site"
    assert pages["if"] == "github.event_name == 'push' && github.ref == 'refs/heads/main'"


def test_github_caches_pip_and_the_pdf_folder():
    jobs = workflow()["jobs"]
    for job in jobs.values():
        for setup in uses(job, "actions/setup-python"):
            assert setup["with"]["cache"] == "pip"
    [cache] = uses(jobs["build"], "actions/cache")
    assert cache["with"]["path"] == PDF_CACHE
    assert cache["with"]["key"].startswith("gongkai-pdf-")
    assert cache["with"]["restore-keys"].strip() == "gongkai-pdf-${{ runner.os }}-"
    names = [s.get("name", "") for s in steps(jobs["build"])]
    assert names.index("恢复 PDF 缓存") < next(i for i, n in enumerate(names) if "mkdocs build" in n)


def test_github_pull_requests_get_the_diff_as_a_comment():
    job = workflow()["jobs"]["diff"]
    assert job["if"] == "github.event_name == 'pull_request'"
    [checkout] = uses(job, "actions/checkout")
    assert checkout["with"]["fetch-depth"] == 0  # both the base and the head commit are needed
    [step] = [s for s in steps(job) if "gongkai diff" in s.get("run", "")]
    assert step["env"] == {
        "BASE_SHA": "${{ github.event.pull_request.base.sha }}",
        "HEAD_SHA": "${{ github.event.pull_request.head.sha }}",
    }
    # from where the branch left main, as on the Files changed page, not from main's newest commit
    assert 'BASE=$(git merge-base "$BASE_SHA" "$HEAD_SHA")' in step["run"]
    assert 'gongkai diff "$BASE" "$HEAD_SHA"' in step["run"]
    [comment] = uses(job, "actions/github-script")
    script = comment["with"]["script"]
    assert "updateComment" in script and "createComment" in script  # one comment, updated on every push


def test_github_publishes_to_pages_from_main_only():
    job = workflow()["jobs"]["deploy"]
    assert job["if"] == "github.event_name == 'push' && github.ref == 'refs/heads/main'"
    assert job["needs"] == "build"
    assert job["environment"] == {"name": "github-pages", "url": "${{ steps.deployment.outputs.page_url }}"}
    [deploy] = uses(job, "actions/deploy-pages")
    assert deploy["id"] == "deployment"


# ---------------------------------------------------------------- GitLab CI

GITLAB_KEYWORDS = {
    "default",
    "include",
    "stages",
    "variables",
    "workflow",
    "image",
    "services",
    "cache",
    "before_script",
    "after_script",
}


def gitlab() -> dict:
    return load_yaml(GITLAB)


def gitlab_jobs(ci: dict) -> dict:
    return {name: job for name, job in ci.items() if name not in GITLAB_KEYWORDS and not name.startswith(".")}


def resolved(ci: dict, job: dict) -> dict:
    """A job with its ``extends`` templates merged in (hashes deeply, as GitLab does)."""
    merged: dict = {}
    parents = job.get("extends", [])
    for parent in [parents] if isinstance(parents, str) else parents:
        assert parent in ci, f"extends {parent}: no such job or template"
        merged = _deep_merge(merged, resolved(ci, ci[parent]))
    return _deep_merge(merged, {k: v for k, v in job.items() if k != "extends"})


def _deep_merge(a: dict, b: dict) -> dict:
    out = dict(a)
    for key, value in b.items():
        out[key] = _deep_merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def script_text(job: dict) -> str:
    return "\n".join(job.get("before_script", []) + job.get("script", []))


def test_gitlab_stages_and_every_job_has_a_known_stage_and_a_script():
    ci = gitlab()
    assert ci["stages"] == ["check", "build", "review", "publish"]
    jobs = gitlab_jobs(ci)
    assert set(jobs) == {"check", "build", "review", "pages"}
    for name, job in jobs.items():
        job = resolved(ci, job)
        assert job.get("stage") in ci["stages"], name
        assert isinstance(job.get("script"), list) and job["script"], name
        assert all(isinstance(line, str) for line in job["script"]), name
        for need in job.get("needs", []):
            assert need in jobs, f"{name} needs {need}"
            assert ci["stages"].index(jobs[need]["stage"]) <= ci["stages"].index(job["stage"])


def test_gitlab_image_packages_and_commands():
    ci = gitlab()
    assert ci["default"]["image"] == "python:3.11-bookworm"
    assert ci["variables"]["APT_PACKAGES"].split() == APT_PACKAGES
    check = script_text(resolved(ci, ci["check"]))
    build = script_text(resolved(ci, ci["build"]))
    assert "gongkai check data --strict" in check and "gongkai fmt --check" in check
    assert re.search(r"apt-get install [^\n]*\$APT_PACKAGES", build)
    assert "mkdocs build --strict" in build
    assert ci["build"]["artifacts"]["paths"] == ["site/"]


def test_gitlab_caches_pip_and_the_pdf_folder():
    ci = gitlab()
    assert ci["variables"]["PIP_CACHE_DIR"] == "$CI_PROJECT_DIR/.cache/pip"
    caches = resolved(ci, ci["build"])["cache"]
    paths = [p for cache in caches for p in cache["paths"]]
    assert PDF_CACHE in paths and ".cache/pip" in paths


def test_gitlab_review_posts_the_diff_as_a_merge_request_note():
    ci = gitlab()
    job = ci["review"]
    assert job["stage"] == "review"
    assert job["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "merge_request_event"'}]
    assert job["variables"]["GIT_DEPTH"] == "0"
    script = script_text(job)
    assert 'gongkai diff "$CI_MERGE_REQUEST_DIFF_BASE_SHA"' in script
    assert "GONGKAI_BOT_TOKEN" in script and "CI_JOB_TOKEN" not in script
    assert "PRIVATE-TOKEN: $GONGKAI_BOT_TOKEN" in script
    assert "$CI_API_V4_URL/projects/$CI_PROJECT_ID/merge_requests/$CI_MERGE_REQUEST_IID/notes" in script
    assert "--request PUT" in script and "--request POST" in script  # one note, updated on every push


def test_gitlab_pages_publishes_public_from_the_default_branch():
    ci = gitlab()
    pages = ci["pages"]
    assert pages["stage"] == "publish"
    assert pages["artifacts"]["paths"] == ["public"]
    assert pages["rules"] == [{"if": "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"}]
    assert pages["needs"] == ["build"]
    assert "mv site public" in pages["script"]


# ---------------------------------------------------------------- the commands the templates run


def commands():
    """Every `gongkai …` and `mkdocs …` command line in the templates and hooks."""
    found = []
    sources = {"github": "\n".join(runs(job) for job in workflow()["jobs"].values())}
    ci = gitlab()
    sources["gitlab"] = "\n".join(script_text(resolved(ci, job)) for job in gitlab_jobs(ci).values())
    for path in (HOOKS, PRECOMMIT):
        data = load_yaml(path)
        hooks = data if isinstance(data, list) else [h for repo in data["repos"] for h in repo["hooks"]]
        sources[path.name] = "\n".join(" ".join([h["entry"], *h.get("args", [])]) for h in hooks)
    for source, text in sources.items():
        lines = dict.fromkeys(re.findall(r"(?:^|[\s/])(gongkai|mkdocs) ((?:--)?[a-z][^\n;|&>]*)", text, re.M))
        for program, rest in lines:
            found.append(pytest.param(program, shlex.split(rest), id=f"{source}: {program} {rest.strip()}"))
    return found


@pytest.mark.parametrize("program, words", commands())
def test_commands_in_templates_exist(program, words):
    if program == "mkdocs":
        from mkdocs.__main__ import cli
    else:
        cli = main
    if words[0].startswith("--"):  # gongkai --version
        assert words[0] in {o for p in cli.params for o in getattr(p, "opts", [])}
        return
    name = words[0]
    if name not in cli.commands and program == "gongkai" and name in PENDING:
        pytest.skip(f"gongkai {name} is not written yet")
    assert name in cli.commands, f"{program} {name}"
    options = {o for p in cli.commands[name].params for o in getattr(p, "opts", [])}
    for word in words[1:]:
        if word.startswith("-"):
            assert word in options, f"{program} {name} {word}"


# ---------------------------------------------------------------- pre-commit


def manifest() -> dict:
    return {hook["id"]: hook for hook in load_yaml(HOOKS)}


def test_pre_commit_hooks_offered_to_other_repositories():
    hooks = manifest()
    assert set(hooks) == {"gongkai-check", "gongkai-fmt"}
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    for hook in hooks.values():
        assert {"id", "name", "entry", "language"} <= set(hook)
        assert hook["language"] == "python"  # pre-commit installs gongkai from this repository
        assert hook["entry"].split()[0] in scripts
    assert hooks["gongkai-check"]["entry"] == "gongkai check"
    assert hooks["gongkai-check"]["pass_filenames"] is False  # reports and rulesets are checked together
    assert hooks["gongkai-fmt"]["entry"] == "gongkai fmt --check"
    assert hooks["gongkai-fmt"]["pass_filenames"] is True


@pytest.mark.parametrize("path, matches", [
    ("data/2021/shenzhen-gsl/a02.yaml", True),
    ("data/2022/urumqi-gsl/evaluation.yml", True),
    ("data/rulesets/custom.yaml", True),
    ("tests/fixtures/seed001/a07.yaml", False),
    ("content/2021/shenzhen-gsl/a02.md", False),
    ("mkdocs.yml", False),
])
def test_pre_commit_hooks_run_on_data_files_only(path, matches):
    for hook in manifest().values():
        assert bool(re.search(hook["files"], path)) is matches, (hook["id"], path)


def test_pre_commit_config_uses_the_same_hooks_from_the_venv():
    config = load_yaml(PRECOMMIT)
    [repo] = config["repos"]
    assert repo["repo"] == "local"
    offered = manifest()
    local = {hook["id"]: hook for hook in repo["hooks"]}
    assert set(local) == set(offered)
    for hook_id, hook in local.items():
        assert hook["language"] in {"system", "unsupported"}
        assert hook["entry"].startswith(".venv/bin/gongkai ")
        command = " ".join([offered[hook_id]["entry"], *offered[hook_id].get("args", [])])
        assert hook["entry"].removeprefix(".venv/bin/") == command, hook_id
        for key in ("files", "pass_filenames", "require_serial"):
            assert hook.get(key) == offered[hook_id].get(key), (hook_id, key)


# ---------------------------------------------------------------- VS Code and the report schema


def settings() -> dict:
    return json.loads((VSCODE / "settings.json").read_text(encoding="utf-8"))


def _glob_regex(pattern: str) -> re.Pattern:
    out = re.escape(pattern).replace(r"\*\*/", "(?:.*/)?").replace(r"\*\*", ".*").replace(r"\*", "[^/]*")
    return re.compile(out + "$")


def schema_files() -> dict:
    """Schema path → data files it applies to under the `yaml.schemas` patterns (`!` excludes)."""
    out = {}
    for schema, patterns in settings()["yaml.schemas"].items():
        patterns = [patterns] if isinstance(patterns, str) else patterns
        include = [_glob_regex(p) for p in patterns if not p.startswith("!")]
        exclude = [_glob_regex(p[1:]) for p in patterns if p.startswith("!")]
        files = [p.relative_to(ROOT).as_posix() for p in sorted((ROOT / "data").rglob("*.y*ml"))]
        out[schema] = [f for f in files if any(r.match(f) for r in include) and not any(r.match(f) for r in exclude)]
    return out


def test_vscode_settings_point_at_the_report_schema():
    data = settings()
    assert data["files.encoding"] == "utf8"
    assert data["yaml.schemas"]["./schema/report.schema.json"][0] == "data/**/*.yaml"
    for schema in data["yaml.schemas"]:
        assert (ROOT / schema).is_file(), schema
    recommended = json.loads((VSCODE / "extensions.json").read_text(encoding="utf-8"))["recommendations"]
    assert "redhat.vscode-yaml" in recommended


def test_the_schema_applies_to_every_report_and_to_nothing_else():
    schema = json.loads(REPORT_SCHEMA.read_text(encoding="utf-8"))
    kinds = set(schema["properties"]["类型"]["enum"])
    [files] = schema_files().values()
    assert files
    for name in files:
        assert load_yaml(ROOT / name).get("类型") in kinds, f"{name} is not a report but gets the report schema"
    reports = [
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "data").rglob("*.yaml")
        if (load_yaml(p) or {}).get("类型") in kinds
    ]
    assert sorted(reports) == sorted(files)


def test_report_schema_is_the_current_gongkai_schema_output():
    result = CliRunner().invoke(main, ["schema"], catch_exceptions=False)
    assert result.exit_code == 0
    assert REPORT_SCHEMA.read_text(encoding="utf-8") == result.output, (
        "schema/report.schema.json is stale: run `gongkai schema > schema/report.schema.json`"
    )


def test_report_schema_is_a_valid_json_schema():
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(REPORT_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.validators.validator_for(schema).check_schema(schema)


def test_first_line_comment_reaches_the_schema_from_every_report():
    for doc in (ROOT / "schema" / "README.md", GUIDE):
        assert MODELINE in doc.read_text(encoding="utf-8"), doc
    relative = MODELINE.split("$schema=")[1]
    [files] = schema_files().values()
    for name in files:
        assert ((ROOT / name).parent / relative).resolve() == REPORT_SCHEMA, name


def test_every_report_in_data_is_valid_under_the_schema():
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(REPORT_SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)(schema)
    [files] = schema_files().values()
    invalid = {name: next(iter(validator.iter_errors(load_yaml(ROOT / name)))).message for name in files
               if not validator.is_valid(load_yaml(ROOT / name))}
    assert not invalid, invalid


# ---------------------------------------------------------------- the guide page


def test_guide_page_covers_the_setup():
    text = GUIDE.read_text(encoding="utf-8")
    for needle in (
        "ci/github/gongkai.yml",
        ".github/workflows/gongkai.yml",
        "ci/gitlab/.gitlab-ci.yml",
        "GONGKAI_BOT_TOKEN",
        "GONGKAI_PIP",
        "pip install pre-commit && pre-commit install",
        "redhat.vscode-yaml",
        PDF_CACHE,
    ):
        assert needle in text, needle
