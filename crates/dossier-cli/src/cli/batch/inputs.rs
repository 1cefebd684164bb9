//! The inputs of a batch: the paths given, the lines of `--from`, directories walked recursively,
//! each path once, cut to one shard, and put in the order they are dispatched.
//!
//! Nothing here reads a file's content: recognising inputs by their bytes is the worker's job, so
//! a directory of a million files is listed at the speed of `stat`.

use std::collections::HashSet;
use std::fs;
use std::io::{self, BufRead};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::protocol::path_bytes;

/// Directory levels walked below a given directory: deeper trees are cut (and said so), since a
/// crawl is never that deep and a loop of bind mounts could be endless.
const MAX_DEPTH: usize = 64;

/// One input to scan, or a path that could not even be listed (it gets an error record).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    pub path: PathBuf,
    /// The size `stat` gave, for the dispatch order and the memory estimate; 0 when unknown.
    pub size: u64,
    /// Why the path cannot be scanned, found while listing (missing, an unreadable directory).
    pub problem: Option<String>,
}

/// Every input under `paths` and the lines of `from` (standard input for `-`), each path once.
pub fn list(paths: &[PathBuf], from: Option<&Path>) -> io::Result<Vec<Input>> {
    let mut given: Vec<PathBuf> = paths.to_vec();
    if let Some(list) = from {
        let reader: Box<dyn BufRead> = if list == Path::new("-") {
            Box::new(io::stdin().lock())
        } else {
            let file = fs::File::open(list)
                .map_err(|err| io::Error::new(err.kind(), format!("{}: {err}", list.display())))?;
            Box::new(io::BufReader::new(file))
        };
        for line in reader.split(b'\n') {
            let mut line = line?;
            if line.last() == Some(&b'\r') {
                line.pop();
            }
            if !line.is_empty() {
                given.push(path_from_line(line));
            }
        }
    }
    let mut inputs = Vec::new();
    let mut seen = HashSet::new();
    for path in given {
        walk(path, 0, &mut inputs, &mut seen);
    }
    Ok(inputs)
}

fn walk(path: PathBuf, depth: usize, inputs: &mut Vec<Input>, seen: &mut HashSet<PathBuf>) {
    if !seen.insert(path.clone()) {
        return;
    }
    // A symbolic link to a file is followed; one to a directory is not (loops, and trees
    // counted twice), except for the paths given, which the user named on purpose.
    let meta = if depth == 0 {
        fs::metadata(&path)
    } else {
        fs::symlink_metadata(&path)
    };
    let meta = match meta {
        Ok(meta) if meta.file_type().is_symlink() => match fs::metadata(&path) {
            Ok(target) if target.is_file() => target,
            _ => return,
        },
        Ok(meta) => meta,
        Err(err) => {
            inputs.push(Input {
                path,
                size: 0,
                problem: Some(format!("cannot read it: {err}")),
            });
            return;
        }
    };
    if meta.is_file() {
        inputs.push(Input {
            path,
            size: meta.len(),
            problem: None,
        });
        return;
    }
    if !meta.is_dir() {
        // Sockets, pipes and devices met in a directory are not inputs a crawl holds; one named
        // on purpose gets a record that says why it was not read.
        if depth == 0 {
            inputs.push(Input {
                path,
                size: 0,
                problem: Some("not a regular file or a directory: not read".to_owned()),
            });
        }
        return;
    }
    if depth >= MAX_DEPTH {
        inputs.push(Input {
            path,
            size: 0,
            problem: Some(format!(
                "a directory more than {MAX_DEPTH} levels deep: not searched"
            )),
        });
        return;
    }
    let entries = match fs::read_dir(&path) {
        Ok(entries) => entries,
        Err(err) => {
            inputs.push(Input {
                path,
                size: 0,
                problem: Some(format!("cannot list this directory: {err}")),
            });
            return;
        }
    };
    let mut children: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .collect();
    children.sort();
    for child in children {
        walk(child, depth + 1, inputs, seen);
    }
}

/// Whether `path` falls in shard `k` of `n` (1-based): a hash of the path's bytes, so every task
/// of a job array given the same inputs agrees without talking to the others.
pub fn in_shard(path: &Path, (k, n): (u32, u32)) -> bool {
    let digest = Sha256::digest(path_bytes(path));
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    u64::from_be_bytes(first) % u64::from(n) == u64::from(k - 1)
}

/// Whether two paths name the same file; compared by name first so that a listing of a million
/// files does not resolve each one.
pub fn same_file(a: &Path, b: &Path) -> bool {
    a.file_name() == b.file_name()
        && matches!(
            (fs::canonicalize(a), fs::canonicalize(b)),
            (Ok(a), Ok(b)) if a == b
        )
}

/// Largest first: the long scans start early and the short ones fill the gaps at the end, so
/// the cores stay busy until the last input (ties by path, for a repeatable order).
pub fn dispatch_order(inputs: &mut [Input]) {
    inputs.sort_by(|a, b| b.size.cmp(&a.size).then_with(|| a.path.cmp(&b.path)));
}

#[cfg(unix)]
fn path_from_line(line: Vec<u8>) -> PathBuf {
    use std::os::unix::ffi::OsStringExt;
    PathBuf::from(std::ffi::OsString::from_vec(line))
}

#[cfg(not(unix))]
fn path_from_line(line: Vec<u8>) -> PathBuf {
    PathBuf::from(String::from_utf8_lossy(&line).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_are_disjoint_and_cover_every_path() {
        let paths: Vec<PathBuf> = (0..300)
            .map(|i| PathBuf::from(format!("d/{i}.apk")))
            .collect();
        let mut counts = [0usize; 3];
        for path in &paths {
            let owners: Vec<u32> = (1..=3).filter(|&k| in_shard(path, (k, 3))).collect();
            assert_eq!(
                owners.len(),
                1,
                "{} is in shards {owners:?}",
                path.display()
            );
            counts[owners[0] as usize - 1] += 1;
        }
        // A hash spreads them: no shard is empty or holds nearly all.
        assert!(
            counts.iter().all(|&c| (60..=140).contains(&c)),
            "{counts:?}"
        );
    }

    #[test]
    fn directories_are_walked_sorted_and_each_path_listed_once() {
        let dir = std::env::temp_dir().join(format!("dossier-inputs-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("sub")).unwrap();
        fs::write(dir.join("b.apk"), b"12").unwrap();
        fs::write(dir.join("sub/a.apk"), b"1").unwrap();
        let missing = dir.join("missing.apk");
        let listed = list(&[dir.clone(), dir.join("b.apk"), missing.clone()], None).unwrap();
        let paths: Vec<&Path> = listed.iter().map(|input| input.path.as_path()).collect();
        assert_eq!(
            paths,
            [dir.join("b.apk"), dir.join("sub/a.apk"), missing.clone()]
        );
        assert_eq!(listed[0].size, 2);
        assert!(
            listed[2]
                .problem
                .as_deref()
                .unwrap()
                .starts_with("cannot read it")
        );
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_largest_inputs_go_first() {
        let input = |name: &str, size| Input {
            path: PathBuf::from(name),
            size,
            problem: None,
        };
        let mut inputs = vec![input("a", 1), input("b", 9), input("c", 9)];
        dispatch_order(&mut inputs);
        let names: Vec<_> = inputs.iter().map(|i| i.path.to_str().unwrap()).collect();
        assert_eq!(names, ["b", "c", "a"]);
    }
}
