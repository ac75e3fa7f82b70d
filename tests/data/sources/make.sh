#!/bin/sh
# Makes the source fixtures with a real producer, once (CI never runs this): LibreOffice 7.4
# (Debian bookworm's libreoffice-writer-nogui) converts three texts to Word, OpenDocument and
# EPUB. The expected text of each is the text it was made from (line endings as LF, no final
# newline kept by the converters; the .expected.txt ends with one).
#   english  — projects/syria-talks/sources/000_6960b4d936e3359c.txt (the sample corpus, NPR transcript)
#   georgian — projects/syria-talks/sources/003_3a31fb68b867da90.txt (carries Georgian script)
#   arabic   — tests/data/rtl/arabic_news.txt (right-to-left)
set -e
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
cp "$here/../../../projects/syria-talks/sources/000_6960b4d936e3359c.txt" "$work/english.txt"
cp "$here/../../../projects/syria-talks/sources/003_3a31fb68b867da90.txt" "$work/georgian.txt"
cp "$here/../rtl/arabic_news.txt" "$work/arabic.txt"
export HOME="$work/home"
cd "$work"
for fmt in docx odt; do
  soffice --headless --infilter="Text (encoded):UTF8,LF,,," --convert-to $fmt english.txt georgian.txt arabic.txt
done
soffice --headless --convert-to epub english.odt georgian.odt arabic.odt
soffice --headless --convert-to rtf english.odt georgian.odt arabic.odt
soffice --headless --convert-to pdf english.odt georgian.odt arabic.odt
# The Arabic text once more with its paragraphs running right to left (LibreOffice reads the
# imported plain text as left-to-right paragraphs): through HTML with dir="rtl", to a PDF.
python3 - <<'PY'
import html
t = open("arabic.txt", encoding="utf8").read().replace("\r\n", "\n").rstrip("\n")
ps = "".join(f'<p dir="rtl">{html.escape(p)}</p>\n' for p in t.split("\n") if p)
open("arabic-rtl.html", "w", encoding="utf8").write(
    f'<!DOCTYPE html><html dir="rtl"><head><meta charset="utf-8"><title>t</title></head><body dir="rtl">\n{ps}</body></html>\n')
PY
soffice --headless --convert-to odt:writer8 --infilter="HTML (StarWriter)" arabic-rtl.html
soffice --headless --convert-to pdf arabic-rtl.odt
cp arabic-rtl.pdf "$here/"
# HTML two ways: LibreOffice's XHTML writer (paragraphs, empty ones as a no-break space or
# <p/>), and its HTML writer on the ODT (the imported text's style is preformatted: <pre>).
mkdir -p xhtml pre
soffice --headless --infilter="Text (encoded):UTF8,LF,,," --convert-to "html:XHTML Writer File:UTF8" --outdir xhtml english.txt georgian.txt arabic.txt
soffice --headless --convert-to html --outdir pre english.odt
cp xhtml/english.html xhtml/georgian.html xhtml/arabic.html "$here/"
cp pre/english.html "$here/english-pre.html"
cp english.txt english-pre.txt
for b in english georgian arabic english-pre; do
  [ -e $b.docx ] && cp $b.docx $b.odt $b.epub $b.rtf $b.pdf "$here/"
  python3 -c "import sys; t=open('$b.txt',encoding='utf8').read().replace('\r\n','\n').rstrip('\n'); open('$here/$b.expected.txt','w',encoding='utf8').write(t+'\n')"
done
# The Nexis Uni sample (tests/data/nexis/sample.DOCX) as RTF and as XHTML, the other layouts
# it is delivered in: the same ten articles. The RTF's pictures are taken out (1.6 MB → 245 kB).
cp "$here/../nexis/sample.DOCX" nexis-uni.docx
soffice --headless --convert-to rtf nexis-uni.docx
soffice --headless --convert-to "html:XHTML Writer File:UTF8" nexis-uni.docx
soffice --headless --convert-to pdf nexis-uni.docx
cp nexis-uni.pdf "$here/../nexis/nexis-uni.pdf"
# An encrypted PDF (password "secret") for the refusal test.
mkdir -p enc
soffice --headless --convert-to 'pdf:writer_pdf_Export:{"EncryptFile":{"type":"boolean","value":"true"},"DocumentOpenPassword":{"type":"string","value":"secret"}}' --outdir enc english.odt
cp enc/english.pdf "$here/../pdf/encrypted.pdf"
python3 - <<'PY'
b = open("nexis-uni.rtf", "rb").read()
out, i, n = bytearray(), 0, len(b)
def group_end(j):
    depth = 0
    while j < n:
        c = b[j]
        if c == 0x5C:
            j += 2
            continue
        depth += (c == 0x7B) - (c == 0x7D)
        j += 1
        if depth == 0:
            return j
    return n
while i < n:
    if b[i] == 0x7B and any(b.startswith(p, i) for p in (b"{\\pict", b"{\\*\\shppict", b"{\\nonshppict", b"{\\shp")):
        i = group_end(i)
        continue
    out.append(b[i])
    i += 1
open("nexis-uni-small.rtf", "wb").write(out)
PY
cp nexis-uni-small.rtf "$here/../nexis/nexis-uni.rtf"
cp nexis-uni.html "$here/../nexis/nexis-uni.html"
rm -rf "$work"
