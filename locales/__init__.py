"""The gettext catalogs (``<lang>/LC_MESSAGES/messages.po``), a package only so that a built
wheel installs them next to ``bot``; bot/i18n.py finds and loads them."""
