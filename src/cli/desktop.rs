//! `tagdesk desktop install | uninstall`: registers tagdesk with the desktop (freedesktop.org):
//! an applications-menu entry, the icon in the hicolor theme, and a MIME type for project files
//! (`tagdesk.json`) so a double-click opens the project. Per user by default
//! (`$XDG_DATA_HOME`, else `~/.local/share`); `--system` writes under `/usr/local/share`.

use super::CliError;
use std::path::{Path, PathBuf};

const DESKTOP: &str = include_str!("../../assets/desktop/tagdesk.desktop");
const MIME: &str = include_str!("../../assets/desktop/tagdesk-mime.xml");
const SVG: &[u8] = include_bytes!("../../assets/icons/tagdesk.svg");
const PNGS: [(u32, &[u8]); 5] = [
    (32, include_bytes!("../../assets/icons/tagdesk-32.png")),
    (48, include_bytes!("../../assets/icons/tagdesk-48.png")),
    (64, include_bytes!("../../assets/icons/tagdesk-64.png")),
    (128, include_bytes!("../../assets/icons/tagdesk-128.png")),
    (256, include_bytes!("../../assets/icons/tagdesk-256.png")),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DesktopAction {
    Install,
    Uninstall,
}

/// Where the files go: the user's data folder, or the system's.
fn data_home(system: bool) -> Option<PathBuf> {
    if system {
        return Some(PathBuf::from("/usr/local/share"));
    }
    std::env::var_os("XDG_DATA_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
}

/// Every file this command writes, with its bytes.
fn files(data: &Path, exe: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    // The menu entry runs this very binary (a user install need not be on PATH).
    let exec = format!("Exec=\"{}\" %f", exe.display());
    let desktop = DESKTOP.replace("Exec=tagdesk %f", &exec);
    let mut out = vec![
        (
            data.join("applications/tagdesk.desktop"),
            desktop.into_bytes(),
        ),
        (
            data.join("mime/packages/tagdesk.xml"),
            MIME.as_bytes().to_vec(),
        ),
        (
            data.join("icons/hicolor/scalable/apps/tagdesk.svg"),
            SVG.to_vec(),
        ),
    ];
    for (size, png) in PNGS {
        out.push((
            data.join(format!("icons/hicolor/{size}x{size}/apps/tagdesk.png")),
            png.to_vec(),
        ));
    }
    out
}

/// Runs a desktop database tool if the system has it (they refresh caches; nothing breaks
/// without them).
fn refresh(data: &Path) {
    for (tool, folder) in [
        ("update-mime-database", "mime"),
        ("update-desktop-database", "applications"),
    ] {
        let _ = std::process::Command::new(tool)
            .arg(data.join(folder))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status();
    }
}

pub(super) fn desktop_cmd(action: DesktopAction, system: bool) -> Result<(), CliError> {
    if !cfg!(target_os = "linux") && !cfg!(target_os = "freebsd") {
        return Err(CliError::Usage("desktop registration is for Linux desktops (freedesktop.org); for macOS and Windows see docs/manual/install.md (cargo packager)".into()));
    }
    let Some(data) = data_home(system) else {
        return Err(CliError::Usage(
            "neither XDG_DATA_HOME nor HOME is set: where would the files go?".into(),
        ));
    };
    let exe = std::env::current_exe().unwrap_or_else(|_| PathBuf::from("tagdesk"));
    let files = files(&data, &exe);
    match action {
        DesktopAction::Install => {
            for (path, bytes) in &files {
                if let Some(parent) = path.parent()
                    && let Err(err) = std::fs::create_dir_all(parent)
                {
                    return Err(CliError::Failed(format!(
                        "cannot make {}: {err}",
                        parent.display()
                    )));
                }
                if let Err(err) = crate::core::project::write_atomic(path, bytes) {
                    return Err(CliError::Failed(format!(
                        "cannot write {}: {err}",
                        path.display()
                    )));
                }
            }
            refresh(&data);
            println!(
                "tagdesk is in the applications menu ({} files under {}); a double-click on a \
                 tagdesk.json opens its project. `tagdesk desktop uninstall` takes it out.",
                files.len(),
                data.display()
            );
        }
        DesktopAction::Uninstall => {
            let mut removed = 0;
            for (path, _) in &files {
                match std::fs::remove_file(path) {
                    Ok(()) => removed += 1,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(err) => {
                        return Err(CliError::Failed(format!(
                            "cannot remove {}: {err}",
                            path.display()
                        )));
                    }
                }
            }
            refresh(&data);
            println!("{removed} files removed from {}", data.display());
        }
    }
    Ok(())
}
