"""Default case categories (editable by admins) and the official calendar the package knows."""

from django.db import migrations

CATEGORIES = [
    # code, name, group, keywords
    ("garbage", "垃圾清运", "环境卫生", "垃圾 清运 堆放 垃圾桶 异味 建筑垃圾"),
    ("sanitation", "环境卫生", "环境卫生", "卫生 脏乱 污水 积水 清扫 保洁"),
    ("road_damage", "道路破损", "市政设施", "道路 破损 坑洼 路面 塌陷 人行道"),
    ("street_light", "路灯故障", "市政设施", "路灯 不亮 照明 灯"),
    ("manhole", "井盖缺失破损", "市政设施", "井盖 下水道 窨井"),
    ("greening", "绿化养护", "市政设施", "绿化 树木 草坪 修剪 倒伏"),
    ("street_vending", "占道经营", "城市管理", "占道 摆摊 小贩 流动 商贩 夜市"),
    ("illegal_construction", "违章搭建", "城市管理", "违建 违章 搭建 加建 私搭乱建"),
    ("illegal_parking", "违法停车", "交通秩序", "停车 违停 乱停 占用 车位"),
    ("noise", "噪音扰民", "城市管理", "噪音 噪声 扰民 施工 广场舞 装修"),
    ("fire_lane", "消防隐患", "安全隐患", "消防 通道 堵塞 电动车 充电 飞线 灭火器"),
    ("public_security", "治安隐患", "安全隐患", "治安 盗窃 可疑 打架 安全"),
    ("food_safety", "食品安全", "市场监管", "食品 过期 无证 餐饮 卫生许可"),
    ("property_dispute", "物业纠纷", "矛盾纠纷", "物业 物业费 电梯 门禁 维修"),
    ("neighbor_dispute", "邻里纠纷", "矛盾纠纷", "邻里 纠纷 漏水 矛盾"),
    ("other", "其他", "其他", ""),
]


HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利纪念日",
}


def seed(apps, schema_editor):
    Category = apps.get_model("cases", "CaseCategory")
    for sort, (code, name, group, keywords) in enumerate(CATEGORIES):
        Category.objects.update_or_create(
            code=code, defaults={"name": name, "group": group, "keywords": keywords, "sort": sort}
        )
    CalendarDay = apps.get_model("cases", "CalendarDay")
    from chinese_calendar import constants

    rows = {}
    for day, holiday in constants.holidays.items():
        if day.year >= 2020:
            rows[day] = CalendarDay(date=day, is_workday=False, name=HOLIDAY_NAMES.get(holiday, holiday))
    for day, holiday in constants.workdays.items():
        if day.year >= 2020:
            rows[day] = CalendarDay(date=day, is_workday=True, name=f"{HOLIDAY_NAMES.get(holiday, holiday)}调休")
    CalendarDay.objects.bulk_create(rows.values(), ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_cases_duty_list_whistles")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
