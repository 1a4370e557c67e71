"""The baseline: a bare PTB bot that echoes every text, no database, no persistence.

``ECHO_CONCURRENT_UPDATES`` (default 64, Maeul's ``CONCURRENT_UPDATES``) is PTB's
``concurrent_updates``: with a Bot API round trip of 50 ms, a bot that handles one update
at a time cannot answer more than 20 a second whatever it does, so the baseline handles
as many updates at once as Maeul may (``1``: PTB's default, one at a time).

``ECHO_TRANSPORT`` (default ``httpx``, PTB's own): ``aiohttp`` gives the echo bot Maeul's
Bot API transport (:mod:`bot.telegram.transport`), to tell how much of Maeul ÷ echo is
the transport (``python -m bench --echo-transport aiohttp``).
"""

from __future__ import annotations

import os

from telegram import Update
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is not None:
        await message.reply_text(message.text or "")


def main() -> None:
    concurrent = int(os.environ.get("ECHO_CONCURRENT_UPDATES", "64"))
    builder = (
        ApplicationBuilder()
        .token(os.environ["BOT_TOKEN"])
        .base_url(os.environ["TELEGRAM_BASE_URL"])
        .concurrent_updates(concurrent if concurrent > 1 else False)
    )
    if os.environ.get("ECHO_TRANSPORT", "httpx") == "aiohttp":
        from bot.telegram.transport import make_request

        builder = builder.request(make_request("aiohttp", 256)).get_updates_request(
            make_request("aiohttp")
        )
    app = builder.build()
    app.add_handler(MessageHandler(filters.TEXT, echo))
    app.run_polling(poll_interval=0.0, timeout=10, allowed_updates=Update.ALL_TYPES)


if __name__ == "__main__":
    main()
