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


# Estate names in the style of 珠海's older neighbourhoods (made up, not a register).
ESTATE_NAMES = [
    "翠景花园", "海景苑", "银桦新村", "桂花苑", "南屏花园", "紫荆园", "海湾花园", "景山花园", "兰埔新村", "康宁苑",
    "丽景湾", "海滨花园", "怡景湾", "碧涛苑", "金海岸花园", "港湾小区", "华景新村", "凤凰花园", "柠溪花园", "白莲苑",
    "前山新村", "明珠苑", "华海花园", "富华里", "翠微苑", "鸿景花园", "云峰苑", "海虹新村", "银石雅园", "嘉宝花园",
    "龙珠苑", "吉莲新村", "拱北新村", "茂盛花园", "昌盛苑", "恒雅苑", "宝岛花园", "山海名居", "兴业苑", "迎宾花园",
    "湾仔花园", "康乐苑", "海天花园", "竹苑新村", "九洲花园", "水湾小区", "梅华新村", "翠前花园", "白石苑", "健民新村",
]

# Characters for made-up place names in the benchmark trees.
PLACE_CHARS = "东西南北金银湾山海港华兴安康宁平丰泰和新城河桥溪林石岭湖塘田坪源泉江洲沙岗"
ESTATE_SUFFIXES = ["花园", "新村", "苑", "小区", "雅居", "名城", "家园", "公寓"]
