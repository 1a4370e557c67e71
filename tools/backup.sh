#!/usr/bin/env bash
# Back up Maeul's database: tools/backup.sh [OUTPUT]
#
# PostgreSQL (DATABASE_URL=postgresql+asyncpg://…): pg_dump in its custom format (compressed,
# restored with tools/restore.sh). SQLite (sqlite+aiosqlite:///FILE): a consistent copy made
# with SQLite's online backup API while the bot runs.
#
# OUTPUT defaults to maeul-YYYYmmdd-HHMMSS.dump (PostgreSQL) or .sqlite3 in BACKUP_DIR (default
# the current directory). The file is written under a temporary name and renamed when
# complete, readable by its owner only (umask 077): it holds every resident's data.
#
# NOT in the backup: BALLOT_SECRET. Without it the ballots of a vote that is not yet tallied
# cannot be opened, and the audit cannot verify any vote: back it up too, but never next to
# the database dumps (someone holding both can link voters to choices). docs/operations.md.
set -euo pipefail
# shellcheck source=tools/database-url.sh
source "$(dirname "${BASH_SOURCE[0]}")/database-url.sh"
umask 077

url="$(database_url backup)"

stamp="$(date -u +%Y%m%d-%H%M%S)"
dir="${BACKUP_DIR:-.}"

case "$url" in
postgresql+asyncpg://* | postgresql://* | postgres://*)
    out="${1:-$dir/maeul-$stamp.dump}"
    pg_url="postgresql://${url#*://}"
    pg_dump --format=custom --no-owner --no-privileges --file="$out.partial" "$pg_url"
    ;;
sqlite+aiosqlite:///*)
    out="${1:-$dir/maeul-$stamp.sqlite3}"
    db="${url#sqlite+aiosqlite:///}"
    if [[ ! -f "$db" ]]; then
        echo "backup: no SQLite database at $db" >&2
        exit 1
    fi
    python3 - "$db" "$out.partial" <<'PY'
import sqlite3, sys
source, target = sqlite3.connect(sys.argv[1]), sqlite3.connect(sys.argv[2])
with target:
    source.backup(target)
target.close(); source.close()
PY
    ;;
*)
    echo "backup: unsupported DATABASE_URL (expected postgresql+asyncpg:// or sqlite+aiosqlite:///)" >&2
    exit 2
    ;;
esac
mv "$out.partial" "$out"
echo "$out"
