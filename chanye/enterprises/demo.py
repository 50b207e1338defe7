"""A deterministic synthetic register, calibrated to Tianhe's published structure.

No Django import: `write_csv` produces the sheet a district would import (Chinese headers, our template's
columns), so the demo and the benchmarks go through the real import path. Same seed, same file.

Calibration (facts in ../shared/reference/tianhe_stats.csv; figures here are targets, not data):
- secondary industry (B except 11, C except 43, D, E) ≈ 7.45% of revenue, the 2021 三次产业比 0.03:7.45:92.52;
- digital-economy core industries (2021 catalogue categories 01–04, by GB/T code) ≈ 22.2% of revenue, the 2023
  share of GDP; revenue stands in for value added, which the register does not hold;
- 四上 enterprises ≈ 1.6% of the register (over 10,000 of about 612,000 in 2024–2025).
"""

import csv
import math
import random
from collections.abc import Iterator
from datetime import date, timedelta

from chanye.enterprises.uscc import CHARSET, check_character, org_check_character

SECONDARY_SHARE = 0.0745
DIGITAL_CORE_SHARE = 0.222
SISHANG_SHARE = 0.0163
DISTRICT = "440106"  # 天河区

# GB/T 4754-2017 小类 with a relative frequency, the words of a fitting name and business scope, and the group
# whose revenue share is calibrated: S secondary, D digital-economy core, T other tertiary.
CODES: tuple[tuple[str, int, str, str, str], ...] = (
    ("6513", 60, "软件", "软件开发；信息系统集成服务；人工智能应用软件开发", "D"),
    ("6511", 25, "软件", "基础软件开发；软件开发", "D"),
    ("6550", 12, "数据", "信息技术咨询服务；数据处理和存储支持服务；算力服务", "D"),
    ("6599", 8, "智能科技", "人工智能基础软件开发；机器学习平台服务；大模型应用", "D"),
    ("6432", 20, "网络", "互联网信息服务；网络技术服务", "D"),
    ("6421", 6, "互联网", "互联网搜索服务；互联网信息服务", "D"),
    ("6311", 2, "通信", "电信业务；基础电信服务", "D"),
    ("6520", 4, "芯片", "集成电路设计；芯片研发", "D"),
    ("3612", 1, "汽车", "新能源汽车整车制造；智能网联汽车研发；自动驾驶", "S"),
    ("3670", 2, "汽车电子", "汽车零部件及配件制造；汽车电子；车联网", "S"),
    ("2720", 2, "药业", "化学药品制剂制造；药品研发；临床试验", "S"),
    ("3581", 2, "医疗器械", "医疗诊断、监护及治疗设备制造；医疗器械", "S"),
    ("3491", 2, "机器人", "工业机器人制造；智能装备；工业自动化", "S"),
    ("3963", 1, "智能装备", "智能无人飞行器制造；无人机；低空经济", "S"),
    ("4710", 5, "建设", "房屋建筑工程施工；工程总承包；装配式建筑", "S"),
    ("5011", 3, "建设工程", "建筑装饰工程；钢结构工程；智能建造", "S"),
    ("4420", 1, "能源", "电力供应；售电业务", "S"),
    ("1819", 2, "服饰", "服装设计；服饰制造；潮流品牌", "S"),
    ("5132", 30, "贸易", "服装批发；进出口贸易；供应链管理", "T"),
    ("5199", 40, "商贸", "批发；进出口；电子商务", "T"),
    ("5292", 25, "电子商务", "互联网零售；跨境电商；零售", "T"),
    ("5211", 15, "百货", "百货零售；零售", "T"),
    ("6621", 3, "银行", "货币银行服务；金融", "T"),
    ("6712", 3, "证券", "证券经纪交易服务；证券", "T"),
    ("6811", 2, "保险", "人身保险；保险", "T"),
    ("6631", 4, "融资租赁", "融资租赁服务；金融科技", "T"),
    ("7010", 8, "置业", "房地产开发经营", "T"),
    ("7020", 10, "物业", "物业管理", "T"),
    ("7212", 25, "投资咨询", "投资与资产管理；管理咨询", "T"),
    ("7231", 10, "律师事务", "律师及相关法律服务；法律服务", "T"),
    ("7241", 8, "会计", "会计、审计及税务服务；会计；审计", "T"),
    ("7251", 12, "广告", "互联网广告服务；广告；会展", "T"),
    ("7263", 10, "人力资源", "人力资源服务；劳务派遣", "T"),
    ("7320", 15, "科技", "工程和技术研究和试验发展；技术开发；技术转让", "T"),
    ("7452", 5, "检测", "检测服务；检验检测", "T"),
    ("7530", 10, "科技服务", "科技中介服务；孵化器；知识产权", "T"),
    ("7491", 5, "设计", "工业设计服务；设计服务", "T"),
    ("8730", 6, "传媒", "影视节目制作；影视制作；文化创意", "T"),
    ("8810", 4, "文化", "文艺创作与表演；演艺经纪；动漫", "T"),
    ("6110", 4, "酒店", "旅游饭店；酒店", "T"),
    ("6210", 20, "餐饮", "正餐服务；餐饮", "T"),
    ("7291", 6, "旅行社", "旅行社服务；旅游", "T"),
    ("8411", 3, "健康", "综合医院；健康管理", "T"),
    ("8010", 10, "家政", "家庭服务；家政服务", "T"),
)
STREET_WEIGHTS = {  # the CBD streets carry more firms
    "TH10": 9, "TH11": 9, "TH13": 8, "TH08": 7, "TH05": 7, "TH09": 6, "TH12": 5, "TH06": 5, "TH02": 4,
    "TH03": 4, "TH04": 4, "TH07": 4, "TH01": 3, "TH14": 3, "TH15": 3, "TH16": 3, "TH17": 3, "TH18": 2,
    "TH19": 2, "TH20": 2, "TH21": 2,
}  # fmt: skip
STREET_NAMES = {
    "TH01": "五山街道", "TH02": "员村街道", "TH03": "车陂街道", "TH04": "沙河街道", "TH05": "石牌街道",
    "TH06": "兴华街道", "TH07": "沙东街道", "TH08": "林和街道", "TH09": "棠下街道", "TH10": "猎德街道",
    "TH11": "冼村街道", "TH12": "天园街道", "TH13": "天河南街道", "TH14": "元岗街道", "TH15": "黄村街道",
    "TH16": "龙洞街道", "TH17": "长兴街道", "TH18": "凤凰街道", "TH19": "前进街道", "TH20": "珠吉街道",
    "TH21": "新塘街道",
}  # fmt: skip
ROADS = (
    "天河路",
    "体育西路",
    "珠江西路",
    "花城大道",
    "黄埔大道西",
    "天河北路",
    "中山大道西",
    "科韵路",
    "华夏路",
    "林和西路",
)
TRADE_NAMES = "天越瑞恒嘉德弘信诚安华鼎锐博智远创云星海泽汇通盈达旭和顺康宏晟聚合优品佳卓信"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗梁"
STATUSES = (("存续", 70), ("在业", 22), ("注销", 4), ("吊销", 2), ("迁出", 2))
TAG_RATES = (("高新技术企业", 0.02), ("专精特新", 0.004), ("上市", 0.0006), ("总部", 0.001), ("瞪羚", 0.0008))
HEADERS = [
    "统一社会信用代码", "企业名称", "登记状态", "成立日期", "注册资本", "注册地址", "所属街道", "国民经济行业代码",
    "经营范围", "营业收入", "从业人员", "资产总额", "企业标签", "信用等级", "联系人", "联系电话", "联系邮箱",
]  # fmt: skip

_BODY_CHARS = [c for c in CHARSET if c.isalnum()]


def uscc_for(index: int) -> str:
    """A valid, unique code for the index-th synthetic enterprise: 91 + 440106 + an MA… organisation code."""
    digits = []
    number = index
    for _ in range(6):
        number, remainder = divmod(number, 31)
        digits.append(_BODY_CHARS[remainder])
    org8 = "MA" + "".join(reversed(digits))
    body = "91" + DISTRICT + org8 + org_check_character(org8)
    return body + check_character(body)


def _weighted(rng: random.Random, items, weights):
    return rng.choices(items, weights=weights, k=1)[0]


def _raw(count: int, seed: int) -> Iterator[tuple[list[str], str, float]]:
    """Rows before calibration, with their group and unscaled revenue."""
    rng = random.Random(seed)
    codes = list(CODES)
    code_weights = [c[1] for c in codes]
    streets = list(STREET_WEIGHTS)
    street_weights = list(STREET_WEIGHTS.values())
    start = date(1995, 1, 1)
    for index in range(1, count + 1):
        gbt, _weight, word, scope, group = _weighted(rng, codes, code_weights)
        street = _weighted(rng, streets, street_weights)
        size = rng.lognormvariate(0, 1.6)  # heavy tail: a few large firms carry most revenue
        revenue = 300 * size
        employees = max(1, int(6 * size**0.8 + rng.random() * 4))
        tags = [name for name, rate in TAG_RATES if rng.random() < rate * (3 if group == "D" else 1)]
        if rng.random() < SISHANG_SHARE:
            tags[:0] = ["规上", "四上"]
            revenue = revenue * 20 + 2000
            employees = employees * 10 + 50
        status = _weighted(rng, [s for s, _ in STATUSES], [w for _, w in STATUSES])
        trade = "".join(rng.choice(TRADE_NAMES) for _ in range(2))
        surname = rng.choice(SURNAMES)
        row = [
            uscc_for(index),
            f"广州{trade}{word}有限公司" if index % 7 else f"广州市{trade}{word}{index % 97}号有限公司",
            status,
            (start + timedelta(days=rng.randrange(11_000))).isoformat(),
            str(rng.choice((10, 50, 100, 200, 500, 1000, 3000, 5000))),
            f"广州市天河区{rng.choice(ROADS)}{rng.randrange(1, 900)}号",
            STREET_NAMES[street],
            gbt,
            scope,
            "",  # revenue, once calibrated
            str(employees),
            f"{rng.uniform(0.4, 1.8):.4f}",  # assets as a multiple of revenue, once calibrated
            "、".join(tags),
            rng.choice(("A", "A", "B", "M", "")),
            f"{surname}{'先生' if index % 2 else '女士'}",
            f"1{rng.choice('3578')}{index % 10}{index:08d}"[:11],
            f"contact{index}@example.cn",
        ]
        yield row, group, revenue


def generate(count: int, seed: int = 12126) -> Iterator[list[str]]:
    """`count` rows of the import sheet. Two passes over the same seed: the first sums each group's revenue,
    the second scales each group so the shares hit their targets exactly."""
    sums = {"S": 0.0, "D": 0.0, "T": 0.0}
    for _row, group, revenue in _raw(count, seed):
        sums[group] += revenue
    total = sum(sums.values())
    targets = {"S": SECONDARY_SHARE, "D": DIGITAL_CORE_SHARE, "T": 1 - SECONDARY_SHARE - DIGITAL_CORE_SHARE}
    factor = {group: (targets[group] * total / sums[group]) if sums[group] else 0.0 for group in sums}
    for row, group, revenue in _raw(count, seed):
        scaled = revenue * factor[group]
        row[9] = f"{scaled:.4f}"
        row[11] = f"{scaled * float(row[11]):.1f}"
        yield row


def write_csv(path, count: int, seed: int = 12126) -> int:
    """Write the synthetic sheet as CSV (UTF-8 with BOM, like an Excel export); returns the row count."""
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        rows = 0
        for row in generate(count, seed):
            writer.writerow(row)
            rows += 1
    return rows


def is_secondary(gbt_code: str) -> bool:
    """NBS 三次产业划分: B except 11, C except 43, D, E — by 2-digit division."""
    if not gbt_code[:2].isdigit():
        return False
    division = int(gbt_code[:2])
    return (6 <= division <= 12 and division != 11) or (13 <= division <= 50 and division != 43)


def shares(rows) -> dict[str, float]:
    """Revenue shares of the secondary industry and the digital core in generated rows (for tests)."""
    groups = {code[0]: code[4] for code in CODES}
    total = secondary = digital = 0.0
    for row in rows:
        revenue = float(row[9])
        total += revenue
        secondary += revenue if is_secondary(row[7]) else 0.0
        digital += revenue if groups[row[7]] == "D" else 0.0
    return {
        "secondary": secondary / total if total else math.nan,
        "digital_core": digital / total if total else math.nan,
    }
