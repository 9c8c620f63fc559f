"""Labelled cases for personal-data detection.

Each case is message text in which every expected hit is written as ``[[kind:value]]``; a case
without brackets must produce no hit at all. Contexts imitate the shared data set, whose own
numbers are already anonymised (0000-00000000, *****************): those placeholders are here as
tricky non-hits. ID and card numbers were generated for these tests (valid check digits where
they are hits, deliberately wrong ones where they are not).
"""

from __future__ import annotations

import re

CASES: list[str] = [
    # --- mobile numbers ---
    "我的电话是[[mobile:13812345678]]，请尽快联系。",
    "联系电话：[[mobile:159 0731 1234]]（白天）",
    "手机[[mobile:186-7316-5432]]，王先生",
    "如有疑问请拨打[[mobile:+86 13912345678]]",
    "本人手机号[[mobile:8618673165432]]，微信同号",
    "请回电[[mobile:0086 17788889999]]。",
    "联系人：李女士 [[mobile:13087654321]]",
    "张师傅（[[mobile:16612345678]]）已经上门三次",
    "电话:[[mobile:14712345678]],谢谢",
    "投诉人刘某，联系方式[[mobile:19912345678]]。",
    "号码[[mobile:１３８１２３４５６７８]]是全角输入的",
    "请联系[[mobile:13812345678]]或[[mobile:13987654321]]",
    "物业经理电话[[mobile:15874123456]]一直打不通",
    "他给我发短信的号码是[[mobile:18874561230]]，威胁我",
    "[[mobile:13574185296]]是我的手机",
    "手机号码[[mobile:+86-138-1234-5678]]。",
    "TEL:[[mobile:15111112222]]",
    "反映人：何女士（电话：[[mobile:18975312468]]）2019.4.13",
    "王某，[[mobile:13307318888]]，A3区某小区",
    "我们已多次拨打[[mobile:17673198765]]，无人接听",
    # mobile non-hits
    "投诉电话12345和12319都打过了",
    "拨打10086查询话费",
    "已masked的号码138****5678请勿再处理",
    "号码是 138 **** 5678",
    "订单号138123456789，金额不对",
    "编号1381234567的文件",
    "共计13812345678元的工程款至今未到位",
    "工程总额13812345678.5",
    "卡号前缀12345678901无效",
    "流水号DD13812345678请核实",
    "本人电话*****************，请回复",
    "第一期13812345678万元",
    # --- landlines ---
    "咨询电话[[landline:0731-84567890]]",
    "请拨打[[landline:(0731)84567890]]联系办公室",
    "区政府值班室[[landline:0731-2345678]]",
    "北京总部电话[[landline:010-62345678]]",
    "上海分公司[[landline:021 54321234]]",
    "深圳[[landline:(0755)86541234]]",
    "热线[[landline:0731-88888888]]",
    "办公电话：[[landline:0746-8234567]]。",
    "物业电话[[landline:0731——84567890]]",
    "服务台[[landline:073184567890]]已经停机",
    "请致电[[landline:0731-84567890-8021]]转人事科",
    "举报电话[[landline:０７３１-８４５６７８９０]]",
    "房管局[[landline:0731-85123456]]和街道[[landline:0731-85654321]]都推诿",
    "我打了[[landline:0739-5234567]]很多次",
    "咨询[[landline:020-38234567]]，没有结果",
    # landline non-hits
    "通过电话联系（0000-00000000）材料转至林业局",
    "联系电话：0731-0000-00000000进一步咨询",
    "(电话:0731——0000-00000000现在电话处于停止",
    "国际中心a座，0731-0000-00000000/0000-00",
    "房产证（千房字第0000-00000000）",
    "楚icp备0000-00000000号",
    "qq号: 0000-00000000",
    "编号0000-00000000，实施编码000",
    "2020-03-15提交的材料",
    "时间：2019-04-25 09:32:09",
    "案号(2019)湘0102民初1234号",
    "文号长发﹝2019﹞2号",
    "服务热线12319/0000-00000000",
    "电话0731-1234567是空号",
    "拨打0731-0234567也不行",
    "比分0731-88，地址",
    "400-888-1234是全国客服",
    "邮编410001，地址A市A1区",
    # --- ID numbers ---
    "身份证号[[id_card:430102199003071234]]，户籍在A市",
    "我的身份证是[[id_card:110105198512120452]]",
    "证件号码：[[id_card:440304200101018884]]。",
    "父亲（[[id_card:430124196808150030]]）已去世",
    "身份证号码[[id_card:51010719991231002X]]",
    "身份证号码[[id_card:51010719991231002x]]小写x",
    "申请人[[id_card:430602195501011014]]，男",
    "身份证：[[id_card:430102199003071234]]，电话：[[mobile:13812345678]]",
    "老身份证[[id_card:430102900307123]]还能用吗",
    "身份证号 [[id_card:110105851212045]]",
    # ID non-hits
    # issue #11: masked by shape, whatever the check digit
    "身份证号[[id_card:430102199003071257]]（校验位不对）",
    "身份证[[id_card:110105198512120453]]",
    "编号320582197702293003",
    "单号430102199013071234",
    "编号990102199003071234",
    "身份证号码：*****************，M市M1区",
    "订单号430102900307123",
    "流水号110105851212045，已受理",
    "网办业务流水号：20190412000123456还请帮忙",
    "4301****1234",
    "身份证号4301***********234",
    # --- bank cards ---
    "工资卡号[[bank_card:6222020928159013962]]",
    "请打入[[bank_card:6217001341252427316]]",
    "农行卡[[bank_card:6228480083740718818]]，户名张三",
    "信用卡[[bank_card:4392740931925449]]被盗刷",
    "卡号[[bank_card:5187206797016877]]",
    "中行老卡[[bank_card:6013125328704655721]]",
    "工行[[bank_card:9558803606071043195]]",
    "[[bank_card:6225 8838 8317 0107]]是我的卡",
    "账号：[[bank_card:6222-0209-2815-9013-962]]",
    "银行卡号[[bank_card:202020340930565294]]（社保卡）",
    "退款打到[[bank_card:６２２５８８３８８３１７０１０７]]",
    # bank card non-hits
    "订单号202020340930565294已完成",
    "卡号[[bank_card:6222021307871616828]]（号码错了一位）",
    "订单号202012646446049566",
    "会员卡[[bank_card:6217053663062611]]",
    "共计6222020928159013962元",
    "订单号2020031512345678901234",
    "6222********1234",
    "卡号：6222 **** **** 0107",
    "物流单号 SF1234567890123",
    "交易单号T202003151234567890",
    # --- e-mail ---
    "邮箱[[email:zhangsan@163.com]]",
    "发到[[email:li.si_88@qq.com]]即可",
    "请回复[[email:wang-wu+news@gmail.com]]。",
    "单位邮箱：[[email:xinfang@mail.hunan.gov.cn]]",
    "QQ邮箱[[email:12345678@qq.com]]",
    "我的139邮箱是[[email:13812345678@139.com]]",
    "Email: [[email:Zhao.Liu@Example.COM]]",
    "邮箱（[[email:a1@b2.cn]]）",
    "请把材料寄给[[email:xfb2019@126.com]]，谢谢",
    # e-mail non-hits
    "邮箱a***@qq.com，已脱敏",
    "@市长 请关注",
    "微博@A市发布 没有回应",
    "联系xx@xx就行",
    "user@localhost",
    "电邮：*****@163.com",
    "网址http://www.hunan.gov.cn/",
    # --- licence plates ---
    "车牌号[[plate:湘A12345]]的车长期占用消防通道",
    "新能源车[[plate:湘AD12345]]",
    "货车[[plate:湘A12345F]]乱停",
    "车牌[[plate:湘A·B1234]]",
    "[[plate:粤B 8K123]]在小区门口",
    "[[plate:京N12345]]撞了人就跑",
    "教练车[[plate:湘A1234学]]",
    "一辆[[plate:湘AF12345]]白色轿车",
    "车牌号为[[plate:湘K88888]]的渣土车",
    "车牌[[plate:湘A-5B123]]",
    "我的车[[plate:湘Ｃ12345]]被拖走",
    "[[plate:湘A12345]]和[[plate:湘A54321]]两辆车",
    # plate non-hits
    "湘A市A1区",
    "湘AB区",
    "湘A1区教育局",
    "湘A12号文件",
    "湘A123456789",
    "湘ABCDE",
    "湘A****5",
    "湘I12345",
    "湘a12345",
    # --- passports, social security, addresses (issue #11) ---
    "护照号[[passport:E12345678]]已过期",
    "我的护照号码[[passport:EA1234567]]",
    "旧护照[[passport:G12345678]]",
    "港澳通行证[[passport:C12345678]]丢失",
    "社保号：[[social_security:1234567890]]",
    "社会保障号码[[social_security:A12345678]]",
    "家住枫林三路[[address:88号3栋502室]]",
    "丽景小区[[address:5栋2单元301]]的住户",
    "芙蓉中路二段[[address:100号12号楼]]",
    # non-hits
    "地铁3号线2号出口",
    "湘政发〔2019〕12号文件",
    "三室一厅的房子",
    "3月15号下午",
    # --- mixed and general non-hits ---
    "张三，[[mobile:13812345678]]，[[email:zhangsan@163.com]]，车牌[[plate:湘A12345]]",
    "本人[[id_card:430102199003071234]]，卡号[[bank_card:6222020928159013962]]",
    "累计成交额0000-00000000元",
    "2020年03月15日",
    "20200315",
    "12345678元",
    "欠款共计1234567.89元",
    "身高178cm，体重68kg",
    "面积138平方米",
    "版本1.3.8",
    "IP地址192.168.1.100",
    "2019.4.13",
    "第1381234号文件",
    "学号20190731045",
    "准考证号201907310451234",
    "工号：12345678",
    "一米阳光婚纱艺术摄影",
    "A市A3区联丰路米兰春天[[address:G2栋320]]",
    "占地12345678平方米",
    "交了3800元，回报381万",
]

_MARK = re.compile(r"\[\[(?P<kind>[a-z_]+):(?P<value>.*?)\]\]")


def parse_case(case: str) -> tuple[str, list[tuple[str, int, int]]]:
    """Plain text and expected (kind, start, end) spans of one marked-up case."""
    text_parts: list[str] = []
    spans: list[tuple[str, int, int]] = []
    cursor = 0
    length = 0
    for m in _MARK.finditer(case):
        before = case[cursor : m.start()]
        text_parts.append(before)
        length += len(before)
        value = m.group("value")
        spans.append((m.group("kind"), length, length + len(value)))
        text_parts.append(value)
        length += len(value)
        cursor = m.end()
    text_parts.append(case[cursor:])
    return "".join(text_parts), spans


def labelled_cases() -> list[tuple[str, list[tuple[str, int, int]]]]:
    return [parse_case(case) for case in CASES]
