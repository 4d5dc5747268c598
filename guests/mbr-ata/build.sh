#!/usr/bin/env bash
# Builds guests/mbr-ata/disk.img with the disk-boot guest build of guests/mbr-int13/build.sh.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
exec "$HERE/../mbr-int13/build.sh" "$HERE"
