//! Finding the `.slt` files of a suite and naming them stably for case ids.

use std::path::{Path, PathBuf};

/// One suite file and the name its case ids use (its path relative to the suite root,
/// with `/` separators, so ids survive moving the checkout).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SltFile {
    pub path: PathBuf,
    pub name: String,
}

impl SltFile {
    /// The report group: the file name without `.slt` (e.g. `joins`).
    pub fn group(&self) -> String {
        let stem = self.name.rsplit('/').next().unwrap_or(&self.name);
        stem.strip_suffix(".slt").unwrap_or(stem).to_owned()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum FilesError {
    #[error("suite path {0} does not exist")]
    Missing(PathBuf),
    #[error("reading {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The `.slt` files under `root` (a file or a folder, searched recursively), sorted.
/// `prefix` goes in front of each name, to keep ids of several suites apart.
pub fn collect(root: &Path, prefix: Option<&str>) -> Result<Vec<SltFile>, FilesError> {
    if !root.exists() {
        return Err(FilesError::Missing(root.to_owned()));
    }
    let mut paths = Vec::new();
    if root.is_file() {
        paths.push(root.to_owned());
    } else {
        walk(root, &mut paths)?;
    }
    paths.sort();
    let base = if root.is_file() {
        root.parent().unwrap_or(Path::new(""))
    } else {
        root
    };
    Ok(paths
        .into_iter()
        .map(|path| {
            let rel = path.strip_prefix(base).unwrap_or(&path);
            let rel = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            let name = match prefix {
                Some(p) => format!("{p}/{rel}"),
                None => rel,
            };
            SltFile { path, name }
        })
        .collect())
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), FilesError> {
    let io = |source| FilesError::Io {
        path: dir.to_owned(),
        source,
    };
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        if path.is_dir() {
            walk(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "slt") {
            out.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_relative_and_sorted() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        for f in ["b.slt", "a.slt", "sub/c.slt", "notes.md"] {
            std::fs::write(dir.path().join(f), "").unwrap();
        }
        let files = collect(dir.path(), Some("mine")).unwrap();
        let names: Vec<_> = files.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["mine/a.slt", "mine/b.slt", "mine/sub/c.slt"]);
        assert_eq!(files[2].group(), "c");
        assert!(matches!(
            collect(&dir.path().join("nope"), None),
            Err(FilesError::Missing(_))
        ));
    }
}
