"""Names for demo and benchmark data: Chinese numerals, people, estates, places."""

from __future__ import annotations

import random

DIGITS = "零一二三四五六七八九"


def cn_number(n: int) -> str:
    """1 -> 一, 10 -> 十, 12 -> 十二, 20 -> 二十, 105 -> 一百零五 (1 ≤ n ≤ 999)."""
    if not 0 < n < 1000:
        raise ValueError(n)
    hundreds, rest = divmod(n, 100)
    tens, ones = divmod(rest, 10)
    out = ""
    if hundreds:
        out += DIGITS[hundreds] + "百"
        if rest and tens == 0:
            return out + "零" + DIGITS[ones]
    if tens:
        out += ("" if tens == 1 and not hundreds else DIGITS[tens]) + "十"
    if ones:
        out += DIGITS[ones]
    return out


def grid_name(community: str, n: int) -> str:
    return f"{community}第{cn_number(n)}网格"


SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高梁郑谢宋唐许邓冯韩曹曾彭萧蔡潘田董袁"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰志红建国文辉鹏海燕晓东雪梅俊"


def person_name(rng: random.Random) -> str:
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
    return rng.choice(SURNAMES) + given


# Estate names in the style of 珠海's older neighbourhoods (made up, not a register), free of
# place names so that they fit any community. Each community's first estate is named after it.
# fmt: off
ESTATE_NAMES = [
    "翠景花园", "海景苑", "银桦新村", "紫荆园", "海湾花园", "康宁苑", "丽景湾", "怡景湾", "金海岸花园", "华景新村",
    "凤凰花园", "明珠苑", "华海花园", "富华里", "翠微苑", "鸿景花园", "云峰苑", "银石雅园", "嘉宝花园", "龙珠苑",
    "恒雅苑", "宝岛花园", "山海名居", "兴业苑", "迎宾花园", "康乐苑", "海天花园", "竹苑新村", "健民新村", "华庭雅苑",
    "金湾苑", "玉兰苑", "荔园", "侨光新村", "悦海华庭", "南湾花园", "东园小区", "友谊花园", "锦绣苑", "向阳新村",
]
# fmt: on
OWN_ESTATE_SUFFIXES = ("新村", "花园", "小区")

# Characters for made-up place names in the benchmark trees.
PLACE_CHARS = "东西南北金银湾山海港华兴安康宁平丰泰和新城河桥溪林石岭湖塘田坪源泉江洲沙岗"
ESTATE_SUFFIXES = ["花园", "新村", "苑", "小区", "雅居", "名城", "家园", "公寓"]
