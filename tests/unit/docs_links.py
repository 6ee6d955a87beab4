# Every relative link and image in the repository's Markdown files resolves: [text](path),
# [text](path#anchor), [text](#anchor), ![alt](path) and reference definitions ([id]: path) must
# name a file or folder of the repository, and an anchor must be the slug of a heading of the target
# Markdown file, as GitHub makes them (lowercase; punctuation other than '-' and '_' removed; spaces
# to '-'; a repeated heading gets -1, -2, ...). Links inside code are not links; http(s) and mailto
# links are not checked. Also: README.md has at most 250 lines and no TEST_DURATION placeholder.
# Prints one line per problem, then "N links checked; M problems"; exits 1 on any problem.
# Usage: docs_links.py ROOT
import os
import re
import subprocess
import sys
from urllib.parse import unquote

MAX_README_LINES = 250
PLACEHOLDER = "TEST_DURATION"

# [text](target "title") and ![alt](target): text with at most one level of nested brackets, the
# target in <...> or without spaces (balanced parentheses allowed), an optional title
INLINE = re.compile(r"!?\[(?:[^\[\]]|\[[^\[\]]*\])*\]\(\s*(<[^>\n]*>|(?:[^\s()]|\([^\s()]*\))*)"
                    r"(?:\s+(?:\"[^\"]*\"|'[^']*'|\([^)]*\)))?\s*\)")
REFERENCE = re.compile(r"^ {0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)")
HTML = re.compile(r"<(?:a|img)\b[^>]*?\b(?:href|src)\s*=\s*[\"']([^\"']*)[\"']", re.I)
FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
CODE_SPAN = re.compile(r"(`+)(.+?)(?<!`)\1(?!`)")
SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def repository_files(root):
    """The repository's files (tracked, or new and not ignored), relative to root, or None without git."""
    try:
        out = subprocess.run(["git", "-C", root, "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                             check=True, capture_output=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    return {p for p in out.decode("utf-8").split("\0") if p and os.path.exists(os.path.join(root, p))}


def markdown_files(root, files):
    if files is not None:
        return sorted(p for p in files if p.endswith(".md"))
    found = []
    for top, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".") and not d.startswith("build")]
        found += [os.path.relpath(os.path.join(top, n), root) for n in names if n.endswith(".md")]
    return sorted(found)


def prose_lines(text):
    """(line number, line) outside fenced and indented code blocks, code spans blanked out."""
    fence = None
    previous_blank = True
    in_indented = False
    for number, line in enumerate(text.splitlines(), 1):
        m = FENCE.match(line)
        if fence:
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence) and not line.strip(" `~"):
                fence = None
            continue
        if m:
            fence = m.group(1)
            continue
        blank = not line.strip()
        indented = line.startswith("    ") or line.startswith("\t")
        in_indented = indented and not blank and (previous_blank or in_indented)
        previous_blank = blank
        if in_indented:
            continue
        yield number, CODE_SPAN.sub(lambda s: " " * len(s.group(0)), line)


def slug(heading):
    text = re.sub(r"!?\[((?:[^\[\]]|\[[^\[\]]*\])*)\]\([^)]*\)", r"\1", heading)  # links: their text
    text = re.sub(r"<[^>]+>", "", text)  # HTML tags
    text = text.strip().lower()
    text = "".join(c for c in text if c.isalnum() or c in "-_ ")
    return text.replace(" ", "-")


def anchors(text):
    """The ids GitHub gives the headings of a Markdown text."""
    ids, seen = set(), {}
    previous = ""
    for _, line in prose_lines(text):
        title = None
        m = ATX.match(line)
        if m:
            title = m.group(2) or ""
        elif SETEXT.match(line) and previous.strip() and not ATX.match(previous) and \
                not previous.lstrip().startswith(("|", "-", "*", ">")):
            title = previous
        previous = line
        if title is None:
            continue
        base = slug(title)
        count = seen.get(base, 0)
        seen[base] = count + 1
        ids.add(base if count == 0 else f"{base}-{count}")
    return ids


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: docs_links.py ROOT")
    root = os.path.abspath(sys.argv[1])
    files = repository_files(root)
    folders = None
    if files is not None:
        folders = {os.path.dirname(p) for p in files}
        for p in list(folders):
            while p:
                p = os.path.dirname(p)
                folders.add(p)
    texts, anchor_cache = {}, {}

    def text_of(rel):
        if rel not in texts:
            with open(os.path.join(root, rel), encoding="utf-8") as f:
                texts[rel] = f.read()
        return texts[rel]

    def anchors_of(rel):
        if rel not in anchor_cache:
            anchor_cache[rel] = anchors(text_of(rel))
        return anchor_cache[rel]

    problems = []
    checked = 0
    readme = os.path.join(root, "README.md")
    if not os.path.exists(readme):
        problems.append("README.md: missing")
    else:
        lines = len(text_of("README.md").splitlines())
        if lines > MAX_README_LINES:
            problems.append(f"README.md: {lines} lines, more than {MAX_README_LINES}")
        for number, line in enumerate(text_of("README.md").splitlines(), 1):
            if PLACEHOLDER in line:
                problems.append(f"README.md:{number}: the placeholder {PLACEHOLDER}")
    for md in markdown_files(root, files):
        base_dir = os.path.dirname(md)
        for number, line in prose_lines(text_of(md)):
            targets = [m.group(1) for m in INLINE.finditer(line)] + [m.group(1) for m in HTML.finditer(line)]
            m = REFERENCE.match(line)
            if m:
                targets.append(m.group(1))
            for target in targets:
                target = target.strip()
                if target.startswith("<") and target.endswith(">"):
                    target = target[1:-1].strip()
                if not target or SCHEME.match(target) or target.startswith("//"):
                    continue
                checked += 1
                where = f"{md}:{number}: ({target})"
                path, _, anchor = target.partition("#")
                path = unquote(path.split("?", 1)[0])
                anchor = unquote(anchor)
                if path:
                    rel = os.path.normpath(path.lstrip("/") if path.startswith("/") else os.path.join(base_dir, path))
                    if rel == ".":
                        rel = ""
                    if rel.startswith(".."):
                        problems.append(f"{where}: points outside the repository")
                        continue
                    full = os.path.join(root, rel)
                    if not os.path.exists(full):
                        problems.append(f"{where}: no such file or folder {rel or '.'}")
                        continue
                    if files is not None and rel not in files and rel not in folders:
                        problems.append(f"{where}: {rel} is not in the repository (ignored or untracked)")
                        continue
                else:
                    rel = md
                if not anchor:
                    continue
                if not rel.endswith(".md") or os.path.isdir(os.path.join(root, rel)):
                    problems.append(f"{where}: an anchor into {rel or '.'}, which is not a Markdown file")
                elif anchor not in anchors_of(rel):
                    problems.append(f"{where}: no heading '#{anchor}' in {rel}")
    for p in problems:
        print(p)
    print(f"{checked} links checked; {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
