#!/usr/bin/env bash
# Regenerates the manual's screenshots (docs/manual/img/*.png) from the real app under Xvfb, on a
# fresh copy of the sample project, at 1280x800:
#
#   docs/manual/screenshots.sh            # builds the debug binary first
#   TAGDESK_BIN=/usr/bin/tagdesk docs/manual/screenshots.sh
#   SCENES="rtl review" docs/manual/screenshots.sh   # only these scenes
#
# Needs Xvfb, xdotool and ImageMagick (`apt install xvfb xdotool imagemagick`; .ci/run installs
# them). Each scene starts the app, drives it with the keyboard, and takes the window.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ -z "${TAGDESK_BIN:-}" ]; then
  cargo build --quiet
  TAGDESK_BIN="${CARGO_TARGET_DIR:-$PWD/target}/debug/tagdesk"
fi
out="$PWD/docs/manual/img"
mkdir -p "$out"
work=$(mktemp -d)
display=""
for n in $(seq 191 240); do
  if [ ! -e "/tmp/.X$n-lock" ] && [ ! -e "/tmp/.X11-unix/X$n" ]; then display=":$n"; break; fi
done
Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >"$work/xvfb.log" 2>&1 &
xvfb_pid=$!
app_pid=""
cleanup() {
  [ -n "$app_pid" ] && kill "$app_pid" 2>/dev/null || true
  kill "$xvfb_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
export DISPLAY="$display"
for _ in $(seq 50); do xdotool getmouselocation >/dev/null 2>&1 && break; sleep 0.1; done
mkdir -m700 -p "$work/xdg"

# start NAME ARGS...: the app with its own home (nothing stored), on a fresh sample copy.
# CLICK_AT="x y": where the click that gives the window the keyboard goes (default: the status
# bar, which touches nothing).
start() {
  local name=$1; shift
  rm -rf "$work/sample" "$work/home"
  cp -r projects/syria-talks "$work/sample"
  HOME="$work/home" XDG_RUNTIME_DIR="$work/xdg" XDG_DATA_HOME="$work/home/data" \
    "$TAGDESK_BIN" "$@" >"$work/$name.log" 2>&1 &
  app_pid=$!
  wid=$(timeout 60 xdotool search --sync --name 'tagdesk' | head -1)
  sleep 2
  xdotool windowfocus --sync "$wid" 2>/dev/null || true
  # A click on the status bar gives the window the keyboard without touching the text.
  # shellcheck disable=SC2086
  xdotool mousemove --window "$wid" ${CLICK_AT:-1100 790} click 1
  sleep 0.3
}
keys() { xdotool key --window "$wid" --delay 150 "$@"; sleep 0.8; }
shot() { import -window "$wid" "$out/$1.png"; echo "docs/manual/img/$1.png"; }
stop() {
  xdotool key --window "$wid" ctrl+q
  for _ in $(seq 100); do kill -0 "$app_pid" 2>/dev/null || break; sleep 0.1; done
  kill "$app_pid" 2>/dev/null || true
  app_pid=""
}
sample() { start "$1" "$work/sample" 000_6960b4d936e3359c.txt --annotator maria; }
# want NAME: is this scene asked for (all are, without SCENES)?
want() { [ -z "${SCENES:-}" ] || [[ " $SCENES " == *" $1 "* ]]; }

if want first-start; then
  # First start: the name (the click goes into its field), then how to annotate.
  CLICK_AT="570 418" start first-start
  shot first-start-name
  keys Return
  shot first-start-how-to
  stop
fi

if want annotating; then
  sample annotating
  keys Tab Tab Tab
  shot annotating
  keys F1
  shot keys
  stop
fi

if want review; then
  sample review
  keys ctrl+shift+r
  shot review
  stop
fi

if want agreement; then
  sample agreement
  keys ctrl+shift+a
  xdotool mousemove --window "$wid" 375 90 click 1 # Compute
  sleep 3
  shot agreement
  stop
fi

if want export; then
  sample export
  keys ctrl+e
  shot export
  stop
fi

if want network; then
  sample network
  keys ctrl+shift+n
  sleep 2
  shot network
  stop
fi

# File → Add sources with a Nexis Uni batch (from the palette): the preview of its ten articles.
if want sources; then
  sample sources
  keys ctrl+shift+p
  xdotool type --window "$wid" --delay 30 "Add sources"; sleep 0.5
  keys Return
  xdotool type --window "$wid" --delay 10 "$PWD/tests/data/nexis/sample.DOCX"; sleep 0.5
  keys Tab Tab space
  sleep 2
  shot sources
  stop
fi

# File → Convert sources again: a Nexis batch, an interview (HTML) and a Word file were added;
# then the interview was corrected and the Word file deleted.
if want refresh; then
  rm -rf "$work/refresh"
  mkdir -p "$work/refresh/downloads"
  cp -r projects/syria-talks "$work/refresh/study"
  cp tests/data/nexis/sample.DOCX "$work/refresh/downloads/nexis.docx"
  cp tests/data/sources/english.html "$work/refresh/downloads/npr-interview.html"
  cp tests/data/sources/georgian.docx "$work/refresh/downloads/civil-ge.docx"
  "$TAGDESK_BIN" sources add "$work/refresh/study" "$work/refresh/downloads/"* >/dev/null
  sed -i 's/Geneva/Geneva, Switzerland/' "$work/refresh/downloads/npr-interview.html"
  rm "$work/refresh/downloads/civil-ge.docx"
  start refresh "$work/refresh/study" nexis-01.txt --annotator maria
  keys ctrl+shift+p
  xdotool type --window "$wid" --delay 30 "Convert sources"; sleep 0.5
  keys Return
  sleep 2
  shot refresh
  stop
fi

# Right-to-left: the Arabic test text, spans made by `tagdesk annotate` (one crosses into the
# English name, one is nested), the first span selected.
if want rtl; then
  rm -rf "$work/rtl"
  mkdir -p "$work/rtl"
  cp tests/data/rtl/arabic_news.txt "$work/rtl/"
  "$TAGDESK_BIN" init "$work/rtl" >/dev/null
  ann() {
    "$TAGDESK_BIN" annotate "$work/rtl" --annotator ana --include-overlapping --label "$1" \
      --literal "$2" >/dev/null
  }
  ann actor "وزير الخارجية الأمريكي John Kerry"
  ann claim "المحادثات مع روسيا في جنيف استمرت 14 ساعة دون اتفاق نهائي"
  ann actor "نظيره الروسي سيرغي لافروف"
  ann disagreement "موسكو لا تقبل شروط واشنطن بشأن حلب"
  ann actor "Staffan de Mistura"
  ann claim "الجولة المقبلة ستبدأ في 25 أيلول/سبتمبر"
  ann actor "واشنطن"
  start rtl "$work/rtl" arabic_news.txt --annotator ana
  keys Tab
  shot rtl
  stop
fi

# Suggestions that learn: the CoNLL-2002 Spanish documents (540 coded names) with one left
# uncoded; the model's suggestions there (F4 on the first), then the settings window's table.
if want learned; then
  rm -rf "$work/learned"
  esp=tests/data/brat_corpora/CoNLL-ST_2002/esp
  "$TAGDESK_BIN" init "$work/learned" --sources "$esp" >/dev/null
  "$TAGDESK_BIN" import "$work/learned" --format brat --annotator gold --add-labels "$esp" \
    >/dev/null 2>&1
  rm "$work/learned/annotations/gold/esp.train-doc-29.txt.json"
  start learned "$work/learned" esp.train-doc-29.txt --annotator gold
  sleep 4
  keys F4
  shot learned-suggestions
  keys ctrl+shift+p
  xdotool type --window "$wid" --delay 30 "Suggestion settings"; sleep 0.5
  keys Return
  sleep 1
  # Scrolled to its end: the table, the floors and Train now.
  xdotool mousemove --window "$wid" 300 400 click 5 click 5 click 5 click 5; sleep 0.5
  shot learned-settings
  stop
fi
