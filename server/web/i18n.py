"""Texts of the review UI in Chinese (default) and English.

Templates call ``t("key")``; a key missing in a language falls back to English, then to
the key itself, so a forgotten translation shows up as readable text, never as an error.
"""

from __future__ import annotations

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"

_EN: dict[str, str] = {
    "app": "Streetwatch case review",
    "login": "Log in",
    "logout": "Log out",
    "user": "User name",
    "password": "Password",
    "login_failed": "Wrong user name or password.",
    "login_locked": "Too many failed logins for this user; try again in 15 minutes.",
    "login_expired": "Your session has ended; please log in again.",
    "queue": "Review queue",
    "cases": "Cases",
    "devices": "Devices",
    "kpis": "KPIs",
    "tuning": "Tuning",
    "target_precision": "Target precision",
    "show": "Show",
    "tuning_help": (
        "From operator verdicts on cases (filed or later = true, rejected as a false "
        "positive = false) and on judged near-miss samples (at their confidence). Devices "
        "send only a share of their near misses as samples and do not say how large, so "
        "each sample counts once: the case volume below the threshold the samples were "
        "drawn at is a lower bound."
    ),
    "samples": "Samples",
    "samples_pending": "Awaiting a verdict",
    "samples_judged": "Judged",
    "samples_help": (
        "Near misses: tracks that scored between the class's minimum score and its "
        "confirmation threshold, a share of which the devices send for tuning. They make "
        "no case; your verdict is used by the tuning page at the sample's confidence."
    ),
    "samples_empty": "No samples here.",
    "sample_keys_help": "Keys: j/k move · c real violation · r not a violation",
    "verdict": "Verdict",
    "verdict_true": "Real violation",
    "verdict_false": "Not a violation",
    "of_them_samples": "of them samples",
    "pushed": "Pushed",
    "verdicts": "verdicts",
    "current_threshold": "Current threshold",
    "precision": "Precision",
    "volume": "Cases",
    "suggested": "Suggested threshold",
    "apply_threshold": "Apply to all devices",
    "no_suggestion": "No threshold reaches the target precision with these verdicts.",
    "plot_legend": "Bars: cases kept; red line: precision; dashed: current; solid: suggested.",
    "true_positives": "True",
    "no_verdicts": "No decided cases or judged samples yet.",
    "by_device": "By device",
    "pushed_version": "Pushed",
    "newest": "Newest first",
    "sighted": "Most sighted first",
    "keys_help": "Keys: j/k move · c confirm (立案) · r reject as false positive · o open",
    "queue_empty": "Nothing to review.",
    "case": "Case",
    "code": "Code",
    "class": "Class",
    "status": "Status",
    "grid": "Grid",
    "department": "Department",
    "sightings": "Sightings",
    "events": "Events",
    "evidence": "Evidence",
    "first_seen": "First seen",
    "last_seen": "Last seen",
    "reported_at": "Reported",
    "deadline": "Deadline",
    "overdue": "Overdue",
    "location": "Location",
    "device": "Device",
    "model": "Model",
    "camera": "Camera",
    "confidence": "Confidence",
    "threshold": "Threshold",
    "config_version": "Config version",
    "timeline": "Timeline",
    "audit": "Audit trail",
    "actions": "Actions",
    "confirm": "Confirm (立案)",
    "reject": "Reject",
    "reason": "Reason",
    "note": "Note",
    "merge": "Merge into case",
    "merge_target": "Target case id",
    "dispatch": "Dispatch",
    "dispatch_auto": "by the rules",
    "handle": "Mark handled",
    "close": "Close (结案)",
    "reopen_note": "A closed case reopens by itself when the violation is seen again.",
    "read_only": "Your role can read cases but not change them.",
    "no_actions": "No action is possible in this status.",
    "frame": "Frame with box",
    "crop": "Crop",
    "no_evidence": "No evidence image stored.",
    "mismatch": "Evidence did not match its hash",
    "open": "Open",
    "filter": "Filter",
    "search": "Search case id, device or grid",
    "all": "All",
    "since": "Since",
    "until": "Until",
    "total": "total",
    "prev": "Previous",
    "next": "Next",
    "online": "Online",
    "offline": "Offline",
    "heartbeat": "Last heartbeat",
    "outbox": "Outbox depth",
    "software": "Software",
    "enabled": "Enabled",
    "registered": "Registered",
    "name": "Name",
    "never": "never",
    "period": "Period",
    "reported": "Reported",
    "filing_rate": "Filing rate (立案率)",
    "handling_rate": "Handling rate (处置率)",
    "closing_rate": "Closing rate (结案率)",
    "median_dispatch": "Median time to dispatch",
    "median_close": "Median time to close",
    "open_now": "Open now",
    "overdue_now": "Overdue now",
    "by_class": "Cases by class",
    "by_grid": "Cases by grid",
    "by_day": "Cases by day",
    "fp_by_class": "False-positive rate by class",
    "fp_by_device": "False-positive rate by device",
    "no_data": "No data in this period.",
    "done": "Done",
    "action_failed": "Not done",
    "map_plain": "Points on a plain grid (no map tiles configured)",
    "outside_grids": "outside every grid",
    "lang": "中文",
    "linked": "Linked cases",
    "taxonomy": "Taxonomy",
}

_ZH: dict[str, str] = {
    "app": "街巡 · 案件审核",
    "login": "登录",
    "logout": "退出",
    "user": "用户名",
    "password": "密码",
    "login_failed": "用户名或密码错误。",
    "login_locked": "该用户登录失败次数过多，请 15 分钟后再试。",
    "login_expired": "登录已过期，请重新登录。",
    "queue": "待审队列",
    "cases": "案件",
    "devices": "设备",
    "kpis": "考核指标",
    "tuning": "阈值调优",
    "target_precision": "目标准确率",
    "show": "查看",
    "tuning_help": (
        "依据案件审核结论（立案及之后 = 正确，误报注销 = 错误）和已审核的近阈值样本（按其置信度）。"
        "设备只上传部分近阈值目标作为样本且未注明比例，每个样本只计一次："
        "低于样本采集时阈值的案件数为下限。"
    ),
    "samples": "近阈值样本",
    "samples_pending": "待审核",
    "samples_judged": "已审核",
    "samples_help": (
        "近阈值样本：得分介于类别最低分与确认阈值之间的目标，设备按比例抽取上传用于调优。"
        "样本不生成案件；您的结论按样本置信度计入阈值调优。"
    ),
    "samples_empty": "暂无样本。",
    "sample_keys_help": "快捷键：j/k 上下 · c 确属违规 · r 不属违规",
    "verdict": "结论",
    "verdict_true": "确属违规",
    "verdict_false": "不属违规",
    "of_them_samples": "其中样本",
    "pushed": "已下发",
    "verdicts": "条结论",
    "current_threshold": "当前阈值",
    "precision": "准确率",
    "volume": "案件数",
    "suggested": "建议阈值",
    "apply_threshold": "下发到全部设备",
    "no_suggestion": "按现有结论，没有阈值能达到目标准确率。",
    "plot_legend": "柱：保留的案件数；红线：准确率；虚线：当前阈值；实线：建议阈值。",
    "true_positives": "正确",
    "no_verdicts": "尚无已审核的案件或样本。",
    "by_device": "按设备",
    "pushed_version": "已下发版本",
    "newest": "最新优先",
    "sighted": "发现次数优先",
    "keys_help": "快捷键：j/k 上下 · c 立案 · r 误报注销 · o 打开",
    "queue_empty": "暂无待审案件。",
    "case": "案件",
    "code": "案件小类",
    "class": "识别类别",
    "status": "状态",
    "grid": "网格",
    "department": "处置部门",
    "sightings": "发现次数",
    "events": "事件",
    "evidence": "证据",
    "first_seen": "首次发现",
    "last_seen": "最近发现",
    "reported_at": "上报时间",
    "deadline": "处置时限",
    "overdue": "超时",
    "location": "位置",
    "device": "设备",
    "model": "模型",
    "camera": "摄像头",
    "confidence": "置信度",
    "threshold": "阈值",
    "config_version": "配置版本",
    "timeline": "时间线",
    "audit": "操作记录",
    "actions": "操作",
    "confirm": "立案",
    "reject": "注销",
    "reason": "原因",
    "note": "备注",
    "merge": "合并到案件",
    "merge_target": "目标案件号",
    "dispatch": "派遣",
    "dispatch_auto": "按规则",
    "handle": "处置完毕",
    "close": "核查结案",
    "reopen_note": "已结案件再次发现时会自动复发。",
    "read_only": "您的角色只能查看案件，不能操作。",
    "no_actions": "当前状态无可用操作。",
    "frame": "全景（含框）",
    "crop": "特写",
    "no_evidence": "未存储证据图片。",
    "mismatch": "证据与哈希不符",
    "open": "打开",
    "filter": "筛选",
    "search": "搜索案件号、设备或网格",
    "all": "全部",
    "since": "起",
    "until": "止",
    "total": "共",
    "prev": "上一页",
    "next": "下一页",
    "online": "在线",
    "offline": "离线",
    "heartbeat": "最近心跳",
    "outbox": "待发队列",
    "software": "软件版本",
    "enabled": "启用",
    "registered": "已登记",
    "name": "名称",
    "never": "无",
    "period": "统计期",
    "reported": "上报",
    "filing_rate": "立案率",
    "handling_rate": "处置率",
    "closing_rate": "结案率",
    "median_dispatch": "派遣用时（中位数）",
    "median_close": "结案用时（中位数）",
    "open_now": "在办",
    "overdue_now": "超时在办",
    "by_class": "按类别",
    "by_grid": "按网格",
    "by_day": "按日",
    "fp_by_class": "误报率（按类别）",
    "fp_by_device": "误报率（按设备）",
    "no_data": "统计期内无数据。",
    "done": "已完成",
    "action_failed": "未完成",
    "map_plain": "平面网格示意（未配置地图瓦片）",
    "outside_grids": "不在任何网格内",
    "lang": "English",
    "linked": "关联案件",
    "taxonomy": "分类标准",
}

STATUS_ZH = {
    "reported": "上报",
    "filed": "立案",
    "dispatched": "派遣",
    "handled": "处置",
    "closed": "结案",
    "rejected": "注销",
    "reopened": "复发",
    "merged": "已合并",
}
REASON_ZH = {"false_positive": "误报", "permitted": "已许可", "other": "其他"}
REASON_EN = {"false_positive": "False positive", "permitted": "Permitted", "other": "Other"}
ACTION_ZH = {
    "report": "上报",
    "file": "立案",
    "reject": "注销",
    "dispatch": "派遣",
    "handle": "处置",
    "close": "结案",
    "reopen": "复发",
    "merge": "合并",
    "absorb": "并入",
    "escalate": "督办",
}
_TEXTS = {"zh": _ZH, "en": _EN}


def pick_language(value: str | None) -> str:
    """Return ``value`` if it is a supported language, else the default (zh)."""
    return value if value in LANGUAGES else DEFAULT_LANGUAGE


class Texts:
    """The texts of one language, callable from templates."""

    def __init__(self, language: str) -> None:
        self.language = pick_language(language)

    def __call__(self, key: str) -> str:
        """Return the text of ``key``."""
        return _TEXTS[self.language].get(key) or _EN.get(key) or key

    def status(self, value: str) -> str:
        """Return a case status in words."""
        return STATUS_ZH.get(value, value) if self.language == "zh" else value.capitalize()

    def reason(self, value: str | None) -> str:
        """Return a reject reason in words."""
        table = REASON_ZH if self.language == "zh" else REASON_EN
        return table.get(value or "", value or "")

    def action(self, value: str) -> str:
        """Return an audit action in words."""
        return ACTION_ZH.get(value, value) if self.language == "zh" else value.capitalize()
