"""What people write about, per first-level domain: the raw material of the demo text.

All wording here is our own. Each problem names the third-level domain (from
liuyan/directory/data/domains.csv) it belongs to, the kind of place it happens in, what the writer
asks for, and what a unit typically finds and does about it, so that a message and its reply talk
about the same thing. `{place}` is filled in with a generated place name.

The problems themselves are literal data, one module per group of domains (city, economy,
welfare, countryside, government); this module puts them together with the laws a reply may cite
and how often each domain comes up.
"""

from __future__ import annotations

from . import city, countryside, economy, government, welfare
from .problem import Problem

__all__ = ["DOMAIN_WEIGHTS", "POLICIES", "THEMES", "Problem"]

THEMES: dict[str, tuple[Problem, ...]] = {
    **city.THEMES,
    **economy.THEMES,
    **welfare.THEMES,
    **countryside.THEMES,
    **government.THEMES,
}

# Laws and regulations a reply may cite, per first-level domain.
POLICIES: dict[str, tuple[str, ...]] = {
    "城乡建设": (
        "《物业管理条例》",
        "《城市房地产开发经营管理条例》",
        "《城镇排水与污水处理条例》",
    ),
    "环境保护": (
        "《中华人民共和国大气污染防治法》",
        "《中华人民共和国水污染防治法》",
        "《中华人民共和国噪声污染防治法》",
    ),
    "交通运输": ("《中华人民共和国道路交通安全法》", "《公路安全保护条例》"),
    "经济管理": (
        "《中华人民共和国食品安全法》",
        "《保障中小企业款项支付条例》",
        "《优化营商环境条例》",
        "《防范和处置非法集资条例》",
    ),
    "商贸旅游": ("《中华人民共和国消费者权益保护法》", "《中华人民共和国旅游法》"),
    "卫生计生": ("《医疗保障基金使用监督管理条例》", "《医疗机构管理条例》"),
    "教育文体": ("《中华人民共和国义务教育法》", "《中华人民共和国教师法》"),
    "劳动和社会保障": (
        "《保障农民工工资支付条例》",
        "《中华人民共和国劳动合同法》",
        "《工伤保险条例》",
        "《中华人民共和国社会保险法》",
    ),
    "民政": ("《社会救助暂行办法》", "《中华人民共和国老年人权益保障法》", "《殡葬管理条例》"),
    "政法": (
        "《中华人民共和国治安管理处罚法》",
        "《中华人民共和国反电信网络诈骗法》",
        "《中华人民共和国消防法》",
    ),
    "农村农业": ("《中华人民共和国农村土地承包法》", "《中华人民共和国土地管理法》"),
    "国土资源": ("《中华人民共和国土地管理法》", "《不动产登记暂行条例》", "《地质灾害防治条例》"),
    "科技与信息产业": ("《中华人民共和国电信条例》", "《快递暂行条例》"),
    "党务政务": ("《优化营商环境条例》", "《中华人民共和国政府信息公开条例》"),
    "纪检监察": ("《中国共产党纪律处分条例》",),
}

# How often each domain comes up, roughly as on real boards: housing and the city first.
DOMAIN_WEIGHTS: dict[str, int] = {
    "城乡建设": 20,
    "劳动和社会保障": 11,
    "教育文体": 10,
    "交通运输": 9,
    "环境保护": 8,
    "卫生计生": 7,
    "政法": 6,
    "农村农业": 6,
    "商贸旅游": 5,
    "经济管理": 5,
    "民政": 5,
    "国土资源": 4,
    "科技与信息产业": 3,
    "党务政务": 3,
    "纪检监察": 2,
}
