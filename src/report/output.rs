//! Output files: `-o FILE` (written through to devices and pipes, regular files replaced
//! atomically keeping their permissions), temporary files removed on Ctrl-C and after a killed run.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

/// Writes output to a file the user named (`-o FILE`). `-` is standard output. A path through
/// `/proc` or `/dev/fd` (as `/dev/stdout` is), a device, a FIFO or a socket is opened and written
/// through (appending), never replaced. A symlink is followed to its final target, which is then
/// written like a regular file: replaced atomically (a temporary file in the same folder, renamed over it), keeping the existing
/// file's permissions, after removing stale temporary files a killed run left in its folder
/// (untouched for an hour). On failure a regular file is left as it was.
pub fn write_output(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    if path == Path::new("-") {
        let mut out = io::BufWriter::new(io::stdout().lock());
        write(&mut out)?;
        return out.flush();
    }
    match destination(path)? {
        Destination::Stream(target) => {
            let file = fs::OpenOptions::new().append(true).open(target)?;
            let mut out = io::BufWriter::new(file);
            write(&mut out)?;
            out.flush()
        }
        Destination::File(target) => {
            remove_stale_temporary_files(folder_of(&target));
            write_atomically(&target, write)
        }
    }
}

/// Where [`write_output`] writes.
enum Destination {
    /// Written through: a device, FIFO, socket or open file descriptor.
    Stream(PathBuf),
    /// Replaced atomically: a regular file, or a path where nothing is yet.
    File(PathBuf),
}

/// Symlinks followed before giving up, as the kernel's limit (`ELOOP`).
const MAX_SYMLINK_HOPS: usize = 40;

/// Follows `path` through its symlinks to what output to it should write.
fn destination(path: &Path) -> io::Result<Destination> {
    let mut current = path.to_path_buf();
    for _ in 0..MAX_SYMLINK_HOPS {
        if current.starts_with("/proc") || current.starts_with("/dev/fd") {
            return Ok(Destination::Stream(current));
        }
        let metadata = match fs::symlink_metadata(&current) {
            Ok(metadata) => metadata,
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                return Ok(Destination::File(current));
            }
            Err(error) => return Err(error),
        };
        if metadata.is_symlink() {
            let link = fs::read_link(&current)?;
            current = current.parent().unwrap_or(Path::new("")).join(link);
        } else if metadata.is_file() {
            return Ok(Destination::File(current));
        } else if metadata.is_dir() {
            return Err(io::Error::new(
                io::ErrorKind::IsADirectory,
                "it is a folder; name a file",
            ));
        } else {
            return Ok(Destination::Stream(current));
        }
    }
    Err(io::Error::other("too many levels of symbolic links"))
}

/// The folder `path` is in (`.` for a bare file name).
pub(super) fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

/// Temporary files of [`write_atomically`] are named `.mentorlens-XXXXXX.tmp`, X a letter or digit.
const TEMPORARY_PREFIX: &str = ".mentorlens-";
/// The end of a temporary file's name.
const TEMPORARY_SUFFIX: &str = ".tmp";
/// Random letters and digits in a temporary file's name.
const TEMPORARY_RANDOM_CHARS: usize = 6;

/// A builder of temporary files and folders named so the stale clean-up recognises them
/// (`.mentorlens-XXXXXX.tmp`), created with `mode` (Unix; the umask still applies).
pub(super) fn temporary_builder(mode: u32) -> tempfile::Builder<'static, 'static> {
    let mut builder = tempfile::Builder::new();
    builder
        .prefix(TEMPORARY_PREFIX)
        .suffix(TEMPORARY_SUFFIX)
        .rand_bytes(TEMPORARY_RANDOM_CHARS);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(fs::Permissions::from_mode(mode));
    }
    #[cfg(not(unix))]
    let _ = mode;
    builder
}

/// A temporary file untouched this long was left by a run that was killed (SIGKILL, power loss):
/// a live write keeps touching its file.
const STALE_AFTER: Duration = Duration::from_secs(60 * 60);

/// Removes the stale temporary files in `folder` (and the temporary folders of
/// `Report::write_parquet`), as far as it can; other files are never touched.
pub(super) fn remove_stale_temporary_files(folder: &Path) {
    let Ok(entries) = fs::read_dir(folder) else {
        return;
    };
    for entry in entries.flatten() {
        if !is_temporary_name(&entry.file_name().to_string_lossy()) {
            continue;
        }
        // DirEntry::metadata does not follow symlinks: only regular files and folders are removed.
        let Ok(metadata) = entry.metadata() else {
            continue;
        };
        let stale = metadata
            .modified()
            .is_ok_and(|time| time.elapsed().is_ok_and(|age| age > STALE_AFTER));
        if stale && metadata.is_file() {
            let _ = fs::remove_file(entry.path());
        } else if stale && metadata.is_dir() {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

fn is_temporary_name(name: &str) -> bool {
    name.strip_prefix(TEMPORARY_PREFIX)
        .and_then(|rest| rest.strip_suffix(TEMPORARY_SUFFIX))
        .is_some_and(|random| {
            random.len() == TEMPORARY_RANDOM_CHARS
                && random.bytes().all(|byte| byte.is_ascii_alphanumeric())
        })
}

/// Temporary files being written now, for [`remove_temporary_files_and_exit`].
static TEMPORARY_FILES: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

pub(super) fn temporary_files() -> MutexGuard<'static, Vec<PathBuf>> {
    TEMPORARY_FILES
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
}

/// Removes the temporary files of the atomic writes in progress and exits the process with
/// `code`; no write can start a new temporary file in between. For a SIGINT or SIGTERM handler.
pub fn remove_temporary_files_and_exit(code: i32) -> ! {
    let files = temporary_files();
    for path in files.iter() {
        // A file of `write_atomically`, or the folder of `Report::write_parquet`.
        let _ = fs::remove_file(path).or_else(|_| fs::remove_dir_all(path));
    }
    std::process::exit(code)
}

/// Writes a file atomically: into a temporary file beside it, then renamed over it, so an
/// interrupted run never leaves a half-written file. A file that is replaced keeps its
/// permissions; a new one is created like any other (0666 less the umask), not private.
pub(crate) fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    let kept_permissions = fs::metadata(path)
        .ok()
        .filter(fs::Metadata::is_file)
        .map(|metadata| metadata.permissions());
    let builder = temporary_builder(0o666);
    // Created and listed under one lock, so an interrupt cannot miss it.
    let temporary = {
        let mut files = temporary_files();
        let temporary = builder.tempfile_in(folder_of(path))?;
        files.push(temporary.path().to_path_buf());
        temporary
    };
    let temporary_path = temporary.path().to_path_buf();
    let result = fill_and_rename(temporary, kept_permissions, path, write);
    temporary_files().retain(|listed| *listed != temporary_path);
    result
}

/// Writes into `temporary`, gives it `permissions`, and renames it to `path`; on failure the
/// temporary file is deleted.
fn fill_and_rename(
    mut temporary: tempfile::NamedTempFile,
    permissions: Option<fs::Permissions>,
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    {
        let mut out = io::BufWriter::new(temporary.as_file_mut());
        write(&mut out)?;
        out.flush()?;
    }
    if let Some(permissions) = permissions {
        temporary.as_file().set_permissions(permissions)?;
    }
    temporary.as_file().sync_all()?;
    temporary.persist(path).map_err(|error| error.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_whole_file() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("report.json");
        std::fs::write(&path, "old").unwrap();
        let failed = write_atomically(&path, |out: &mut dyn Write| {
            out.write_all(b"partial")?;
            Err(io::Error::other("interrupted"))
        });
        assert!(failed.is_err());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old");
        write_atomically(&path, |out: &mut dyn Write| out.write_all(b"new")).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        assert_eq!(std::fs::read_dir(folder.path()).unwrap().count(), 1);
    }

    fn mode(path: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        fs::metadata(path).unwrap().permissions().mode() & 0o7777
    }

    #[test]
    fn output_replacing_a_file_keeps_its_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let folder = tempfile::tempdir().unwrap();
        for kept in [0o600, 0o444, 0o640] {
            let path = folder.path().join(format!("{kept:o}.json"));
            fs::write(&path, "old").unwrap();
            fs::set_permissions(&path, fs::Permissions::from_mode(kept)).unwrap();
            write_output(&path, |out: &mut dyn Write| out.write_all(b"new")).unwrap();
            assert_eq!(fs::read_to_string(&path).unwrap(), "new");
            assert_eq!(mode(&path), kept);
        }
    }

    #[test]
    fn output_through_symlinks_lands_at_the_final_target() {
        let folder = tempfile::tempdir().unwrap();
        let base = folder.path();
        fs::create_dir(base.join("reports")).unwrap();
        fs::write(base.join("reports/report.json"), "old").unwrap();
        // A relative link to a relative link; and a dangling link, whose target is created.
        std::os::unix::fs::symlink("report.json", base.join("reports/current")).unwrap();
        std::os::unix::fs::symlink("reports/current", base.join("latest")).unwrap();
        std::os::unix::fs::symlink("reports/next.json", base.join("next")).unwrap();
        for link in ["latest", "next"] {
            write_output(&base.join(link), |out: &mut dyn Write| {
                out.write_all(b"new")
            })
            .unwrap();
            assert!(base.join(link).symlink_metadata().unwrap().is_symlink());
        }
        assert!(
            base.join("reports/current")
                .symlink_metadata()
                .unwrap()
                .is_symlink()
        );
        assert_eq!(
            fs::read_to_string(base.join("reports/report.json")).unwrap(),
            "new"
        );
        assert_eq!(
            fs::read_to_string(base.join("reports/next.json")).unwrap(),
            "new"
        );
    }

    #[test]
    fn output_to_a_folder_or_a_missing_folder_fails_untouched() {
        let folder = tempfile::tempdir().unwrap();
        let write = |out: &mut dyn Write| out.write_all(b"new");
        assert!(write_output(folder.path(), write).is_err());
        assert!(write_output(&folder.path().join("missing/report.json"), write).is_err());
        assert_eq!(fs::read_dir(folder.path()).unwrap().count(), 0);
    }

    #[test]
    fn only_temporary_file_names_are_recognised() {
        assert!(is_temporary_name(".mentorlens-Ab12Cd.tmp"));
        for name in [
            ".mentorlens-cache",
            ".mentorlens-Ab12Cd",
            ".mentorlens-Ab12C.tmp",
            ".mentorlens-Ab-2Cd.tmp",
            "mentorlens-Ab12Cd.tmp",
        ] {
            assert!(!is_temporary_name(name), "{name}");
        }
        // Names write_atomically makes are recognised.
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("report.json");
        write_atomically(&path, |out: &mut dyn Write| {
            let names: Vec<String> = fs::read_dir(folder.path())
                .unwrap()
                .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            assert!(
                names.iter().all(|name| is_temporary_name(name)),
                "{names:?}"
            );
            assert!(listed(folder.path()));
            out.write_all(b"new")
        })
        .unwrap();
        assert!(!listed(folder.path()));
    }

    /// Whether a temporary file in `folder` is listed for removal on an interrupt.
    fn listed(folder: &Path) -> bool {
        temporary_files()
            .iter()
            .any(|path| path.starts_with(folder))
    }
}
