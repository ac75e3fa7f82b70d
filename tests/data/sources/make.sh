#!/bin/sh
# Makes the source fixtures with a real producer, once (CI never runs this): LibreOffice 7.4
# (Debian bookworm's libreoffice-writer-nogui) converts three texts to Word, OpenDocument and
# EPUB. The expected text of each is the text it was made from (line endings as LF, no final
# newline kept by the converters; the .expected.txt ends with one).
#   english  — ../shared/seeds/000_6960b4d936e3359c.txt (the sample corpus, NPR transcript)
#   georgian — ../shared/seeds/003_3a31fb68b867da90.txt (carries Georgian script)
#   arabic   — tests/data/rtl/arabic_news.txt (right-to-left)
set -e
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
cp "$here/../../../../shared/seeds/000_6960b4d936e3359c.txt" "$work/english.txt"
cp "$here/../../../../shared/seeds/003_3a31fb68b867da90.txt" "$work/georgian.txt"
cp "$here/../rtl/arabic_news.txt" "$work/arabic.txt"
export HOME="$work/home"
cd "$work"
for fmt in docx odt; do
  soffice --headless --infilter="Text (encoded):UTF8,LF,,," --convert-to $fmt english.txt georgian.txt arabic.txt
done
soffice --headless --convert-to epub english.odt georgian.odt arabic.odt
for b in english georgian arabic; do
  cp $b.docx $b.odt $b.epub "$here/"
  python3 -c "import sys; t=open('$b.txt',encoding='utf8').read().replace('\r\n','\n').rstrip('\n'); open('$here/$b.expected.txt','w',encoding='utf8').write(t+'\n')"
done
rm -rf "$work"
