"""The sign-in e-mail in the six UN languages, and which one a reader gets (pure).

The participant page sends the language it is shown in; without it (an API client) the
request's Accept-Language decides, then the event's first language, then English. The texts
are plain data: a translator edits them here, and tests/domain/test_mail_texts.py checks that
every language has every placeholder. The message is plain text: a mail reader lays out each
line by its own script, so the Arabic lines read right to left and the link, on a line of its
own, left to right.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

LANGUAGES = ("ar", "zh", "en", "fr", "ru", "es")  # the UN's six, in its own order
DEFAULT_LANGUAGE = "en"
RTL_LANGUAGES = frozenset({"ar"})

# {title}: the event; {minutes}: how long the link lasts; {link}: the link itself.
SUBJECTS = {
    "en": "Your sign-in link: {title}",
    "fr": "Votre lien de connexion : {title}",
    "es": "Su enlace de acceso: {title}",
    "ru": "Ваша ссылка для входа: {title}",
    "zh": "您的登录链接：{title}",
    "ar": "رابط تسجيل الدخول الخاص بك: {title}",
}

BODIES = {
    "en": (
        "Someone (we hope you) asked to ask and vote in “{title}”.\n\n"
        "Open this link within {minutes} minutes to confirm; it works once:\n\n"
        "{link}\n\n"
        "If it was not you, ignore this message.\n"
    ),
    "fr": (
        "Quelqu’un (vous, espérons-le) a demandé à poser des questions et à voter dans "
        "« {title} ».\n\n"
        "Ouvrez ce lien dans les {minutes} minutes pour confirmer ; il ne sert qu’une fois :\n\n"
        "{link}\n\n"
        "Si ce n’était pas vous, ignorez ce message.\n"
    ),
    "es": (
        "Alguien (esperamos que usted) pidió preguntar y votar en «{title}».\n\n"
        "Abra este enlace en los próximos {minutes} minutos para confirmarlo; solo funciona "
        "una vez:\n\n"
        "{link}\n\n"
        "Si no fue usted, ignore este mensaje.\n"
    ),
    "ru": (
        "Кто-то (надеемся, что вы) попросил возможность задавать вопросы и голосовать "
        "в «{title}».\n\n"
        "Откройте эту ссылку в течение {minutes} минут, чтобы подтвердить; она действует "
        "один раз:\n\n"
        "{link}\n\n"
        "Если это были не вы, просто проигнорируйте это письмо.\n"
    ),
    "zh": (
        "有人（希望是您本人）申请在“{title}”中提问和投票。\n\n"
        "请在 {minutes} 分钟内打开以下链接进行确认；该链接只能使用一次：\n\n"
        "{link}\n\n"
        "如果这不是您本人的操作，请忽略此邮件。\n"
    ),
    "ar": (
        "طلب أحدهم (نأمل أن تكون أنت) طرح الأسئلة والتصويت في «{title}».\n\n"
        "افتح هذا الرابط خلال {minutes} دقيقة للتأكيد؛ لا يعمل إلا مرة واحدة:\n\n"
        "{link}\n\n"
        "إذا لم تكن أنت صاحب الطلب، فتجاهل هذه الرسالة.\n"
    ),
}


@dataclass(frozen=True)
class MailText:
    language: str
    subject: str
    body: str


def _base(tag: str) -> str:
    return tag.strip().lower().replace("_", "-").split("-")[0]


def accepted_languages(header: str | None) -> list[str]:
    """The base languages of an Accept-Language header, most wanted first (q=0 left out)."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((header or "").split(",")):
        tag, _, params = part.partition(";")
        weight = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        if _base(tag) and weight > 0:
            ranked.append((-weight, position, _base(tag)))
    return [tag for _, _, tag in sorted(ranked)]


def pick_language(
    requested: str | None, accept_language: str | None, event_languages: Sequence[str]
) -> str:
    """The page's language if it is one of the six, else the first of the six the browser
    accepts, else the event's first language if it is one, else English."""
    candidates = [requested or "", *accepted_languages(accept_language), *event_languages[:1]]
    for tag in candidates:
        if _base(tag) in LANGUAGES:
            return _base(tag)
    return DEFAULT_LANGUAGE


def sign_in_mail(language: str, *, title: str, minutes: int, link: str) -> MailText:
    """The sign-in message in `language` (one of LANGUAGES; others get English)."""
    chosen = language if language in LANGUAGES else DEFAULT_LANGUAGE
    values = {"title": title, "minutes": minutes, "link": link}
    return MailText(chosen, SUBJECTS[chosen].format(**values), BODIES[chosen].format(**values))
