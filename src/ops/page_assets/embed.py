#!/usr/bin/env python3
"""Writes the status page's files as a C source (ops_page_assets, see src/ops/page.h).

usage: embed.py OUTPUT.c FILE...
Each file becomes a byte array with a NUL after it; the content type follows the extension.
"""
import os
import sys

TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
}


def main():
    out, files = sys.argv[1], sys.argv[2:]
    lines = [
        "/* page_assets.c: the status page's files, written by src/ops/page_assets/embed.py at",
        " * build time from src/ops/page_assets/; edit those, not this. */",
        '#include "ops/page.h"',
        "",
    ]
    entries = []
    for i, path in enumerate(files):
        name = os.path.basename(path)
        ext = os.path.splitext(name)[1]
        if ext not in TYPES:
            sys.exit(f"embed.py: no content type for {name}")
        data = open(path, "rb").read()
        if b"\0" in data:
            sys.exit(f"embed.py: {name} holds a NUL byte")
        items = [str(b) for b in data + b"\0"]
        lines.append(f"static const unsigned char asset_{i}[] = {{")
        lines.extend("    " + ",".join(items[j:j + 24]) + "," for j in range(0, len(items), 24))
        lines.append("};")
        entries.append(f'    {{"{name}", "{TYPES[ext]}", (const char *)asset_{i}, '
                       f"sizeof asset_{i} - 1}},")
    lines.append("")
    lines.append("const ops_page_asset ops_page_assets[] = {")
    lines.extend(entries)
    lines.append("};")
    lines.append(f"const size_t ops_page_assets_len = {len(files)};")
    with open(out, "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
