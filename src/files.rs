//! Reading the small files the tool itself depends on (settings, data files, cache entries) with
//! a size limit, never hanging on a named pipe, and for the tool's own files without following a
//! link.
//!
//! Inputs to analyse have their own loader ([`crate::corpus`]); this module is for everything else,
//! where a device, a pipe or a huge file named by mistake (or planted) must give a clear error
//! instead of a hang or an allocation that never ends.

use std::io::{self, Read};
use std::path::Path;

/// Who chose the file, which decides what it may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Links {
    /// A file the user named: a link is followed, and a pipe is read (`--config <(…)`).
    Follow,
    /// A file the tool keeps, such as a cache entry: only a regular file, never through a link.
    Refuse,
}

/// The limit on settings and user data files (lexicons, cues, taxonomies): 64 MiB.
pub const DATA_FILE_LIMIT: u64 = 64 << 20;

/// Reads a regular file of at most `limit` bytes.
///
/// The file is opened without blocking (a named pipe is refused, not waited on), checked to be a
/// regular file on the open handle, and read through a `limit + 1` window, so a file that grows
/// or lies about its size still cannot make the read unbounded.
pub fn read_regular_file(path: &Path, limit: u64, links: Links) -> io::Result<Vec<u8>> {
    let file = open_without_blocking(path, links)?;
    let meta = file.metadata()?;
    let named_pipe = links == Links::Follow && is_pipe(&meta);
    if !meta.is_file() && !named_pipe {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a regular file (a device, socket or folder, or a pipe where only a file will do)",
        ));
    }
    if named_pipe {
        // Opened without blocking; read it blocking, as a pipe is meant to be read. A pipe with
        // no writer reads as empty rather than hanging.
        set_blocking(&file)?;
    }
    if meta.len() > limit {
        return Err(too_large(limit));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(too_large(limit));
    }
    Ok(bytes)
}

/// [`read_regular_file`] for a text file in UTF-8.
pub fn read_text_file(path: &Path, limit: u64) -> io::Result<String> {
    let bytes = read_regular_file(path, limit, Links::Follow)?;
    String::from_utf8(bytes).map_err(|error| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "not valid UTF-8 (first bad byte at offset {}); save it as UTF-8",
                error.utf8_error().valid_up_to()
            ),
        )
    })
}

fn too_large(limit: u64) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("larger than the limit of {limit} bytes"),
    )
}

#[cfg(unix)]
fn is_pipe(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::FileTypeExt;
    meta.file_type().is_fifo()
}

#[cfg(not(unix))]
fn is_pipe(_meta: &std::fs::Metadata) -> bool {
    false
}

#[cfg(unix)]
fn set_blocking(file: &std::fs::File) -> io::Result<()> {
    use std::os::fd::AsRawFd;
    let descriptor = file.as_raw_fd();
    // SAFETY: fcntl on a descriptor this function's caller owns, with no pointer arguments.
    let flags = unsafe { libc::fcntl(descriptor, libc::F_GETFL) };
    // SAFETY: as above.
    if flags < 0 || unsafe { libc::fcntl(descriptor, libc::F_SETFL, flags & !libc::O_NONBLOCK) } < 0
    {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

#[cfg(not(unix))]
fn set_blocking(_file: &std::fs::File) -> io::Result<()> {
    Ok(())
}

#[cfg(unix)]
fn open_without_blocking(path: &Path, links: Links) -> io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut flags = libc::O_NONBLOCK;
    if links == Links::Refuse {
        flags |= libc::O_NOFOLLOW;
    }
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(flags)
        .open(path)
}

#[cfg(not(unix))]
fn open_without_blocking(path: &Path, links: Links) -> io::Result<std::fs::File> {
    if links == Links::Refuse && std::fs::symlink_metadata(path)?.file_type().is_symlink() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "a symbolic link where a regular file is expected",
        ));
    }
    std::fs::File::open(path)
}

/// Makes a named pipe at `path` (for tests of what must never block on one).
#[cfg(all(test, unix))]
pub(crate) fn make_fifo(path: &Path) {
    let made = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo (coreutils) is installed");
    assert!(made.success(), "mkfifo {}", path.display());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_small_file_and_refuses_a_large_one() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("a.txt");
        std::fs::write(&path, "twelve bytes").unwrap();
        assert_eq!(
            read_regular_file(&path, 12, Links::Follow).unwrap(),
            b"twelve bytes"
        );
        let error = read_regular_file(&path, 11, Links::Follow).unwrap_err();
        assert!(error.to_string().contains("limit of 11"), "{error}");
    }

    #[cfg(unix)]
    #[test]
    fn refuses_links_when_asked_devices_and_pipes_without_blocking() {
        let folder = tempfile::tempdir().unwrap();
        let target = folder.path().join("target.json");
        std::fs::write(&target, "{}").unwrap();
        let link = folder.path().join("link.json");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        assert!(read_regular_file(&link, 10, Links::Follow).is_ok());
        assert!(read_regular_file(&link, 10, Links::Refuse).is_err());
        let zero = read_regular_file(Path::new("/dev/zero"), 10, Links::Follow).unwrap_err();
        assert!(zero.to_string().contains("not a regular file"), "{zero}");
        let fifo = folder.path().join("fifo");
        make_fifo(&fifo);
        // A pipe the tool keeps is refused; one the user named with no writer reads as empty
        // (without O_NONBLOCK either would block forever).
        assert!(read_regular_file(&fifo, 10, Links::Refuse).is_err());
        assert_eq!(read_regular_file(&fifo, 10, Links::Follow).unwrap(), b"");
    }

    #[cfg(unix)]
    #[test]
    fn a_pipe_the_user_named_is_read_through_the_limit() {
        let folder = tempfile::tempdir().unwrap();
        let fifo = folder.path().join("settings.toml");
        make_fifo(&fifo);
        let writer_path = fifo.clone();
        // Opening a FIFO to write waits for a reader, and a reader that found it empty may have
        // gone before the write: both sides try again until the text got through.
        let writer = std::thread::spawn(move || {
            for _ in 0..200 {
                if std::fs::write(&writer_path, "against = [\"corpus\"]\n").is_ok() {
                    return;
                }
            }
        });
        let mut text = Vec::new();
        for _ in 0..200 {
            text = read_regular_file(&fifo, 100, Links::Follow).unwrap();
            if !text.is_empty() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        writer.join().unwrap();
        assert_eq!(text, b"against = [\"corpus\"]\n");
    }
}
