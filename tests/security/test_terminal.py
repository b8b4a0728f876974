"""Class 10 (terminal part) of issue 11: text from the data never drives the terminal.

A contributor controls every name, reason, key and file name under ``data/``. Printed as
they are, ``ESC[2J`` clears the reader's screen, an OSC sequence (``ESC ] … BEL`` or
``ESC ] … ESC \\``) sets the window title or plants a hyperlink even when output is piped,
the C1 CSI U+009B acts like ``ESC [`` on some terminals, and a bidi override (U+202E)
reorders what the reviewer reads. ``gongkai check`` and ``gongkai score`` print each such
character as visible text (``\\x1b``, ``\\u202e``), and still say where the problem is.
JSON output keeps the exact strings (as escapes)."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import ROOT
from gongkai.cli.commands import main
from gongkai.engine.output import json_text, score_text
from gongkai.engine.pipeline import evaluate
from gongkai.engine.problems import Problem, terminal_text

GONGKAI = ROOT / ".venv" / "bin" / "gongkai"
SAMPLE = ROOT / "data" / "2021" / "shenzhen-gsl" / "a02.yaml"
FINAL = ROOT / "data" / "2021" / "shenzhen-gsl" / "final-accounts.yaml"

# YAML double-quoted escapes: clear screen, OSC title (BEL), OSC 8 hyperlink (ST), C1 CSI,
# right-to-left override, a carriage return in the middle, a right-to-left isolate.
PAYLOAD = r"\e[2J\e]0;pwned\a\e]8;;http://evil\e\\link\e]8;;\e\\\x9b31m\u202e甲\r乙\u2067丙\x7f丁"
RAW_RLO = "\u202e"  # also written into the file as a raw character (YAML allows it)
BIDI = {*map(chr, range(0x202A, 0x202F)), *map(chr, range(0x2066, 0x206A)), "\u200e", "\u200f", "\u061c"}


def unsafe(text: str) -> list[str]:
    """Characters a terminal would act on: C0 controls but newline, DEL, C1, bidi controls."""
    return sorted(
        {
            f"U+{ord(ch):04X}"
            for ch in text
            if (ord(ch) < 0x20 and ch != "\n") or 0x7F <= ord(ch) < 0xA0 or ch in BIDI or 0xD800 <= ord(ch) < 0xE000
        }
    )


def assert_clean(text: str, what: str) -> None:
    found = unsafe(text)
    assert not found, f"{what} 含有控制字符 {found}：{text[:2000]!r}"


def assert_clean_bytes(data: bytes, what: str) -> None:
    for raw in (b"\x1b", b"\x07", b"\r", b"\x7f", b"\xc2\x9b", b"\xe2\x80\xae"):
        assert raw not in data, f"{what} 含有字节 {raw!r}"
    assert_clean(data.decode("utf-8"), what)


def line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(f"{path} 中没有 {needle!r}")


# ---- hostile data files -------------------------------------------------------------------


def _sub(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"样例数据中找不到 {old!r}，测试需要更新"
    return text.replace(old, new)


def hostile_report(folder: Path, name: str = "report.yaml", unknown_key: bool = False) -> Path:
    """The sample 自评表 with the payload in 名称, 部门, an indicator's 名称 (whose score is now
    below its weight with no 偏差原因: a REASON_MISSING warning naming it), another's 偏差原因
    and 指标值; optionally a top-level key made of escape sequences (FIELD_UNKNOWN)."""
    text = SAMPLE.read_text(encoding="utf-8")
    text = _sub(text, "\n名称: 工商联系统宣传教育", f'\n名称: "宣传教育{PAYLOAD}"')
    text = _sub(text, "\n部门: 深圳市工商业联合会", f'\n部门: "工商联{PAYLOAD}"')
    text = _sub(
        text,
        "{名称: 会刊设计制作期数, 分值: 2, 指标值: 6期, 完成值: 4, 得分: 1, "
        "偏差原因: 供应商排期问题。后续会加强会项目的监管}",
        f'{{名称: 会刊设计制作期数, 分值: 2, 指标值: 6期, 完成值: 4, 得分: 1, 偏差原因: "排期{PAYLOAD}"}}',
    )
    text = _sub(
        text,
        "{名称: 开展信息员培训次数, 分值: 3, 指标值: 1期, 完成值: 1, 得分: 3}",
        f'{{名称: "培训{RAW_RLO}次数{PAYLOAD}", 分值: 3, 指标值: "1期{PAYLOAD}", 完成值: 0, 得分: 0}}',
    )
    text = _sub(
        text,
        "原文:\n  总分: 96.8\n",
        "原文:\n  总分: 96.8\n" if not unknown_key else '原文:\n  总分: 96.8\n"键\\e[2J\\e]0;pwned\\a\\x9b": 1\n',
    )
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def hostile_final(folder: Path) -> Path:
    """The sample 部门决算 with the payload in 部门, in a 科目's 名称 and in a 科目's 编码."""
    text = FINAL.read_text(encoding="utf-8")
    text = _sub(text, "\n部门: 深圳市工商业联合会", f'\n部门: "工商联{PAYLOAD}"')
    text = _sub(
        text, '  - 编码: "2012804"  # 参政议政', f'  - 编码: "2012804"  # 参政议政\n    名称: "参政{PAYLOAD}议政"'
    )
    path = folder / "final.yaml"
    path.write_text(text, encoding="utf-8")
    bad_code = folder / "final-code.yaml"
    bad_code.write_text(
        _sub(text, "科目:\n", f'科目:\n  - 编码: "20128{PAYLOAD}"\n    收入: {{一般公共预算财政拨款: 1}}\n'),
        encoding="utf-8",
    )
    return path


@pytest.fixture
def files(tmp_path) -> dict:
    final = hostile_final(tmp_path)
    return {
        "report": hostile_report(tmp_path),
        "keyed": hostile_report(tmp_path, "keyed.yaml", unknown_key=True),
        "final": final,
        "final_code": final.with_name("final-code.yaml"),
        # a file name a contributor chose: OSC title and a bidi override (refused: PATH_NAME)
        "named": hostile_report(tmp_path / "named", f"x\x1b]0;t\x07{RAW_RLO}.yaml"),
    }


# ---- the cleaning function ----------------------------------------------------------------


def test_terminal_text_shows_each_control_as_visible_text():
    raw = "名\x1b[2J\x1b]0;t\x07\x00\x7f\x85\x9b31m\u202e\u2066\u200f\ud800，。（）“”、：；《》！？\u3000丁"
    out = terminal_text(raw)
    assert_clean(out, "terminal_text")
    assert (
        out == "名\\x1b[2J\\x1b]0;t\\x07\\x00\\x7f⏎\\x9b31m\\u202e\\u2066\\u200f\\ud800，。（）“”、：；《》！？\u3000丁"
    )
    assert terminal_text(out) == out  # already clean text passes unchanged
    assert terminal_text("一\n二\r\n三\r四\u2028五\t六") == "一⏎二⏎三⏎四⏎五 六"
    assert terminal_text(None) == "None"


def test_problem_human_cleans_every_part_but_keeps_the_place():
    p = Problem(
        "FIELD_UNKNOWN", "warning", "data/x\x1b[2J.yaml", 7, "键\x1b]0;t\x07", expected="\u202e1", found="2\x9b"
    )
    line = p.human()
    assert_clean(line, "human()")
    assert line.startswith("data/x\\x1b[2J.yaml:7: FIELD_UNKNOWN [警告] 键\\x1b]0;t\\x07")
    assert "（应为 \\u202e1，实为 2\\x9b）" in line
    assert p.as_dict()["message"] == "键\x1b]0;t\x07"  # the value itself is unchanged


def test_score_text_cleans_names_reasons_and_targets(files):
    result = evaluate(files["report"])
    text = score_text(result.scored)
    assert_clean(text, "score_text")
    assert "宣传教育\\x1b[2J" in text and "排期\\x1b[2J" in text and "培训\\u202e次数" in text
    assert "甲⏎乙" in text


# ---- gongkai check / score, in process and as a real piped subprocess ---------------------


def invoke(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def assert_located(text: str, path: Path, needle: str, code: str) -> None:
    place = f"{path.name}:{line_of(path, needle)}: {code}"
    assert place in text, f"输出中没有 {place}：\n{text[-3000:]}"


def test_check_in_process(files):
    result = invoke("check", *(str(files[k]) for k in ("report", "keyed", "final", "final_code")))
    assert result.exit_code == 1
    for stream, name in ((result.stdout, "stdout"), (result.stderr, "stderr")):
        assert_clean(stream, f"gongkai check 的 {name}")
    assert_located(result.stdout, files["report"], "名称: \"培训", "REASON_MISSING")
    assert "培训\\u202e次数\\x1b[2J\\x1b]0;pwned\\x07" in result.stdout
    assert_located(result.stdout, files["keyed"], '"键', "FIELD_UNKNOWN")
    assert "键\\x1b[2J\\x1b]0;pwned\\x07\\x9b" in result.stdout
    assert_located(result.stdout, files["final_code"], '编码: "20128', "SUBJECT_LEVEL")


def test_score_in_process(files):
    for key in ("report", "final"):
        result = invoke("score", str(files[key]))
        assert result.exit_code in (0, 1), result.output
        assert_clean(result.stdout, f"gongkai score {key}")
        assert_clean(result.stderr, f"gongkai score {key}（stderr）")
        assert "\\x1b[2J" in result.stdout  # the department is shown, visibly escaped
    unscored = invoke("score", str(files["keyed"]))  # errors only: problems go to stderr
    assert unscored.exit_code == 2
    assert_clean(unscored.stderr, "gongkai score（无法计分）的 stderr")
    assert_located(unscored.stderr, files["keyed"], '"键', "FIELD_UNKNOWN")


def run_piped(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(GONGKAI), *args], capture_output=True, timeout=120)


def test_check_and_score_piped(files):
    checked = run_piped(
        "check", str(files["report"]), str(files["keyed"]), str(files["final_code"]), str(files["named"].parent)
    )
    assert checked.returncode == 1, checked.stderr.decode("utf-8", "replace")
    assert_clean_bytes(checked.stdout, "gongkai check | …")
    assert_clean_bytes(checked.stderr, "gongkai check 2>…")
    out = checked.stdout.decode("utf-8")
    assert_located(out, files["report"], "名称: \"培训", "REASON_MISSING")
    # a file name with controls is refused (PATH_NAME), named with visible escapes, not read
    assert re.search(r"x\\x1b\]0;t\\x07\\u202e\.yaml: PATH_NAME \[错误\] 文件名“x\\x1b\]0;t\\x07\\u202e\.yaml”", out), (
        out[-2000:]
    )
    for key in ("report", "final", "keyed"):
        scored = run_piped("score", str(files[key]))
        assert scored.returncode in (0, 1, 2)
        assert_clean_bytes(scored.stdout, f"gongkai score {key} | …")
        assert_clean_bytes(scored.stderr, f"gongkai score {key} 2>…")


# ---- JSON: the data, exactly ------------------------------------------------------------


def test_check_json_keeps_exact_strings_and_escapes_c0(files):
    proc = run_piped("check", "--format", "json", str(files["keyed"]))
    assert b"\x1b" not in proc.stdout and b"\x07" not in proc.stdout and b"\r" not in proc.stdout  # json escapes C0
    data = json.loads(proc.stdout)
    messages = [p["message"] for p in data["problems"]]
    assert any("键\x1b[2J\x1b]0;pwned\x07\x9b" in m for m in messages), messages
    scored = json.loads(run_piped("score", "--format", "json", str(files["report"])).stdout)
    assert scored["department"] == "工商联\x1b[2J\x1b]0;pwned\x07\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\\x9b31m\u202e甲\r乙\u2067丙\x7f丁"


def test_json_text_escapes_what_json_dumps_leaves_raw():
    value = "名\x1b\x07\x7f\x85\x9b\u202e\u2067\u2028\ud800，。"
    raw = json.dumps({"k": value}, ensure_ascii=False)
    assert "\x9b" in raw and "\u202e" in raw  # json.dumps(ensure_ascii=False) leaves C1 and bidi as they are
    text = json_text({value: value})
    assert_clean(text, "json_text")
    assert "名" in text and "，。" in text  # CJK stays readable
    assert json.loads(text) == {value: value}


def test_json_output_has_no_c1_or_bidi(files):
    for args in (
        ("check", "--format", "json", str(files["keyed"])),
        ("score", "--format", "json", str(files["report"])),
    ):
        assert_clean_bytes(run_piped(*args).stdout, f"gongkai {' '.join(args[:3])}")
