#!/bin/sh
# Migrate before serving, so a new image never runs against an old schema.
set -e
python manage.py migrate --noinput
# On a first start, fill an empty hub with the starter content; never load over editors' work.
if [ "${HUB_LOAD_CONTENT:-0}" = "1" ]; then
  python manage.py load_content --if-empty
fi
exec "$@"
