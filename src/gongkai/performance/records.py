"""Typed report records. YAML keys are Chinese (aliases); code uses the English field names."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PrivateAttr, WithJsonSchema

from gongkai.engine.basis import BASIS_DESCRIPTION
from gongkai.engine.decimals import usable
from gongkai.performance.targets import text_of

KINDS = ("项目支出绩效自评表", "项目支出绩效评价报告", "部门整体支出绩效评价")
METHODS = ("比例", "反向", "达标", "分档", "要点", "扣分", "定性", "序时进度", "人工")
LEVELS = ("达到预期", "部分达到预期", "未达到预期")

_YES = {"是", "对", "true", "yes", "y", "满足", "符合", "√", "✓"}
_NO = {"否", "不", "false", "no", "n", "不满足", "不符合", "×", "✗"}


def _number(value):
    """Accept a number, or number text such as '75.60' or '2,961.99'; never a bool or float."""
    if isinstance(value, bool):
        raise ValueError("应为数字，不是“是/否”")
    if isinstance(value, float):
        raise ValueError("应为十进制数字文本")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, str):
        text = value.strip().replace(",", "")
        try:
            number = Decimal(text)
        except ArithmeticError:
            raise ValueError(f"“{value}”不是数字") from None
        if not usable(number):
            raise ValueError(f"“{value}”超出可用的数字范围")
        return number
    return value


def _text(value):
    """Text fields accept numbers too (a 指标值 written 6 means '6')."""
    if isinstance(value, (Decimal, int)) and not isinstance(value, bool):
        return text_of(Decimal(value))
    return value


def _flag(value):
    """是/否 fields accept YAML booleans and the Chinese words."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, str):
        low = value.strip().lower()
        if low in _YES:
            return True
        if low in _NO:
            return False
    raise ValueError("应为“是”或“否”")


def _year(value):
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    return value


# In the JSON Schema (for editors) a number may be written as a number or as number text, and a
# text field (指标值, 完成值 …) may be written as a number (完成值: 4), as the loader accepts.
Num = Annotated[
    Decimal,
    BeforeValidator(_number),
    WithJsonSchema({"anyOf": [{"type": "number"}, {"type": "string", "pattern": r"^\s*-?[\d,]+(\.\d+)?\s*$"}]}),
]
Text = Annotated[str, BeforeValidator(_text), WithJsonSchema({"anyOf": [{"type": "string"}, {"type": "number"}]})]
Flag = Annotated[bool, BeforeValidator(_flag)]


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=False, str_strip_whitespace=True)
    _line: int | None = PrivateAttr(default=None)

    @property
    def line(self) -> int | None:
        return self._line


class Stated(Record):
    """Figures as printed in the published text, for comparison (原文)."""

    source: Text | None = Field(None, alias="出处", description="这些数字印在哪里，如“评分表”“正文第三部分”")
    weight: Num | None = Field(None, alias="分值")
    score: Num | None = Field(None, alias="得分")
    score_rate: Text | None = Field(None, alias="得分率", description="如 56.05%")
    actual: Text | None = Field(None, alias="完成值")
    completion: Text | None = Field(None, alias="完成率")
    level2_count: int | None = Field(None, alias="二级指标数")
    level3_count: int | None = Field(None, alias="三级指标数")


class Band(Record):
    condition: Text | None = Field(None, alias="条件", description="如 ≥95%；不写表示其余情况")
    score: Num = Field(alias="得分")


class Point(Record):
    content: Text = Field(alias="内容")
    weight: Num = Field(alias="分值")
    met: Flag = Field(alias="满足")


class Deduction(Record):
    times: Num | None = Field(None, alias="次数")
    each: Num | None = Field(None, alias="每次", description="每次扣分")
    per_excess: Text | None = Field(None, alias="每超出", description="如 1%：与指标值比较，每超出这么多扣一次")
    deduct: Num | None = Field(None, alias="扣", description="与“每超出”同用：每次扣分")


class Node(Record):
    """An indicator (指标) at any level; a node without 下级 is a leaf."""

    name: Text = Field(alias="名称")
    weight: Num | None = Field(None, alias="分值")
    method: Literal[METHODS] | None = Field(None, alias="方法")  # type: ignore[valid-type]
    target: Text | None = Field(None, alias="指标值")
    actual: Text | None = Field(None, alias="完成值")
    score: Num | None = Field(None, alias="得分")
    reason: Text | None = Field(None, alias="理由")
    deviation: Text | None = Field(None, alias="偏差原因")
    not_applicable: Flag | Text | None = Field(None, alias="不适用")
    children: list[Node] | None = Field(None, alias="下级")
    bands: list[Band] | None = Field(None, alias="档次")
    points: list[Point] | None = Field(None, alias="要点")
    deduction: Deduction | None = Field(None, alias="扣分")
    level: Literal[LEVELS] | None = Field(None, alias="等级")  # type: ignore[valid-type]
    quarters: list[Text] | None = Field(None, alias="季度进度")
    variant: Literal["比值", "线性"] | None = Field(None, alias="变体")
    basis: Literal["指标值", "100%"] | None = Field(None, alias="基准")
    nature: Text | None = Field(None, alias="指标性质", description="如 定量、定性、正向")
    direction: Text | None = Field(None, alias="指标方向", description="如 大于等于、小于等于、等于")
    measure: Text | None = Field(None, alias="计量单位")
    explanation: Text | None = Field(None, alias="指标解释")
    criteria: Text | None = Field(None, alias="评价要点")
    standard: Text | None = Field(None, alias="评分标准")
    note: Text | None = Field(None, alias="说明")
    stated: Stated | list[Stated] | None = Field(None, alias="原文")
    partial: Text | None = Field(
        None, alias="部分录入", description="下级只录入了一部分（如存储文本截断）：写明缺了什么；下级分值之和不再核对"
    )

    @property
    def is_leaf(self) -> bool:
        return not self.children

    @property
    def inapplicable(self) -> bool:
        return self.not_applicable not in (None, False, "")

    @property
    def is_empty(self) -> bool:
        """A leaf with nothing to score: no score, method, target, actual or method inputs."""
        return self.is_leaf and not self.inapplicable and all(
            v is None
            for v in (
                self.score,
                self.method,
                self.target,
                self.actual,
                self.bands,
                self.points,
                self.deduction,
                self.level,
                self.quarters,
            )
        )


class FundsRow(Record):
    """A row of the funds table (资金来源), with its own 其中 rows to any depth."""

    initial: Num | None = Field(None, alias="年初预算数")
    budget: Num | None = Field(None, alias="全年预算数", description="当年预算（全年预算数）")
    arrived: Num | None = Field(None, alias="到位数")
    spent: Num | None = Field(None, alias="全年执行数")
    balance: Num | None = Field(None, alias="节余", description="节余（结余）资金，照印")
    rate: Text | None = Field(None, alias="执行率", description="照印，如 98.5% 或 0.98 或 100")
    parts: dict[Text, FundsRow] | None = Field(None, alias="其中")
    note: Text | None = Field(None, alias="说明")


class FundsStated(Record):
    source: Text | None = Field(None, alias="出处")
    rate: Text | None = Field(None, alias="执行率", description="如 0.98 或 97.82%")
    score: Num | None = Field(None, alias="得分")
    arrival_rate: Text | None = Field(None, alias="到位率")


class BudgetItem(Record):
    """A line of the 项目支出明细预算, with its 测算依据."""

    name: Text = Field(alias="名称")
    amount: Num | None = Field(None, alias="金额")
    basis: Text | None = Field(None, alias="测算依据")
    note: Text | None = Field(None, alias="说明")


class Funds(Record):
    """The funds block: the total row (年度资金总额) with its 其中 rows, the project's whole
    budget, the printed 执行率/到位率/得分 and the detailed budget. Its rows' fields are those
    of :class:`FundsRow` (the order here is the order ``gongkai fmt`` writes them in)."""

    total_budget: Num | None = Field(None, alias="项目总预算", description="项目总预算（跨年度项目的总额）")
    initial: Num | None = Field(None, alias="年初预算数")
    budget: Num | None = Field(None, alias="全年预算数", description="当年预算（全年预算数）")
    arrived: Num | None = Field(None, alias="到位数")
    spent: Num | None = Field(None, alias="全年执行数")
    balance: Num | None = Field(None, alias="节余", description="节余（结余）资金，照印")
    weight: Num | None = Field(None, alias="分值", description="执行率的分值；不写则资金不计分")
    rate: Text | None = Field(None, alias="执行率", description="印出的执行率，如 98.5% 或 0.98 或 100")
    score: Num | None = Field(None, alias="得分", description="印出的资金得分")
    arrival_rate: Text | None = Field(None, alias="到位率", description="印出的到位率")
    parts: dict[Text, FundsRow] | None = Field(None, alias="其中")
    details: list[BudgetItem] = Field(default_factory=list, alias="明细预算")
    note: Text | None = Field(None, alias="说明")
    stated: FundsStated | list[FundsStated] | None = Field(None, alias="原文")


class OverallGoal(Record):
    expected: Text | None = Field(None, alias="预期目标")
    achieved: Text | None = Field(None, alias="实际完成情况")


class GoalStated(Record):
    source: Text | None = Field(None, alias="出处")
    score: Num | None = Field(None, alias="得分")


class Goal(Record):
    name: Text = Field(alias="名称")
    not_done: Text | None = Field(None, alias="未开展", description="未开展的原因")
    indicators: list[Node] = Field(default_factory=list, alias="指标")
    stated: GoalStated | list[GoalStated] | None = Field(None, alias="原文")


class Acknowledgement(Record):
    """A warning the authors have looked at and accept, with the reason (shown as 提示)."""

    code: Text = Field(alias="代码", description="警告的代码，如 GOAL_NOT_DONE")
    reason: Text = Field(alias="说明", description="为什么这一警告不需要修改数据")


class RootStated(Record):
    source: Text | None = Field(None, alias="出处")
    total: Num | None = Field(None, alias="总分")
    grade: Text | None = Field(None, alias="等级")
    common_score: Num | None = Field(None, alias="共性指标得分")
    goals_score: Num | None = Field(None, alias="年度目标得分")
    completion: Text | None = Field(None, alias="指标总体完成率")
    budget_rate: Text | None = Field(None, alias="预算执行率")
    deviation: Text | None = Field(None, alias="偏差")
    level1_count: int | None = Field(None, alias="一级指标数")
    level2_count: int | None = Field(None, alias="二级指标数")
    level3_count: int | None = Field(None, alias="三级指标数")


class Report(Record):
    """One report: a 自评表, an evaluation report or a department-wide evaluation."""

    kind: Literal[KINDS] = Field(alias="类型")  # type: ignore[valid-type]
    ruleset: Text = Field(alias="规则")
    year: Annotated[int, BeforeValidator(_year)] = Field(alias="年度", ge=1949, le=2200)
    department: Text = Field(alias="部门")
    name: Text | None = Field(None, alias="名称", description="项目名称；文件没有印项目名称时不写")
    title: Text | None = Field(None, alias="标题", description="文件自己的标题，如“××项目支出绩效自评报告”")
    basis: Literal["编制", "原文", "计算"] | None = Field(None, alias="口径", description=BASIS_DESCRIPTION)
    unit: Literal["万元", "元"] = Field("万元", alias="单位")
    supervisor: Text | None = Field(None, alias="主管部门")
    implementer: Text | None = Field(None, alias="实施单位")
    leader: Text | None = Field(None, alias="项目负责人")
    filled_by: Text | None = Field(None, alias="填报人")
    approver: Text | None = Field(None, alias="单位领导审签")
    phone: Text | None = Field(None, alias="联系电话")
    evaluator: Text | None = Field(None, alias="评价机构")
    date: Text | None = Field(None, alias="填报日期")
    amount: Num | None = Field(None, alias="项目金额")
    attribute: Text | None = Field(None, alias="项目属性", description="如 常年性、延续性、新增")
    long_term_goal: Text | None = Field(None, alias="长期目标")
    funds: Funds | None = Field(None, alias="资金")
    overall_goal: OverallGoal | None = Field(None, alias="年度总体目标")
    indicators: list[Node] = Field(default_factory=list, alias="指标")
    goals: list[Goal] = Field(default_factory=list, alias="年度目标")
    table_name: Text | None = Field(None, alias="表名", description="指标表印出的名称，如“绩效目标完成情况对比表”")
    columns: dict[Literal["指标值", "完成值", "分值", "得分", "偏差原因"], Text] | None = Field(
        None, alias="列名", description="指标表各列印出的名称，如 {指标值: 计划值, 完成值: 完成情况}"
    )
    stated: RootStated | list[RootStated] | None = Field(None, alias="原文")
    partial: Text | None = Field(None, alias="部分录入", description="只录入了文件的一部分：写明缺了什么")
    review_notes: list[Text] = Field(
        default_factory=list, alias="核对意见", description="录入人、审核人的说明，显示在核对说明中"
    )
    corrections: list[Text] = Field(default_factory=list, alias="更正")
    acknowledged: list[Acknowledgement] = Field(
        default_factory=list, alias="确认", description="已确认、无需修改的警告"
    )
    remark: Text | None = Field(None, alias="备注")


Node.model_rebuild()
FundsRow.model_rebuild()

AnyFundsRow = FundsRow | Funds  # the total row and its 其中 rows share their figures' fields


def stated_list(stated) -> list:
    """原文 may be one mapping or a list of mappings (one per place it was printed)."""
    if stated is None:
        return []
    return stated if isinstance(stated, list) else [stated]
