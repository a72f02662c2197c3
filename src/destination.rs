//! Where a command may write. Every folder or file that `build`, `brief` or
//! `archive --export` will create, replace or delete is resolved as the file
//! system will resolve it, then checked against the project, before anything
//! is written.
//!
//! Paths are never compared as text: `public/../data`, `nosuch/../content`,
//! a symbolic link to the project and `../p` typed inside `p` all name the
//! project's own folders, and only their resolved form shows it. The rules
//! (docs/output-paths.md says what each refusal means):
//!
//! - an output folder is never the project folder or one that holds it, and
//!   never is, holds or lies inside an input ([`INPUTS`], or what a symbolic
//!   link among them points to) or the cache folder ([`CACHE`]);
//! - each kind of output ([`OutputKind`]) stays out of every other kind's
//!   default folder and out of any folder ecoscore built as an output (the
//!   briefing copy is never published; a site never lands in the briefing);
//! - a folder is replaced only when it is empty or ecoscore made it as that
//!   kind of output ([`replaceable`]; the mark is the stamp beside it);
//! - an exported file is never an input, never inside an output folder, never
//!   a device or folder, and replaces an existing file only when forced.

use std::ffi::OsString;
use std::fmt;
use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};

use crate::diagnostic::{Diagnostic, Diagnostics, Pos};
use crate::load::INPUTS;
use crate::paths::{relative_name, CACHE};
use crate::stamp;

/// How many symbolic links one path may pass through (as Linux allows).
const MAX_LINKS: usize = 40;

/// A kind of folder ecoscore writes as a whole and replaces on every run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutputKind {
    /// The name its stamp records.
    pub id: &'static str,
    /// How messages name it: "the public site".
    pub what: &'static str,
    /// How messages name one that ecoscore made: "a site ecoscore built".
    pub made: &'static str,
    /// Its folder in the project when no `--out` is given.
    pub default: &'static str,
    /// Whether it is published; a private kind never lies inside a public one.
    pub public: bool,
}

impl OutputKind {
    pub const SITE: OutputKind = OutputKind {
        id: "site",
        what: "the public site",
        made: "a site ecoscore built",
        default: "public",
        public: true,
    };
    pub const BRIEFING: OutputKind = OutputKind {
        id: "briefing",
        what: "the briefing copy",
        made: "a briefing copy ecoscore wrote",
        default: "briefing",
        public: false,
    };
    pub const LETTERS: OutputKind = OutputKind {
        id: "letters",
        what: "the target letters",
        made: "target letters ecoscore wrote",
        default: "letters",
        public: false,
    };
    pub const REPORT: OutputKind = OutputKind {
        id: "report",
        what: "the results report",
        made: "a results report ecoscore wrote",
        default: "report",
        public: false,
    };
    /// Every kind. Each stays out of the others' folders, so a new kind of
    /// output is one more constant above and one more entry here.
    pub const ALL: [OutputKind; 4] = [
        OutputKind::SITE,
        OutputKind::BRIEFING,
        OutputKind::LETTERS,
        OutputKind::REPORT,
    ];

    pub fn by_id(id: &str) -> Option<OutputKind> {
        OutputKind::ALL.into_iter().find(|kind| kind.id == id)
    }
}

/// A path a command must not write to: which, where it leads, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// What was to be written: "the public site", "the tarball".
    pub what: &'static str,
    /// The path as the user gave it.
    pub path: PathBuf,
    /// Where it leads, once resolved.
    pub resolved: Option<PathBuf>,
    pub why: String,
    pub help: String,
}

impl Refusal {
    /// Where the path leads, when that is not how it was written.
    fn leads(&self) -> String {
        match &self.resolved {
            Some(resolved) if *resolved != self.path => {
                format!(" (it leads to {})", resolved.display())
            }
            _ => String::new(),
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (path, leads) = (self.path.display(), self.leads());
        write!(
            f,
            "refusing to write {} to {path}{leads}: {}",
            self.what, self.why
        )
    }
}

impl From<Refusal> for Diagnostics {
    fn from(refusal: Refusal) -> Diagnostics {
        // The diagnostic names the path itself.
        let message = format!(
            "refusing to write {} there{}: {}",
            refusal.what,
            refusal.leads(),
            refusal.why
        );
        Diagnostic::error(refusal.path, Pos::FILE, message)
            .with_help(refusal.help)
            .into()
    }
}

impl From<Refusal> for io::Error {
    fn from(refusal: Refusal) -> io::Error {
        io::Error::new(io::ErrorKind::PermissionDenied, refusal.to_string())
    }
}

/// `path` as the file system will resolve it once its missing part is
/// created: relative to the working directory, the longest existing prefix
/// canonicalised (every symbolic link followed, the last component too), and
/// the rest normalised, a `..` after a missing folder taking it back (as
/// creating that folder and stepping out of it would).
pub fn resolve(path: &Path) -> io::Result<PathBuf> {
    let absolute = std::path::absolute(path)?;
    let (mut resolved, mut todo) = split_root(&absolute)?;
    let mut missing: Vec<OsString> = Vec::new();
    let mut links = 0;
    while let Some(part) = todo.pop() {
        match part {
            Part::Up if missing.pop().is_some() => {}
            Part::Up => {
                resolved.pop();
            }
            Part::Name(name) if !missing.is_empty() => missing.push(name),
            Part::Name(name) => {
                let candidate = resolved.join(&name);
                match fs::symlink_metadata(&candidate) {
                    Ok(meta) if meta.file_type().is_symlink() => {
                        links += 1;
                        if links > MAX_LINKS {
                            return Err(io::Error::other(format!(
                                "more than {MAX_LINKS} symbolic links on the way (a loop?)"
                            )));
                        }
                        let target = fs::read_link(&candidate)?;
                        if target.is_absolute() {
                            let (root, parts) = split_root(&target)?;
                            resolved = root;
                            todo.extend(parts);
                        } else {
                            todo.extend(parts_of(&target));
                        }
                    }
                    Ok(_) => resolved = candidate,
                    Err(e)
                        if matches!(
                            e.kind(),
                            io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
                        ) =>
                    {
                        missing.push(name)
                    }
                    Err(e) => return Err(e),
                }
            }
        }
    }
    resolved.extend(missing);
    Ok(resolved)
}

/// One step of a path after its root.
enum Part {
    Up,
    Name(OsString),
}

/// The steps of `path` after its root, last first (a stack to pop).
fn parts_of(path: &Path) -> Vec<Part> {
    let mut parts: Vec<Part> = path
        .components()
        .filter_map(|c| match c {
            Component::ParentDir => Some(Part::Up),
            Component::Normal(name) => Some(Part::Name(name.to_os_string())),
            Component::CurDir | Component::RootDir | Component::Prefix(_) => None,
        })
        .collect();
    parts.reverse();
    parts
}

/// The canonical root of an absolute path, and its steps.
fn split_root(path: &Path) -> io::Result<(PathBuf, Vec<Part>)> {
    let root: PathBuf = path
        .components()
        .take_while(|c| matches!(c, Component::Prefix(_) | Component::RootDir))
        .collect();
    Ok((fs::canonicalize(root)?, parts_of(path)))
}

/// The project's folders and files no output may touch, resolved.
struct Project {
    root: PathBuf,
    /// Each input (and each place a symbolic link among them points to),
    /// with how messages name it.
    inputs: Vec<(String, PathBuf)>,
    /// The cache folder ([`CACHE`]), which holds `internal:` notes.
    cache: PathBuf,
}

impl Project {
    fn resolve(root: &Path, what: &'static str) -> Result<Project, Refusal> {
        let cannot = |e: io::Error| Refusal {
            what,
            path: root.to_path_buf(),
            resolved: None,
            why: format!("cannot tell where the project folder is: {e}"),
            help: "check --root names the project folder".to_string(),
        };
        let root = resolve(root).map_err(cannot)?;
        let mut inputs = Vec::new();
        for name in INPUTS {
            let top = root.join(name);
            if let Ok(resolved) = resolve(&top) {
                inputs.push((name.to_string(), resolved));
            }
            // Whatever a link inside the input points to is input too.
            let walk = walkdir::WalkDir::new(&top).follow_links(true);
            for entry in walk.into_iter().filter_map(Result::ok) {
                if entry.path_is_symlink() && entry.depth() > 0 {
                    if let Ok(target) = resolve(entry.path()) {
                        let shown = relative_name(&root, entry.path());
                        inputs.push((shown, target));
                    }
                }
            }
        }
        let cache = resolve(&root.join(CACHE)).unwrap_or_else(|_| root.join(CACHE));
        Ok(Project {
            root,
            inputs,
            cache,
        })
    }

    /// Why `path` (resolved) is the project, holds it, or is, holds or lies
    /// inside one of its inputs or its cache folder.
    fn clash(&self, path: &Path) -> Option<String> {
        if path == self.root {
            return Some("it is the project folder".to_string());
        }
        if self.root.starts_with(path) {
            return Some(format!(
                "it holds the project folder {}",
                self.root.display()
            ));
        }
        if path == self.cache || path.starts_with(&self.cache) || self.cache.starts_with(path) {
            return Some(format!(
                "it is, holds or lies inside the project's cache folder {CACHE}, which holds internal notes"
            ));
        }
        self.inputs.iter().find_map(|(name, input)| {
            let at = |relation: &str| {
                let place = if self.root.join(name) == *input {
                    String::new()
                } else {
                    format!(" ({})", input.display())
                };
                Some(format!("it {relation} the project's input {name}{place}"))
            };
            if path == input {
                at("is")
            } else if path.starts_with(input) {
                at("lies inside")
            } else if input.starts_with(path) {
                at("holds")
            } else {
                None
            }
        })
    }
}

/// The kind of output the stamp beside `folder` marks it as, if any.
pub fn stamped(folder: &Path) -> Option<OutputKind> {
    stamp::kind(folder).and_then(|kind| OutputKind::by_id(&kind))
}

/// Mark `folder` as an output of `kind` about to be put in place (see
/// [`stamp::mark`]).
pub fn mark(folder: &Path, kind: OutputKind) -> io::Result<()> {
    stamp::mark(folder, kind.id)
}

/// The kind of output ecoscore made `folder` as: its stamp says so. A
/// folder with a sitemap.xml and feed.xml is taken for a site too (one built
/// before stamps marked sites), so the briefing copy stays out of it.
fn made_as(folder: &Path) -> Option<OutputKind> {
    // The file system's root has no name, so no stamp beside it.
    folder.file_name()?;
    stamped(folder).or_else(|| {
        let site = folder.join("sitemap.xml").is_file() && folder.join("feed.xml").is_file();
        site.then_some(OutputKind::SITE)
    })
}

fn refusal(
    what: &'static str,
    path: &Path,
    resolved: &Path,
    why: String,
    help: impl Into<String>,
) -> Refusal {
    Refusal {
        what,
        path: path.to_path_buf(),
        resolved: Some(resolved.to_path_buf()),
        why,
        help: help.into(),
    }
}

/// Why an output of `kind` may not go to `folder` (resolved): it is, holds
/// or lies inside another kind's default folder, or lies inside an output
/// ecoscore made.
fn kind_clash(project: &Project, kind: OutputKind, folder: &Path) -> Option<String> {
    for other in OutputKind::ALL.into_iter().filter(|o| *o != kind) {
        let Ok(default) = resolve(&project.root.join(other.default)) else {
            continue;
        };
        let relation = if folder == default {
            "is"
        } else if folder.starts_with(&default) {
            "lies inside"
        } else if default.starts_with(folder) {
            "holds"
        } else {
            continue;
        };
        let place = if relation == "is" {
            String::new()
        } else {
            format!(" ({})", default.display())
        };
        return Some(format!("it {relation} the folder of {}{place}", other.what));
    }
    folder.ancestors().find_map(|dir| {
        let made = made_as(dir)?;
        match (dir == folder, made == kind) {
            // A folder rebuilt in place as what it already is.
            (true, true) => None,
            (true, false) => Some(format!("it is {} that ecoscore made there", made.what)),
            (false, _) => Some(format!(
                "it lies inside {}, {} ecoscore replaces as a whole",
                dir.display(),
                made.what
            )),
        }
    })
}

/// Check that an output of `kind` may be written to the folder `out`, and
/// return where it leads. The folder itself (or, for the briefing copy, the
/// year folder in it) still has to be [`replaceable`].
pub fn output_folder(root: &Path, kind: OutputKind, out: &Path) -> Result<PathBuf, Refusal> {
    let project = Project::resolve(root, kind.what)?;
    let resolved = resolve(out).map_err(|e| Refusal {
        what: kind.what,
        path: out.to_path_buf(),
        resolved: None,
        why: format!("cannot tell where it leads: {e}"),
        help: "choose a folder whose path can be followed".to_string(),
    })?;
    let help = if kind.public {
        format!("the build replaces its output folder as a whole; choose a separate folder, e.g. --out {}", kind.default)
    } else {
        format!("{} holds internal notes and must never be published, nor replace project files; use the default --out {}", kind.what, kind.default)
    };
    let why = project
        .clash(&resolved)
        .or_else(|| kind_clash(&project, kind, &resolved));
    match why {
        Some(why) => Err(refusal(kind.what, out, &resolved, why, help)),
        None => Ok(resolved),
    }
}

/// Check that `folder` (resolved) may be replaced by an output of `kind`:
/// it is missing, empty, or ecoscore made it as that kind.
pub fn replaceable(kind: OutputKind, folder: &Path) -> Result<(), Refusal> {
    let Ok(meta) = fs::metadata(folder) else {
        return Ok(());
    };
    let why = if !meta.is_dir() {
        "it is a file, not a folder".to_string()
    } else if fs::read_dir(folder).is_ok_and(|mut entries| entries.next().is_none())
        || stamped(folder) == Some(kind)
    {
        return Ok(());
    } else {
        format!(
            "it holds files and is not {} (no {} beside it), so replacing it could destroy them",
            kind.made,
            stamp::path(folder).display()
        )
    };
    Err(refusal(
        kind.what,
        folder,
        folder,
        why,
        format!(
            "choose a new or empty folder; if {} is an earlier ecoscore output, delete it and run again",
            folder.display()
        ),
    ))
}

/// Check that the archive may be exported to `file`, and return where it
/// leads: never an input, a folder or device, or a file inside an output
/// folder; an existing file only with `force`.
pub fn export_file(root: &Path, file: &Path, force: bool) -> Result<PathBuf, Refusal> {
    const TARBALL: &str = "the tarball";
    let project = Project::resolve(root, TARBALL)?;
    let resolved = resolve(file).map_err(|e| Refusal {
        what: TARBALL,
        path: file.to_path_buf(),
        resolved: None,
        why: format!("cannot tell where it leads: {e}"),
        help: "choose a file whose path can be followed".to_string(),
    })?;
    let elsewhere = "write the tarball outside the project's input and output folders, e.g. --export jilin-2023.tar.gz beside site.yaml";
    if let Some(why) = project.clash(&resolved) {
        return Err(refusal(TARBALL, file, &resolved, why, elsewhere));
    }
    let existing = fs::metadata(&resolved).ok();
    if existing.as_ref().is_some_and(|m| !m.is_file()) {
        let why = "it exists and is not a regular file (a folder, device, pipe or socket)";
        return Err(refusal(
            TARBALL,
            file,
            &resolved,
            why.to_string(),
            elsewhere,
        ));
    }
    let outputs = OutputKind::ALL.into_iter().find_map(|kind| {
        let default = resolve(&project.root.join(kind.default)).ok()?;
        resolved.starts_with(&default).then(|| {
            format!(
                "it lies inside {} ({}), which ecoscore replaces as a whole",
                kind.what,
                default.display()
            )
        })
    });
    let made = resolved.ancestors().skip(1).find_map(|dir| {
        made_as(dir).map(|kind| {
            format!(
                "it lies inside {}, {} ecoscore replaces as a whole",
                dir.display(),
                kind.what
            )
        })
    });
    if let Some(why) = outputs.or(made) {
        return Err(refusal(TARBALL, file, &resolved, why, elsewhere));
    }
    if existing.is_some() && !force {
        return Err(refusal(
            TARBALL,
            file,
            &resolved,
            "the file exists".to_string(),
            "add --force to replace it, or choose a new name",
        ));
    }
    Ok(resolved)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    /// A project at `<tmp>/p` with inputs, and links around it.
    fn project() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let base = fs::canonicalize(dir.path()).unwrap();
        let root = base.join("p");
        for folder in ["data/2024", "content", "themes/default", "archive"] {
            fs::create_dir_all(root.join(folder)).unwrap();
        }
        fs::write(root.join("site.yaml"), "title: x\n").unwrap();
        symlink(&root, base.join("link")).unwrap();
        symlink("data", root.join("to-data")).unwrap();
        symlink("..", root.join("up")).unwrap();
        (dir, root)
    }

    #[test]
    fn resolution_follows_links_and_takes_back_missing_folders() {
        let (_dir, root) = project();
        let base = root.parent().unwrap();
        let cases = [
            ("p/public/../data", "p/data"),
            ("p/nosuch/../content", "p/content"),
            ("link/data", "p/data"),
            ("link/to-data/2024", "p/data/2024"),
            ("p/up/p/./site.yaml", "p/site.yaml"),
            ("p/a/b/../../archive/x", "p/archive/x"),
            ("link/..", ""),
            ("p/site.yaml/x/..", "p/site.yaml"),
        ];
        for (path, expected) in cases {
            let resolved = resolve(&base.join(path)).unwrap();
            let expected = if expected.is_empty() {
                base.to_path_buf()
            } else {
                base.join(expected)
            };
            assert_eq!(resolved, expected, "{path}");
        }
        symlink("loop", root.join("loop")).unwrap();
        assert!(resolve(&root.join("loop/x")).is_err());
    }

    #[test]
    fn output_folders_keep_out_of_the_project() {
        let (_dir, root) = project();
        let base = root.parent().unwrap().to_path_buf();
        let refused =
            |kind, out: &str| output_folder(&root, kind, &base.join(out)).unwrap_err().why;
        assert_eq!(refused(OutputKind::SITE, "p"), "it is the project folder");
        assert!(refused(OutputKind::SITE, "").starts_with("it holds the project folder"));
        assert_eq!(
            refused(OutputKind::SITE, "link/public/../data"),
            "it is the project's input data"
        );
        assert_eq!(
            refused(OutputKind::SITE, "p/themes/default/x"),
            "it lies inside the project's input themes"
        );
        assert!(refused(OutputKind::SITE, "p/briefing/www").contains("the briefing copy"));
        // The validated years a build keeps hold internal notes.
        for cache in [
            "p/.ecoscore-cache",
            "p/.ecoscore-cache/years",
            "link/x/../.ecoscore-cache",
        ] {
            for kind in [OutputKind::SITE, OutputKind::BRIEFING] {
                let why = refused(kind, cache);
                assert!(
                    why.contains("the project's cache folder .ecoscore-cache"),
                    "{cache}: {why}"
                );
            }
        }
        assert!(refused(OutputKind::BRIEFING, "p/public").contains("the public site"));
        assert!(output_folder(&root, OutputKind::SITE, &base.join("p/public")).is_ok());
        assert!(output_folder(&root, OutputKind::BRIEFING, &base.join("copies")).is_ok());
    }

    #[test]
    fn a_link_inside_the_input_protects_where_it_points() {
        let (dir, root) = project();
        let shared = dir.path().join("shared");
        fs::create_dir_all(shared.join("2024")).unwrap();
        symlink(&shared, root.join("data/shared")).unwrap();
        let why = output_folder(&root, OutputKind::SITE, &shared.join("2024"))
            .unwrap_err()
            .why;
        assert!(why.contains("data/shared"), "{why}");
        let why = output_folder(&root, OutputKind::SITE, dir.path())
            .unwrap_err()
            .why;
        assert!(why.starts_with("it holds"), "{why}");
    }

    #[test]
    fn only_empty_or_marked_folders_are_replaceable() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        assert!(replaceable(OutputKind::SITE, &out).is_ok(), "missing");
        fs::create_dir(&out).unwrap();
        assert!(replaceable(OutputKind::SITE, &out).is_ok(), "empty");
        fs::write(out.join("mine.txt"), "x").unwrap();
        let why = replaceable(OutputKind::SITE, &out).unwrap_err().why;
        assert!(why.contains("not a site ecoscore built"), "{why}");
        mark(&out, OutputKind::BRIEFING).unwrap();
        assert!(replaceable(OutputKind::SITE, &out).is_err(), "another kind");
        mark(&out, OutputKind::SITE).unwrap();
        assert!(replaceable(OutputKind::SITE, &out).is_ok());
    }

    #[test]
    fn exports_never_replace_input_outputs_devices_or_unforced_files() {
        let (_dir, root) = project();
        let base = root.parent().unwrap().to_path_buf();
        let why =
            |file: &str, force| export_file(&root, &base.join(file), force).map_err(|r| r.why);
        assert_eq!(
            why("link/site.yaml", true).unwrap_err(),
            "it is the project's input site.yaml"
        );
        assert!(why("p/to-data/x.tar.gz", true)
            .unwrap_err()
            .contains("lies inside the project's input data"));
        assert!(why("p/public/x.tar.gz", true)
            .unwrap_err()
            .contains("the public site"));
        assert!(export_file(&root, Path::new("/dev/null"), true)
            .unwrap_err()
            .why
            .contains("not a regular file"));
        fs::write(base.join("old.tar.gz"), "x").unwrap();
        assert!(why("old.tar.gz", false).unwrap_err().contains("exists"));
        assert_eq!(why("old.tar.gz", true).unwrap(), base.join("old.tar.gz"));
        assert_eq!(why("p/new.tar.gz", false).unwrap(), root.join("new.tar.gz"));
    }
}
