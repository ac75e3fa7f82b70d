//! Right-to-left text in the document view (issue 21): an Arabic news paragraph with an
//! English name and digits, laid out in bidi order, selected, tagged, found and clicked by
//! the logical offsets the files keep.

use egui::{Key, Modifiers, Pos2, vec2};
use egui_kittest::Harness;
use tagdesk::gui::App;

use super::{click_times, open_app_on, open_app_with, steps};
use crate::support::{char_offset_of, project_with};

const ARABIC: &str = "arabic_news.txt";
const TEXT: &str = include_str!("../data/rtl/arabic_news.txt");

fn open() -> (tempfile::TempDir, Harness<'static, App>) {
    let (dir, root) = project_with(&[(ARABIC, TEXT.as_bytes())]);
    let harness = open_app_on(&root, ARABIC, "tester");
    (dir, harness)
}

fn at(h: &Harness<'_, App>, c: usize) -> Pos2 {
    h.state()
        .char_screen_pos(c)
        .unwrap_or_else(|| panic!("char {c} is on screen"))
}

/// Drags across the text from the middle of char `from` to the middle of char `to`.
fn drag(h: &mut Harness<'_, App>, from: usize, to: usize) {
    let (a, b) = (at(h, from), at(h, to));
    h.drag_at(a);
    steps(h, 1);
    h.hover_at(a + (b - a) * 0.5);
    steps(h, 1);
    h.hover_at(b);
    steps(h, 1);
    h.drop_at(b);
    steps(h, 2);
}

#[test]
fn an_arabic_line_runs_right_to_left_and_is_right_aligned() {
    let (_dir, h) = open();
    // The headline: Arabic letters and spaces only.
    let headline = "محادثات جنيف بشأن سوريا";
    let xs: Vec<f32> = (0..headline.chars().count()).map(|c| at(&h, c).x).collect();
    assert!(
        xs.windows(2).all(|w| w[1] < w[0]),
        "each logical character lies left of the one before it: {xs:?}"
    );
    // Right-aligned: its first letter is near the right edge of the text, and the English
    // paragraph further down starts at the left edge.
    let english = char_offset_of(TEXT, "The Geneva talks", 0);
    assert!(
        xs[0] > at(&h, english).x + 500.0,
        "{} vs {}",
        xs[0],
        at(&h, english).x
    );
}

#[test]
fn an_english_name_keeps_its_order_inside_an_arabic_sentence() {
    let (_dir, h) = open();
    let name = char_offset_of(TEXT, "John Kerry", 0);
    let xs: Vec<f32> = (name..name + 10).map(|c| at(&h, c).x).collect();
    assert!(xs.windows(2).all(|w| w[1] > w[0]), "left to right: {xs:?}");
    // The Arabic before it (in logical order) is to its right, the Arabic after it to its left.
    let before = char_offset_of(TEXT, "الأمريكي John", 0);
    let after = char_offset_of(TEXT, "يوم الجمعة", 0);
    assert!(
        at(&h, before).x > xs[9],
        "the words before the name are right of it"
    );
    assert!(
        at(&h, after).x < xs[0],
        "the words after the name are left of it"
    );
    // Digits read left to right too.
    let digits = char_offset_of(TEXT, "14", 0);
    assert!(at(&h, digits).x < at(&h, digits + 1).x);
}

#[test]
fn double_clicking_an_arabic_letter_selects_its_word_by_logical_offsets() {
    let (_dir, root) = project_with(&[(ARABIC, TEXT.as_bytes())]);
    // Frames a sixtieth of a second apart, so two clicks make a double click.
    let builder = Harness::builder()
        .with_size(vec2(1280.0, 800.0))
        .with_step_dt(1.0 / 60.0);
    let mut h = open_app_with(&root, ARABIC, "tester", builder);
    for word in ["جنيف", "المحادثات", "Kerry", "لافروف"] {
        let start = char_offset_of(TEXT, word, 0);
        let len = word.chars().count();
        // A letter in the middle of the word.
        let pos = at(&h, start + len / 2);
        click_times(&mut h, pos, 2, Modifiers::NONE);
        assert_eq!(
            h.state().pending_selection(),
            Some(start..start + len),
            "double click on {word}"
        );
        h.key_press(Key::Escape);
        // Wait out the double-click time: this is a new click, not a third.
        steps(&mut h, 30);
        // A single click on a letter puts the caret at one of its edges (logical offsets).
        click_times(&mut h, pos, 1, Modifiers::NONE);
        let caret = h.state().caret().expect("a caret");
        assert!(
            caret == start + len / 2 || caret == start + len / 2 + 1,
            "caret {caret} at the letter {}",
            start + len / 2
        );
        // Wait out the double-click time before the next word.
        steps(&mut h, 30);
    }
}

#[test]
fn a_drag_across_a_direction_change_selects_what_it_swept() {
    let (_dir, mut h) = open();
    // "… الأمريكي John Kerry يوم …": on screen, right to left, the Arabic words, then the
    // English run "John Kerry" (read left to right), then "يوم". A drag from "قال" (the
    // sentence's first word, at the right) leftward into "John" passes over "Kerry" first.
    let start = char_offset_of(TEXT, "قال وزير", 0);
    let john = char_offset_of(TEXT, "John", 0);
    let kerry_end = john + "John Kerry".len();
    drag(&mut h, start + 1, john + 2);
    assert_eq!(
        h.state().pending_selection(),
        Some(start..kerry_end),
        "everything the pointer passed over, Kerry included, as one logical range"
    );
    // Stopping at John's left edge: the same (not only the Arabic words).
    h.key_press(Key::Escape);
    steps(&mut h, 1);
    let left_of_john = at(&h, john) - vec2(4.0, 0.0);
    let from = at(&h, start + 1);
    h.drag_at(from);
    steps(&mut h, 1);
    h.hover_at(left_of_john);
    steps(&mut h, 1);
    h.drop_at(left_of_john);
    steps(&mut h, 2);
    assert_eq!(h.state().pending_selection(), Some(start..kerry_end));
    h.key_press(Key::Num3);
    steps(&mut h, 2);
    let ws = h.state().workspace().unwrap();
    let a = ws.layer(ARABIC, "tester").unwrap().annotations()[0].clone();
    assert_eq!(
        (a.start, a.end, a.label.as_str()),
        (start, kerry_end, "disagreement")
    );
    assert_eq!(&*a.text, "قال وزير الخارجية الأمريكي John Kerry");
    let [red, green, blue] = ws.project().schema().get("disagreement").unwrap().rgb();
    // Painted over what was swept, and nothing beyond: not "يوم", left of the English run.
    h.key_press(Key::Escape);
    steps(&mut h, 2);
    let fill = egui::Color32::from_rgba_unmultiplied(red, green, blue, 90);
    let pieces: Vec<egui::Rect> = h
        .output()
        .shapes
        .iter()
        .filter_map(|c| match &c.shape {
            egui::Shape::Rect(rect) if rect.fill == fill => Some(rect.rect),
            _ => None,
        })
        .collect();
    for (what, c) in [("John", john), ("Kerry", john + 6), ("قال", start)] {
        assert!(
            pieces.iter().any(|p| p.contains(at(&h, c))),
            "{what} is covered: {pieces:?}"
        );
    }
    assert!(
        !pieces.iter().any(|p| p.contains(at(&h, kerry_end + 2))),
        "not the next Arabic word"
    );
    let view: Vec<_> = h
        .state()
        .range_screen_rects(a.start..a.end)
        .iter()
        .map(egui::Rect::x_range)
        .collect();
    let mut painted: Vec<_> = pieces.iter().map(egui::Rect::x_range).collect();
    painted.sort_by(|p, q| p.min.total_cmp(&q.min));
    let mut view = view;
    view.sort_by(|p, q| p.min.total_cmp(&q.min));
    assert_eq!(view, painted);
}

#[test]
fn bars_and_outlines_are_painted_under_the_letters_so_dots_below_show_whole() {
    let (_dir, mut h) = open();
    // A span on a word whose letter ي carries two dots below the line, selected (outlined).
    let word = char_offset_of(TEXT, "الأمريكي", 0);
    drag(&mut h, word + 1, word + 6);
    h.key_press(Key::Num1);
    steps(&mut h, 2);
    let [red, green, blue] = h
        .state()
        .workspace()
        .unwrap()
        .project()
        .schema()
        .get("actor")
        .unwrap()
        .rgb();
    let bar = egui::Color32::from_rgb(red, green, blue);
    let shapes = &h.output().shapes;
    let letter = at(&h, word + 7);
    // The glyphs of a right-to-left block are one textured mesh per block.
    let glyphs = shapes
        .iter()
        .position(|c| match &c.shape {
            egui::Shape::Mesh(mesh) => {
                mesh.texture_id != egui::TextureId::default()
                    && mesh.vertices.iter().any(|v| {
                        (v.pos.y - letter.y).abs() < 12.0 && (v.pos.x - letter.x).abs() < 12.0
                    })
            }
            _ => false,
        })
        .expect("the Arabic glyphs");
    let decorations: Vec<usize> = shapes
        .iter()
        .enumerate()
        .filter(|(_, c)| match &c.shape {
            egui::Shape::Rect(r) => {
                (r.fill == bar || r.stroke.width > 1.0) && r.rect.x_range().contains(letter.x)
            }
            _ => false,
        })
        .map(|(i, _)| i)
        .collect();
    assert!(!decorations.is_empty(), "the span's bar and outline");
    assert!(
        decorations.iter().all(|i| *i < glyphs),
        "bar {decorations:?} painted before the glyphs ({glyphs})"
    );
}

#[test]
fn find_highlights_the_letters_of_an_arabic_match() {
    let (_dir, mut h) = open();
    h.key_press_modifiers(Modifiers::COMMAND, Key::F);
    steps(&mut h, 2);
    h.event(egui::Event::Text("لافروف".into()));
    steps(&mut h, 1);
    h.key_press(Key::Enter);
    steps(&mut h, 2);
    let start = char_offset_of(TEXT, "لافروف", 0);
    assert_eq!(h.state().pending_selection(), Some(start..start + 6));
    let rects = h.state().range_screen_rects(start..start + 6);
    assert_eq!(rects.len(), 1);
    for c in start..start + 6 {
        assert!(rects[0].contains(at(&h, c)), "letter {c} is highlighted");
    }
    for c in [start - 2, start + 7] {
        assert!(!rects[0].contains(at(&h, c)), "neighbour {c} is not");
    }
    // The highlight is painted where the view says.
    let fill = h.ctx.global_style().visuals.selection.bg_fill;
    assert!(h.output().shapes.iter().any(|c| matches!(
        &c.shape,
        egui::Shape::Rect(r) if r.fill == fill && (r.rect.center() - rects[0].center()).length() < 2.0
    )));
}

#[test]
fn the_end_edge_of_an_arabic_span_is_at_its_left_and_drags_outward() {
    let (_dir, mut h) = open();
    let start = char_offset_of(TEXT, "سيرغي", 0);
    drag(&mut h, start + 1, start + 3);
    h.key_press(Key::Num1);
    steps(&mut h, 2);
    assert_eq!(
        h.state().pending_selection(),
        None,
        "the selection became a span"
    );
    assert!(h.state().selected_annotation().is_some(), "and is selected");
    // The span is selected: its end (logical) is its left edge; drag that edge left over the
    // next word, "لافروف".
    let end_caret = h.state().caret_screen_pos(start + 5).unwrap();
    assert!(
        end_caret.x < at(&h, start).x,
        "the end edge is left of the first letter"
    );
    let next = char_offset_of(TEXT, "لافروف", 0);
    // Just inside the word's last letter (its leftmost), so the caret lands after it.
    let target = h.state().caret_screen_pos(next + 6).unwrap() + vec2(2.0, 0.0);
    h.hover_at(end_caret - vec2(1.0, 0.0));
    steps(&mut h, 1);
    h.drag_at(end_caret - vec2(1.0, 0.0));
    steps(&mut h, 1);
    h.hover_at(target);
    steps(&mut h, 1);
    h.drop_at(target);
    steps(&mut h, 2);
    let ws = h.state().workspace().unwrap();
    let a = &ws.layer(ARABIC, "tester").unwrap().annotations()[0];
    assert_eq!(&*a.text, "سيرغي لافروف", "resized over the next word");
}
