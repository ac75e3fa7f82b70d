//! Build script: stamps version facts for the About box and `--version`, and checks and embeds
//! the bundled fonts (a missing, empty or non-font file — e.g. a git-LFS pointer — fails the
//! build with a message naming it, instead of a window full of missing glyphs).

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::Command;

fn main() {
    stamp_git_commit();
    stamp_build_date();
    embed_fonts();
    embed_sample();
}

/// Embeds the sample project (`projects/syria-talks`, without its `.tagdesk/` session folder):
/// an installed tagdesk copies it into the user's data folder on first start.
fn embed_sample() {
    let manifest_dir =
        std::env::var_os("CARGO_MANIFEST_DIR").map_or_else(|| PathBuf::from("."), PathBuf::from);
    let root = manifest_dir.join("projects/syria-talks");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut files = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.filter_map(Result::ok) {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') {
                continue; // .tagdesk/ (locks, journal), editor droppings
            }
            if path.is_dir() {
                println!("cargo:rerun-if-changed={}", path.display());
                stack.push(path);
            } else if let Ok(relative) = path.strip_prefix(&root) {
                files.push((relative.to_string_lossy().replace('\\', "/"), path.clone()));
            }
        }
    }
    files.sort();
    let mut code = String::from(
        "/// The sample project, embedded by build.rs: (path inside the project, bytes).\n\
         pub const SAMPLE_FILES: &[(&str, &[u8])] = &[\n",
    );
    for (relative, path) in &files {
        writeln!(
            code,
            "    ({relative:?}, include_bytes!({:?})),",
            path.display().to_string()
        )
        .ok();
    }
    code.push_str("];\n");
    let out =
        PathBuf::from(std::env::var("OUT_DIR").unwrap_or_else(|_| ".".into())).join("sample.rs");
    std::fs::write(&out, code).unwrap_or_else(|e| panic!("cannot write {}: {e}", out.display()));
}

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
        .filter(|s| !s.is_empty())
}

fn stamp_git_commit() {
    let commit = git(&["rev-parse", "--short=10", "HEAD"]).unwrap_or_else(|| "unknown".to_owned());
    println!("cargo:rustc-env=TAGDESK_GIT_COMMIT={commit}");
    // Rebuild when HEAD moves (a commit, a checkout).
    if let Some(git_dir) = git(&["rev-parse", "--git-dir"]) {
        let git_dir = PathBuf::from(git_dir);
        println!("cargo:rerun-if-changed={}", git_dir.join("HEAD").display());
        if let Some(head_ref) = git(&["symbolic-ref", "-q", "HEAD"]) {
            println!(
                "cargo:rerun-if-changed={}",
                git_dir.join(head_ref).display()
            );
        }
    }
}

fn stamp_build_date() {
    println!("cargo:rerun-if-env-changed=SOURCE_DATE_EPOCH");
    let secs = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs())
        });
    let (y, m, d) = civil_from_days(i64::try_from(secs / 86_400).unwrap_or(0));
    println!("cargo:rustc-env=TAGDESK_BUILD_DATE={y:04}-{m:02}-{d:02}");
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = u32::try_from(doy - (153 * mp + 2) / 5 + 1).unwrap_or(1);
    let m = u32::try_from(if mp < 10 { mp + 3 } else { mp - 9 }).unwrap_or(1);
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

fn embed_fonts() {
    // Read at run time: the compiled build script may be reused for a checkout elsewhere.
    let manifest_dir =
        std::env::var_os("CARGO_MANIFEST_DIR").map_or_else(|| PathBuf::from("."), PathBuf::from);
    let dir = manifest_dir.join("assets/fonts");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut fonts: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read the font folder {}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("ttf") || e.eq_ignore_ascii_case("otf"))
        })
        .collect();
    fonts.sort();
    assert!(!fonts.is_empty(), "no .ttf/.otf fonts in {}", dir.display());
    let mut code = String::from(
        "/// Fonts bundled from `assets/fonts`, checked by build.rs: (name, bytes).\n\
         pub const BUNDLED_FONTS: &[(&str, &[u8])] = &[\n",
    );
    for path in &fonts {
        let bytes = std::fs::read(path)
            .unwrap_or_else(|e| panic!("cannot read font {}: {e}", path.display()));
        let magic = bytes.get(..4).unwrap_or_default();
        assert!(
            matches!(magic, [0, 1, 0, 0] | b"OTTO" | b"true"),
            "{} is not a TrueType/OpenType font (starts with {magic:?}); \
             is it a git-LFS pointer or a truncated download?",
            path.display()
        );
        let name = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        writeln!(
            code,
            "    ({name:?}, include_bytes!({:?})),",
            path.display().to_string()
        )
        .ok();
    }
    code.push_str("];\n");
    let out =
        PathBuf::from(std::env::var("OUT_DIR").unwrap_or_else(|_| ".".into())).join("fonts.rs");
    std::fs::write(&out, code).unwrap_or_else(|e| panic!("cannot write {}: {e}", out.display()));
}
