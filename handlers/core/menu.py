"""The main menu: an inline keyboard of the features a resident can use."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.i18n import N_, Translator

# (callback key, label). Feature modules append their entry when they register.
MAIN_MENU: list[tuple[str, str]] = [
    ("grants", N_("📋 Grants")),
    ("events", N_("📅 Events")),
    ("faq", N_("💬 FAQ")),
    ("check", N_("✅ Which grants fit me?")),
    ("proposals", N_("🗳 Proposals")),
    ("vote", N_("🏛 Assembly votes")),
    ("subscribe", N_("🔔 Subscriptions")),
    ("mydong", N_("🏘 My dong")),
    ("language", N_("🌐 Language")),
    ("help", N_("❓ Help")),
]


def main_menu(t: Translator) -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(t._(label), callback_data=f"menu:{key}") for key, label in MAIN_MENU
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    return InlineKeyboardMarkup(rows)
