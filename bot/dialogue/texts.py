"""Citizen-facing wording (Chinese) and the standard button sets, in one place."""

from __future__ import annotations

from bot.dialogue.rules import command_payload
from bot.messages import Button

ASSISTANT = "深圳市12345政务服务智能助手"

WELCOME = (
    f"您好，欢迎关注！我是{ASSISTANT}，7×24小时为您服务。"
    "您可以直接提问，例如“港澳通行证要带什么材料”，也可以查询办件进度、提交投诉建议。"
)
GREETING = f"您好！我是{ASSISTANT}。请问有什么可以帮您？"
CAPABILITIES = (
    "我可以帮您：查询办事指南（材料、费用、时限、地点）、查询办件进度、受理投诉建议、转人工客服。"
)
THANKS = "不客气，很高兴能帮到您！还有其他问题随时问我。"
GOODBYE = "感谢您的咨询，再见！祝您生活愉快。"
RESET = "好的，我们换个问题。请问您想咨询什么？"
CANCELLED = "好的，已取消。还有什么可以帮您？"
ANYTHING_ELSE = "好的。还有其他可以帮您的吗？"
NOT_UNDERSTOOD = "抱歉，这个问题我暂时没能理解。"
TRY_AGAIN_THEN_HUMAN = "抱歉，我还是没能理解您的问题。需要为您转接人工客服吗？"
POPULAR = "您可以试试这些热门事项："
NOT_IN_HANDOFF = "您当前没有在人工服务中，请问有什么可以帮您？"

# Clarification
CLARIFY = "您想问的是以下哪一项？"
SUGGEST = "您可能还想了解："
ASK_WHICH_SERVICE = (
    "请问您想了解哪项业务的{label}？请告诉我具体的事项名称，例如要办什么证、什么业务。"
)

# Case status
CASE_INTRO = (
    "查询办件进度需要：①办件编号（受理回执上的编号，如SZ20250301000123）；"
    "②身份验证：申请人身份证号码后6位，或办件登记的手机号码。请先发送办件编号。"
)
CASE_ASK_NO = (
    "请发送办件编号。编号在受理回执或受理短信中，如SZ20250301000123；"
    "找不到编号可回复“转人工”，或回复“取消”结束查询。"
)
CASE_BAD_NO = "办件编号格式不正确：应为2位字母加14位数字，如SZ20250301000123。请核对后重新发送。"
CASE_ASK_SECRET = (
    "为保护您的隐私，请提供申请人身份证号码后6位，或办件登记的手机号码，用于身份验证。"
)
CASE_BAD_SECRET = "验证信息格式不正确：请发送身份证号码后6位（如12345X）或11位手机号码。"
CASE_BAD_ID = "您输入的身份证号码似乎有误（校验不通过），请核对。也可以只发送身份证号码后6位。"
CASE_FAILED = "办件编号或验证信息不正确，无法查询。请核对后重新发送验证信息（还可尝试{left}次）。"
CASE_LOCKED = (
    "验证失败次数过多，为保护信息安全，该办件暂停查询{minutes}分钟。"
    "如需帮助，可回复“转人工”或拨打12345热线。"
)
CASE_SUBSCRIBE_OFFER = "需要订阅该办件的进度提醒吗？状态变化时会通过当前渠道通知您。"

# Subscriptions
SUBSCRIBED = (
    "已为您订阅办件{case_no}的进度提醒，状态有变化时会通过当前渠道通知您。"
    "回复“取消订阅”可随时退订。"
)
ALREADY_SUBSCRIBED = "您已订阅办件{case_no}的进度提醒，无需重复订阅。"
SUBSCRIBE_NEEDS_CASE = "订阅进度提醒前需要先核验办件。"
NO_SUBSCRIPTIONS = "您在当前渠道没有订阅任何办件进度提醒。"
UNSUBSCRIBED = "已取消办件{case_nos}的进度提醒。"
UNSUBSCRIBE_WHICH = "您订阅了以下办件的进度提醒，请选择要取消的："
NOT_SUBSCRIBED = "您没有订阅办件{case_no}的进度提醒。"

# Complaints
COMPLAINT_ASK_WHAT = "好的，我来帮您登记投诉建议。请描述一下发生了什么（时间、事项、具体情况）。"
COMPLAINT_ASK_WHERE = "问题发生在哪里？请告诉我所在区和具体地址，如“南山区科技园某某路”。"
COMPLAINT_ASK_CONTACT = "方便留个手机号码吗？处理结果会及时反馈给您。不方便留请回复“跳过”。"
COMPLAINT_BAD_CONTACT = "手机号码格式不正确，请发送11位手机号码，或回复“跳过”。"
COMPLAINT_DONE = "已为您登记投诉建议，工单号：{ticket_no}。相关部门将在5个工作日内处理，{follow_up}"
COMPLAINT_FOLLOW_CONTACT = "处理结果将反馈至{contact}。"
COMPLAINT_FOLLOW_NONE = "您可凭工单号通过12345热线查询处理进度。"

# Handoff
HANDOFF_STARTED = (
    "正在为您转接人工客服，工单号：{ticket_no}。客服接入前请稍候，您可以直接发送问题描述。"
    "回复“结束人工”可随时返回智能助手。"
)
HANDOFF_ENDED = "已结束人工服务，欢迎继续向智能助手提问。"
HANDOFF_OFF_HOURS = "您的转人工请求已收到。现在是非人工服务时间（人工客服服务时间：{hours}）。"
HANDOFF_NO_AGENT = "您的转人工请求已收到，但当前人工客服繁忙，暂无空闲坐席。"
HANDOFF_OFFER = "您可以留言建单，或预约工作人员回电："
MESSAGE_ASK = "请简要描述您要咨询的问题，工作人员会在服务时间内处理并回复您。"
MESSAGE_DONE = "已为您登记留言，工单号：{ticket_no}。工作人员将在服务时间内回复您。"
CALLBACK_ASK = "请留下您的手机号码，工作人员将在服务时间（{hours}）内给您回电。"
CALLBACK_BAD = "手机号码格式不正确，请发送11位手机号码（如13812345678）。"
CALLBACK_DONE = (
    "已为您预约回电，工单号：{ticket_no}。工作人员将在服务时间内致电{phone}，请保持电话畅通。"
)

# Rating
RATING_ASK = "请您对本次服务进行评价："
RATING_REASK = "请选择1-5中的一项评价（1为非常满意，5为非常不满意），或回复“跳过”。"
RATING_COMMENT = "感谢您的评价！还有什么意见或建议吗？可直接回复，不需要请回复“跳过”。"
RATING_COMMENT_SORRY = "很抱歉没能让您满意。能说说哪里需要改进吗？可直接回复，不需要请回复“跳过”。"
RATING_DONE = "感谢您的评价，我们会持续改进服务！"
RATING_SKIPPED = "好的，感谢您的使用！"

# Rating options in display order: "1" is 非常满意 (stored score 5).
RATING_OPTIONS: tuple[tuple[str, int], ...] = (
    ("非常满意", 5),
    ("满意", 4),
    ("基本满意", 3),
    ("不满意", 2),
    ("非常不满意", 1),
)


def menu_buttons() -> tuple[Button, ...]:
    return (
        Button("查办件进度", command_payload("query_case_status")),
        Button("投诉建议", command_payload("complaint")),
        Button("转人工", command_payload("request_human")),
    )


def yes_no_buttons(yes: str = "好的", no: str = "不用了") -> tuple[Button, ...]:
    return (Button(yes, command_payload("affirm")), Button(no, command_payload("deny")))


def rating_buttons() -> tuple[Button, ...]:
    return tuple(
        Button(title, command_payload("rate", score=score)) for title, score in RATING_OPTIONS
    )


def handoff_offer_buttons() -> tuple[Button, ...]:
    return (
        Button("留言建单", command_payload("handoff_option", mode="message")),
        Button("预约回电", command_payload("handoff_option", mode="callback")),
        Button("返回智能助手", command_payload("handoff_option", mode="back")),
    )


def mask_phone(phone: str) -> str:
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) == 11 else phone
