# Sourced by tools/backup.sh and tools/restore.sh (keep it beside them): the database they
# work on.
#
# database_url TOOL: prints DATABASE_URL, or else the last DATABASE_URL= line of ./.env
# (quotes dropped); without either it says so as TOOL and exits 2.
database_url() {
    local url="${DATABASE_URL:-}"
    if [[ -z "$url" && -f .env ]]; then
        url="$(sed -n 's/^DATABASE_URL=//p' .env | tail -n 1 | tr -d "\"'")"
    fi
    if [[ -z "$url" ]]; then
        echo "$1: DATABASE_URL is not set" >&2
        exit 2
    fi
    printf '%s\n' "$url"
}
