//! Course archives as a national administrator uploads them, built from the real
//! board-leaders course folder: as shipped, at another version, or changed by a test.

use std::{
    collections::BTreeMap,
    io::{Cursor, Write},
    path::Path,
};

use super::training::builtin;

/// The course every archive here is built from.
pub const SLUG: &str = "board-leaders";

/// The board-leaders course folder's files, by path inside the folder.
pub fn course_files() -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).expect("read course folder") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path.strip_prefix(root).expect("inside the folder");
                let name = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/");
                out.insert(name, std::fs::read(&path).expect("read file"));
            }
        }
    }
    let root = Path::new("content/courses/board-leaders");
    let mut files = BTreeMap::new();
    walk(root, root, &mut files);
    assert!(files.contains_key("course.toml"));
    files
}

/// The course's files with `version` in course.toml changed.
pub fn course_at_version(version: &str) -> BTreeMap<String, Vec<u8>> {
    let mut files = course_files();
    let manifest = String::from_utf8(files["course.toml"].clone()).expect("UTF-8");
    let shipped = format!("version = \"{}\"", builtin(SLUG).version);
    assert!(manifest.contains(&shipped));
    files.insert(
        "course.toml".into(),
        manifest
            .replacen(&shipped, &format!("version = \"{version}\""), 1)
            .into_bytes(),
    );
    files
}

/// A zip of the files inside a top-level `board-leaders/` folder, as zipping the folder
/// itself would make.
pub fn zip_folder(files: &BTreeMap<String, Vec<u8>>) -> Vec<u8> {
    let entries: Vec<(String, &[u8])> = files
        .iter()
        .map(|(k, v)| (format!("board-leaders/{k}"), v.as_slice()))
        .collect();
    zip_of(&entries)
}

/// A zip of `entries` (path inside the archive, bytes).
pub fn zip_of(entries: &[(String, &[u8])]) -> Vec<u8> {
    let mut buf = Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        for (name, data) in entries {
            z.start_file(name.as_str(), zip::write::SimpleFileOptions::default())
                .expect("start file");
            z.write_all(data).expect("write file");
        }
        z.finish().expect("finish zip");
    }
    buf.into_inner()
}
