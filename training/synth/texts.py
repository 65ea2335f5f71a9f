"""Chinese wording for shop signs, banners, posters and A-frames (typical street-level text)."""

from __future__ import annotations

import numpy as np

SHOP_NAMES: tuple[str, ...] = (
    "便利店",
    "兰州拉面",
    "水果店",
    "烟酒超市",
    "理发店",
    "五金建材",
    "大药房",
    "面包房",
    "生鲜超市",
    "沙县小吃",
    "鲜花店",
    "眼镜店",
    "茶叶店",
    "手机维修",
    "早餐店",
    "包子铺",
    "干洗店",
    "文具店",
    "粮油店",
    "麻辣烫",
    "火锅店",
    "饺子馆",
    "彩票站",
    "奶茶店",
    "快餐",
    "中介",
    "服装店",
    "鞋店",
    "汽车美容",
    "烧烤",
    "母婴用品",
    "宠物店",
)

BANNER_SLOGANS: tuple[str, ...] = (
    "开业大酬宾 全场八折",
    "清仓大甩卖 最后三天",
    "旺铺转让 联系电话13812345678",
    "热烈庆祝本店开业",
    "招聘服务员 包吃包住",
    "全场五折 买一送一",
    "高价回收 空调电脑",
    "房屋出租 有意者电话联系",
    "新店开张 优惠多多",
    "装修 水电 防水 补漏",
    "专业疏通下水道",
    "店面装修 暂停营业",
    "特价促销 欢迎选购",
    "厂家直销 一律十元",
)

POSTER_TEXTS: tuple[str, ...] = (
    "办证",
    "开锁",
    "贷款",
    "通下水道",
    "招工",
    "出租",
    "刻章",
    "回收",
    "搬家",
    "家政",
    "补习班",
    "转让",
    "急招",
    "维修",
)

AFRAME_TEXTS: tuple[str, ...] = (
    "今日特价",
    "特惠",
    "欢迎光临",
    "美甲",
    "招租",
    "洗车",
    "早餐",
    "午餐",
    "新品上市",
    "停车场",
    "酒水饮料",
    "手机贴膜",
    "特价菜",
    "营业中",
)

TRICYCLE_TEXTS: tuple[str, ...] = ("快递", "同城配送", "物流", "外卖")


def phone_number(rng: np.random.Generator) -> str:
    """A plausible-looking mobile number for small ads."""
    return "1" + "".join(str(int(d)) for d in rng.integers(0, 10, size=10))


def pick(rng: np.random.Generator, options: tuple[str, ...]) -> str:
    """One item of a tuple, drawn with ``rng``."""
    return options[int(rng.integers(0, len(options)))]
