#!/bin/bash
# Frame timings of the real window (BENCHMARKS.md, fourth session). Needs Xvfb and xdotool,
# a release build and /tmp/big10 (examples/synth_corpus), or the project given as the first
# argument (e.g. /tmp/big10ar, the right-to-left one). Drives it: waits for the document,
# 60 wheel steps down, 40 up, 3 s idle, Ctrl+Q; the stats are in /tmp/frames.txt.
PROJECT=${1:-/tmp/big10}
D=:88
Xvfb $D -screen 0 1400x900x24 -nolisten tcp >/dev/null 2>&1 & XP=$!
sleep 1; export DISPLAY=$D
mkdir -p /tmp/fh /tmp/fx; chmod 700 /tmp/fx; rm -rf /tmp/fh/*
rm -f /tmp/frames.txt
HOME=/tmp/fh XDG_RUNTIME_DIR=/tmp/fx "${BIN:-$(dirname "$0")/../target/release/tagdesk}" "$PROJECT" --annotator synth --frame-stats /tmp/frames.txt >/tmp/fapp.log 2>&1 & AP=$!
WID=$(timeout 60 xdotool search --sync --name tagdesk | head -1)
sleep 3
xdotool windowsize $WID 1280 800; sleep 1
xdotool windowfocus --sync $WID
xdotool mousemove --window $WID 500 400; sleep 0.3; xdotool mousemove_relative 1 1
for i in $(seq 60); do xdotool click 5; sleep 0.03; done
for i in $(seq 40); do xdotool click 4; sleep 0.03; done
sleep 1
echo "idle-start $(wc -l < /tmp/frames.txt)"
sleep 3
echo "idle-end $(wc -l < /tmp/frames.txt)"
xdotool key --window $WID ctrl+q
sleep 2; kill $AP 2>/dev/null; kill $XP 2>/dev/null
