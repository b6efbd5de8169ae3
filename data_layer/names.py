"""Word lists and fixed catalogues for the demo data: geography, product lines, names.

Person and company words come from Faker's provider lists (en_US, zh_CN) and are drawn
vectorised with numpy, so a million names cost one array lookup, not a million calls.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from faker.providers.company import en_US as company_en
from faker.providers.company import zh_CN as company_zh
from faker.providers.person import en_US as person_en
from faker.providers.person import zh_CN as person_zh

LOCALES = ("en", "zh")


@dataclass(frozen=True)
class Office:
    code: str
    en: str
    zh: str
    country: str
    weight: float  # share of the region's business


@dataclass(frozen=True)
class Region:
    code: str
    en: str
    zh: str
    currency: str
    utc_offset: int  # hours; business hours are placed in local time
    win_logit: float  # how much better or worse the region wins than average
    cycle_factor: float  # how much slower or faster its deals close
    offices: tuple[Office, ...]


@dataclass(frozen=True)
class Cluster:
    code: str
    en: str
    zh: str
    regions: tuple[Region, ...]


def _o(code: str, en: str, zh: str, country: str, weight: float) -> Office:
    return Office(code, en, zh, country, weight)


CLUSTERS: tuple[Cluster, ...] = (
    Cluster(
        "CN",
        "China",
        "中国片联",
        (
            Region(
                "CN-E", "East China", "华东地区部", "CNY", 8, 0.30, 0.9,
                (
                    _o("SH", "Shanghai", "上海", "CN", 3.0),
                    _o("HZ", "Hangzhou", "杭州", "CN", 1.6),
                    _o("NJ", "Nanjing", "南京", "CN", 1.3),
                    _o("SU", "Suzhou", "苏州", "CN", 1.2),
                    _o("NB", "Ningbo", "宁波", "CN", 0.8),
                    _o("HF", "Hefei", "合肥", "CN", 0.7),
                ),
            ),
            Region(
                "CN-N", "North China", "华北地区部", "CNY", 8, 0.0, 1.1,
                (
                    _o("BJ", "Beijing", "北京", "CN", 3.0),
                    _o("TJ", "Tianjin", "天津", "CN", 1.1),
                    _o("JN", "Jinan", "济南", "CN", 0.8),
                    _o("QD", "Qingdao", "青岛", "CN", 0.9),
                    _o("SY", "Shenyang", "沈阳", "CN", 0.6),
                ),
            ),
            Region(
                "CN-S", "South China", "华南地区部", "CNY", 8, 0.15, 0.8,
                (
                    _o("GZ", "Guangzhou", "广州", "CN", 2.2),
                    _o("SZ", "Shenzhen", "深圳", "CN", 2.6),
                    _o("XM", "Xiamen", "厦门", "CN", 0.8),
                    _o("FZ", "Fuzhou", "福州", "CN", 0.7),
                ),
            ),
            Region(
                "CN-W", "West China", "西部地区部", "CNY", 8, -0.45, 1.35,
                (
                    _o("CD", "Chengdu", "成都", "CN", 1.5),
                    _o("CQ", "Chongqing", "重庆", "CN", 1.2),
                    _o("XA", "Xi'an", "西安", "CN", 1.0),
                    _o("WH", "Wuhan", "武汉", "CN", 1.3),
                    _o("KM", "Kunming", "昆明", "CN", 0.5),
                ),
            ),
        ),
    ),
    Cluster(
        "INTL",
        "International",
        "海外片联",
        (
            Region(
                "INTL-EU", "Europe", "欧洲地区部", "EUR", 1, -0.20, 1.25,
                (
                    _o("PAR", "Paris", "巴黎", "FR", 1.3),
                    _o("FRA", "Frankfurt", "法兰克福", "DE", 1.5),
                    _o("AMS", "Amsterdam", "阿姆斯特丹", "NL", 1.0),
                    _o("MIL", "Milan", "米兰", "IT", 0.8),
                    _o("MAD", "Madrid", "马德里", "ES", 0.7),
                ),
            ),
            Region(
                "INTL-AM", "Americas", "美洲地区部", "USD", -5, 0.45, 1.0,
                (
                    _o("NYC", "New York", "纽约", "US", 1.6),
                    _o("CHI", "Chicago", "芝加哥", "US", 1.0),
                    _o("SFO", "San Francisco", "旧金山", "US", 1.3),
                    _o("DAL", "Dallas", "达拉斯", "US", 0.8),
                ),
            ),
        ),
    ),
)

#: Value of one unit of each currency in US dollars at the start of the history.
CURRENCY_USD = {"USD": 1.0, "EUR": 1.08, "CNY": 0.139}
REPORTING_CURRENCY = {"en": "USD", "zh": "CNY"}


@dataclass(frozen=True)
class ProductLine:
    code: str
    en: str
    zh: str
    win_logit: float
    cycle_factor: float
    deal_factor: float  # deal size relative to the average line
    margin: tuple[float, float]  # gross margin range
    subscription: bool
    products: tuple[tuple[str, str, str, float], ...]  # code, en, zh, list price (USD)


PRODUCT_LINES: tuple[ProductLine, ...] = (
    ProductLine(
        "NET", "Networking", "网络产品线", 0.10, 1.0, 1.2, (0.25, 0.45), False,
        (
            ("NET-SW", "Campus Switch S5", "园区交换机 S5", 4_800.0),
            ("NET-RT", "Edge Router R8", "边缘路由器 R8", 12_500.0),
            ("NET-WL", "Wireless AP W6", "无线接入点 W6", 650.0),
            ("NET-DC", "Data-centre Fabric", "数据中心网络", 48_000.0),
        ),
    ),
    ProductLine(
        "STO", "Storage", "存储产品线", -0.15, 1.3, 1.6, (0.20, 0.40), False,
        (
            ("STO-AF", "All-flash Array F9", "全闪存阵列 F9", 85_000.0),
            ("STO-HY", "Hybrid Array H5", "混合存储 H5", 32_000.0),
            ("STO-BK", "Backup Appliance", "备份一体机", 18_000.0),
        ),
    ),
    ProductLine(
        "CLD", "Cloud Services", "云服务产品线", 0.25, 0.8, 0.8, (0.45, 0.60), True,
        (
            ("CLD-CMP", "Compute Subscription", "云计算订阅", 9_600.0),
            ("CLD-DB", "Managed Database", "云数据库托管", 7_200.0),
            ("CLD-SUP", "Premium Support", "高级技术支持", 15_000.0),
            ("CLD-BAK", "Cloud Backup", "云备份服务", 3_600.0),
            ("CLD-CDN", "Content Delivery", "内容分发网络", 5_400.0),
        ),
    ),
    ProductLine(
        "SEC", "Security", "安全产品线", -0.05, 1.15, 0.9, (0.35, 0.55), False,
        (
            ("SEC-FW", "Next-gen Firewall", "下一代防火墙", 14_000.0),
            ("SEC-EP", "Endpoint Protection", "终端安全防护", 2_400.0),
            ("SEC-SOC", "SOC Platform", "安全运营平台", 60_000.0),
        ),
    ),
    ProductLine(
        "DEV", "Devices", "终端产品线", 0.0, 0.7, 0.6, (0.20, 0.35), False,
        (
            ("DEV-LT", "Business Laptop L14", "商用笔记本 L14", 1_300.0),
            ("DEV-WS", "Workstation P7", "工作站 P7", 3_900.0),
            ("DEV-TB", "Rugged Tablet T10", "三防平板 T10", 1_100.0),
            ("DEV-MN", "Meeting Room Kit", "会议室套件", 6_500.0),
        ),
    ),
)

PROJECT_GRADES = (
    ("company", "Company-level project", "公司级项目", 1),
    ("region", "Region-level project", "地区部级项目", 2),
    ("office", "Office-level project", "代表处级项目", 3),
)

LEAD_SOURCES = (
    "phone", "fax", "email", "sms", "face_to_face", "media", "website", "event", "referral", "own_development",
)

INDUSTRIES = {
    "en": (
        "Manufacturing", "Finance", "Retail", "Healthcare", "Education", "Government", "Energy",
        "Logistics", "Telecom", "Media", "Automotive", "Real Estate",
    ),
    "zh": ("制造", "金融", "零售", "医疗", "教育", "政府", "能源", "物流", "电信", "传媒", "汽车", "房地产"),
}

COMPETITORS = {
    "en": ("Northwind Systems", "Contoso", "Globex", "Initech", "Umbrella Tech", "Hooli", "Vandelay Networks"),
    "zh": ("华信科技", "中科网络", "天成信息", "博远电子", "星河云", "恒通数据", "远景安全"),
}

TITLES = {
    "en": ("Office Sales Director", "Sales Manager", "Account Manager", "Senior Account Manager", "Sales Representative"),
    "zh": ("代表处销售总监", "销售经理", "客户经理", "高级客户经理", "销售代表"),
}

TEAM_WORDS = {"en": "Team", "zh": "组"}
ZH_NUMERALS = "一二三四五六七八九十"

ACTIVITY_SUBJECTS = {
    "en": {
        "call": ("Follow-up call", "Pricing question", "Check-in call", "Renewal call", "Intro call"),
        "email": ("Sent proposal", "Quote follow-up", "Meeting recap", "Product brochure", "Contract draft"),
        "meeting": ("Quarterly business review", "Solution workshop", "Executive meeting", "Demo"),
        "visit": ("On-site visit", "Site survey", "Customer dinner", "Installation check"),
    },
    "zh": {
        "call": ("电话跟进", "价格咨询", "例行回访", "续约沟通", "初次联系"),
        "email": ("发送方案", "报价跟进", "会议纪要", "产品资料", "合同草稿"),
        "meeting": ("季度业务回顾", "方案研讨会", "高层会谈", "产品演示"),
        "visit": ("上门拜访", "现场勘查", "客户宴请", "安装检查"),
    },
}

TICKET_SUBJECTS = {
    "en": {
        "request": ("Installation help", "Licence key request", "Configuration question", "Firmware upgrade",
                    "Training request", "Spare part request"),
        "complaint": ("Late delivery", "Device failure", "Invoice dispute", "Slow response", "Service outage"),
    },
    "zh": {
        "request": ("安装协助", "申请许可证", "配置咨询", "固件升级", "培训申请", "备件申请"),
        "complaint": ("交付延迟", "设备故障", "发票争议", "响应太慢", "服务中断"),
    },
}

CAMPAIGN_WORDS = {
    "en": {
        "event": "{city} {line} Seminar", "roadshow": "{year} 20-City Roadshow", "webinar": "Webinar: {line} in practice",
        "trade_show": "{year} {city} Trade Show", "email": "{line} e-mail nurture", "advertising": "{line} online advertising",
    },
    "zh": {
        "event": "{city}{line}研讨会", "roadshow": "{year}年20城巡展", "webinar": "{line}线上研讨会",
        "trade_show": "{year}年{city}展会", "email": "{line}邮件培育", "advertising": "{line}网络广告",
    },
}


def _weighted(words: object) -> tuple[np.ndarray, np.ndarray]:
    """Faker lists are either plain sequences or {word: weight} dicts; return words and probabilities."""
    if isinstance(words, dict):
        keys = np.array(list(words.keys()), dtype=object)
        weights = np.array(list(words.values()), dtype=float)
    else:
        keys = np.array(list(words), dtype=object)  # type: ignore[call-overload]
        weights = np.ones(len(keys))
    return keys, weights / weights.sum()


def _pick(rng: np.random.Generator, words: object, n: int) -> pd.Series:
    keys, p = _weighted(words)
    return pd.Series(keys[rng.choice(len(keys), size=n, p=p)], dtype="str")


def person_names(rng: np.random.Generator, n: int, locale: str) -> pd.Series:
    """``n`` full names: "First Last" in English, family name then given name in Chinese."""
    if locale == "zh":
        family = _pick(rng, person_zh.Provider.last_names, n)
        given = _pick(rng, person_zh.Provider.first_names, n)
        second = _pick(rng, person_zh.Provider.first_names, n)
        two = (rng.random(n) < 0.6) & (given.str.len() == 1)
        return family + given + second.where(two, "")
    female = rng.random(n) < 0.45
    first = _pick(rng, person_en.Provider.first_names_female, n).where(
        female, _pick(rng, person_en.Provider.first_names_male, n)
    )
    return first + " " + _pick(rng, person_en.Provider.last_names, n)


def company_names(rng: np.random.Generator, n: int, locale: str, cities: pd.Series) -> pd.Series:
    """``n`` company names; Chinese names often start with the company's city (``cities``, may be "")."""
    if locale == "zh":
        prefix = _pick(rng, company_zh.Provider.company_prefixes, n)
        suffix = _pick(rng, company_zh.Provider.company_suffixes, n)
        with_city = rng.random(n) < 0.7
        return cities.where(with_city, "") + prefix + suffix
    last = person_en.Provider.last_names
    a, b, c = _pick(rng, last, n), _pick(rng, last, n), _pick(rng, last, n)
    suffix = _pick(rng, company_en.Provider.company_suffixes, n)
    word = _pick(rng, company_en.Provider.catch_phrase_words[0], n)
    form = rng.choice(4, size=n, p=[0.45, 0.2, 0.1, 0.25])
    out = (a + " " + suffix).where(form == 0, a + "-" + b)
    out = out.where(form != 2, a + ", " + b + " and " + c)
    return out.where(form != 3, a + " " + word + " " + suffix)
