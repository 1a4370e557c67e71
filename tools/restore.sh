#!/usr/bin/env bash
# Restore Maeul's database from tools/backup.sh's file: tools/restore.sh FILE [--yes]
#
# REPLACES what the database at DATABASE_URL holds. Stop every `maeul run` and
# `maeul reminders run` first (systemctl stop 'maeul@*' maeul-reminders). PostgreSQL: the
# dump's tables are dropped and recreated in one transaction (pg_restore --clean
# --single-transaction): a failed restore leaves the database as it was. SQLite: the file is
# replaced (the old one is kept as FILE.before-restore).
#
# Without --yes it asks, on a terminal, for the database's name; without a terminal it
# refuses. Afterwards: `maeul db upgrade` (a dump from an older release), start the bot,
# and for an assembly check `maeul assembly audit ID` (needs the same BALLOT_SECRET).
set -euo pipefail
# shellcheck source=tools/database-url.sh
source "$(dirname "${BASH_SOURCE[0]}")/database-url.sh"

file="${1:-}"
yes="${2:-}"
if [[ -z "$file" || ! -f "$file" ]]; then
    echo "usage: tools/restore.sh BACKUP_FILE [--yes]" >&2
    exit 2
fi
url="$(database_url restore)"
name="${url##*/}"
name="${name%%\?*}"
if [[ "$yes" != "--yes" ]]; then
    if [[ ! -t 0 ]]; then
        echo "restore: this replaces the database $name; run with --yes to confirm" >&2
        exit 2
    fi
    read -r -p "This replaces everything in $name. Type its name to go on: " answer
    if [[ "$answer" != "$name" ]]; then
        echo "restore: cancelled" >&2
        exit 1
    fi
fi

case "$url" in
postgresql+asyncpg://* | postgresql://* | postgres://*)
    pg_url="postgresql://${url#*://}"
    pg_restore --clean --if-exists --no-owner --no-privileges --single-transaction \
        --exit-on-error --dbname="$pg_url" "$file"
    ;;
sqlite+aiosqlite:///*)
    db="${url#sqlite+aiosqlite:///}"
    if [[ -f "$db" ]]; then
        cp -p "$db" "$db.before-restore"
    fi
    rm -f "$db-wal" "$db-shm"
    cp "$file" "$db.restoring"
    mv "$db.restoring" "$db"
    ;;
*)
    echo "restore: unsupported DATABASE_URL" >&2
    exit 2
    ;;
esac
echo "restored $file into $name"
