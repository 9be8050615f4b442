"""Domain cue lexicon: phrases citizens use for a *concept*, shared across intents.

A cue fires a feature ``cue:<concept>``; the classifier learns how much each concept says
about each intent, so a cue helps even when the training examples never used that exact
phrase (带什么 / 要啥 / 准备哪些 -> materials). Concepts are generic to government service
conversations (Mandarin plus common Cantonese and colloquial forms); they are matched on
normalised (Simplified, half-width, lower-case) text. Nothing here names an intent.
Phrases are written space-separated, one string per concept.
"""

from __future__ import annotations

import re

_CUE_TEXT: dict[str, str] = {
    "materials": (
        "清单 啥证件 什么证件 材料 资料 带什么 带啥 带哪些 要带 要啥 需要什么 准备什么 准备啥 "
        "准备哪些 提交什么 交什么 证件 复印件 原件 照片 回执 要哪些 手续 需要提供 提供什么 带齐 "
        "拎咩 带咩"
    ),
    "fee": (
        "多收 收多少 几多钱 免费吗 贵 多少钱 几多钱 几钱 收费 费用 要钱 花钱 价格 价钱 免费 "
        "工本费 交钱 付款 缴费 几块 多少元 贵不贵 贵吗 钱 收钱 要不要钱 掏钱 支付"
    ),
    "duration": (
        "几日 赶得上 来得及 多耐 几个月 多久 多长时间 几天 几个工作日 几周 时限 多快 快吗 要等 "
        "等多久 几时 什么时候能 啥时候能 多少天 当天 加急 几耐 周期 拿到 出证 下证 慢"
    ),
    "location": (
        "在哪 哪里 哪儿 地址 地点 位置 怎么走 怎么去 哪个大厅 哪个窗口 边度 去哪 哪办 "
        "在什么地方 附近 最近的 导航 哪个区 就近 坐地铁 搬哪"
    ),
    "hours": (
        "几点 上班 下班 开门 关门 营业 办公时间 工作时间 周末 周六 周日 星期六 星期天 节假日 "
        "午休 中午 晚上 开放时间 开不开 休息 放假 几时开 延时"
    ),
    "conditions": (
        "条件 资格 能不能办 可不可以办 能办吗 可以办吗 符合 要求 满足 够不够 有没有资格 能申请 "
        "可以申请 能不能申请 限制 非户籍 外地人 外地户口 未成年 满多少 门槛 得唔得 允许"
    ),
    "process": (
        "几步 环节 手把手 教我 怎么弄 咋弄 咋整 怎么整 流程 步骤 程序 怎么办 咋办 如何办 怎么弄 "
        "怎么申请 如何申请 怎么操作 办理方法 第一步 先干嘛 先做什么 点样办 点办 怎么搞 怎样办 "
        "具体怎么 办理流程 怎么走流程"
    ),
    "online": (
        "在线 入口 网页 电子版 远程 网上 线上 网站 手机上 手机办 小程序 公众号 app i深圳 粤省事 "
        "粤商通 不用跑 不出门 在家办 电脑 链接 网址 官网 上网 网办 掌上 在线办 自助机"
    ),
    "progress": (
        "进度 到哪一步 办到哪 办得怎么样 办好了没 好了没 批了没 审批 审核 结果 状态 受理 查一下 "
        "查下 查询 编号 业务号 受理号 回执号 怎么还没 还没好 卡在 有消息 进展"
    ),
    "subscribe": (
        "接收 提示我 通知下我 更新 订阅 通知我 提醒我 告诉我一声 发短信给我 推送 有进展 "
        "第一时间 提醒 关注 通知一下 短信通知 跟进 及时告诉"
    ),
    "unsubscribe": (
        "关了 关掉 关闭 不想再收 不想收 不用再通知 不用通知 别提醒 退订 取消订阅 取消通知 "
        "不要再发 别发 别再发 不要发 关闭通知 关掉提醒 停止推送 不想收到 不再接收 td 骚扰 "
        "取消提醒 唔好再发"
    ),
    "complaint": (
        "气人 生气 离谱 过分 坑 投诉 举报 态度差 态度恶劣 不满 差劲 太慢 推诿 刁难 乱收费 "
        "不作为 不负责 气死 反映问题 反映 意见 太差 敷衍 踢皮球 拖 垃圾 搞什么"
    ),
    "human": (
        "人工 真人 客服 坐席 接线员 工作人员 转接 找人 活人 人来 人工服务 转人工 跟人说 打电话"
    ),
    "rating": (
        "评价 打分 好评 差评 满意 不满意 五星 一星 几星 星 评分 分 服务很好 给个赞 点赞 体验"
    ),
    "greeting": (
        "你好 您好 在吗 在么 有人吗 hi hello hey 早上好 下午好 晚上好 哈喽 嗨 喂 早安 午安 早晨"
    ),
    "farewell": ("再见 拜拜 bye 88 886 回见 下次 挂了 先这样 走了 白白 再会 拜"),
    "gratitude": ("谢谢 感谢 多谢 谢了 thx thanks thank 辛苦 唔该 麻烦晒 感激 谢啦 谢"),
    "yes": (
        "冇错 系呀 啱 对头 要得 好嘞 嗯呐 是的 对的 没错 好的 可以 行 嗯 对 是 ok 好 确认 "
        "没问题 要的 系 得 中 妥 yes 嗯嗯 当然"
    ),
    "no": (
        "没必要 不必 甭 免了 唔好 冇 不需要了 nah nope 不是 不对 不用 不要 没有 算了 不了 不行 "
        "错了 no 唔系 唔使 唔要 不需要 别 否 没 不"
    ),
    "question": ("吗 么 呢 ? 啥 什么 怎么 咋 哪 几 多少 能否 是否 有没有 可不可以 咩 乜 点样 边"),
}
CUES: dict[str, tuple[str, ...]] = {k: tuple(v.split()) for k, v in _CUE_TEXT.items()}

_PATTERNS: dict[str, re.Pattern[str]] = {
    concept: re.compile("|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True)))
    for concept, phrases in CUES.items()
}


def cue_features(norm: str) -> dict[str, float]:
    """``cue:<concept>`` -> number of cue phrases found (dampened), on normalised text."""
    found: dict[str, float] = {}
    for concept, pattern in _PATTERNS.items():
        hits = pattern.findall(norm)
        if hits:
            found[f"cue:{concept}"] = 1.0 if len(hits) == 1 else 1.5
            # The longest hit carries more evidence than a one-character one.
            if max(len(h) for h in hits) >= 2:
                found[f"cue2:{concept}"] = 1.0
    return found
