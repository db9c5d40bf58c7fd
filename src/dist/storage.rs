//! How a work folder stores its exchange files: as plain JSON Lines (and plain framed files), or
//! compressed with zstd (`dist plan --compress`), named with `.zst` at the end.
//!
//! A compressed file decodes (`zstd -d`, `zstdcat`) to exactly the plain file. A file read from
//! start to end is one zstd stream. A file with a line index (a shard's records and
//! fingerprints, whose lines other tasks read one at a time) is one zstd frame per line, so that
//! a reader seeks to where the index says a line's frame starts and decodes that frame alone;
//! its index counts the file's stored bytes.

use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::fs::File;
use std::io::{self, BufRead, Read, Write};

/// zstd's level for every exchange file: its default, about 300 MB/s on one core.
const LEVEL: i32 = 3;

/// How exchange files are stored.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Compression {
    /// Plain JSON Lines and framed files.
    #[default]
    None,
    /// zstd frames.
    Zstd,
}

impl Compression {
    /// What an exchange file's name ends with beyond its plain name.
    pub(super) fn suffix(self) -> &'static str {
        match self {
            Compression::None => "",
            Compression::Zstd => ".zst",
        }
    }

    /// Runs `write` over `out`, through one zstd stream when compressed.
    pub(super) fn write_stream<T>(
        self,
        out: &mut dyn Write,
        write: impl FnOnce(&mut dyn Write) -> anyhow::Result<T>,
    ) -> anyhow::Result<T> {
        match self {
            Compression::None => write(out),
            Compression::Zstd => {
                let mut encoder = zstd::Encoder::new(out, LEVEL)?;
                let written = write(&mut encoder)?;
                encoder.finish()?;
                Ok(written)
            }
        }
    }

    /// A writer into `file`, through one zstd stream when compressed.
    pub(super) fn file_writer(self, file: File) -> io::Result<FileWriter> {
        let out = io::BufWriter::new(file);
        Ok(match self {
            Compression::None => FileWriter::Plain(out),
            Compression::Zstd => FileWriter::Zstd(zstd::Encoder::new(out, LEVEL)?),
        })
    }

    /// One line of a file with a line index as it is stored: the line, or a zstd frame of it.
    pub(super) fn stored_line(self, line: &[u8]) -> io::Result<Cow<'_, [u8]>> {
        match self {
            Compression::None => Ok(Cow::Borrowed(line)),
            Compression::Zstd => zstd::bulk::compress(line, LEVEL).map(Cow::Owned),
        }
    }

    /// A reader of the decoded bytes from where `input` stands to the end (any number of
    /// frames when compressed).
    pub(super) fn decoded<'a>(self, input: impl BufRead + 'a) -> io::Result<Box<dyn BufRead + 'a>> {
        Ok(match self {
            Compression::None => Box::new(input),
            Compression::Zstd => Box::new(io::BufReader::new(zstd::Decoder::with_buffer(input)?)),
        })
    }

    /// Reads one line of a file with a line index from where `input` stands into `line` (one
    /// frame when compressed); the stored bytes it took, 0 at the end of the file.
    pub(super) fn read_stored_line(
        self,
        input: &mut impl BufRead,
        line: &mut String,
    ) -> io::Result<u64> {
        let mut counted = Counted { input, consumed: 0 };
        match self {
            Compression::None => {
                counted.read_line(line)?;
            }
            Compression::Zstd => {
                if counted.fill_buf()?.is_empty() {
                    return Ok(0);
                }
                zstd::Decoder::with_buffer(&mut counted)?
                    .single_frame()
                    .read_to_string(line)?;
            }
        }
        Ok(counted.consumed)
    }
}

/// A file being written, plain or through a zstd stream ([`Compression::file_writer`]).
pub(super) enum FileWriter {
    Plain(io::BufWriter<File>),
    Zstd(zstd::Encoder<'static, io::BufWriter<File>>),
}

impl FileWriter {
    /// Ends the stream and hands back the file, every byte written to it.
    pub(super) fn finish(self) -> io::Result<File> {
        let out = match self {
            FileWriter::Plain(out) => out,
            FileWriter::Zstd(encoder) => encoder.finish()?,
        };
        out.into_inner().map_err(io::IntoInnerError::into_error)
    }
}

impl Write for FileWriter {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        match self {
            FileWriter::Plain(out) => out.write(bytes),
            FileWriter::Zstd(encoder) => encoder.write(bytes),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            FileWriter::Plain(out) => out.flush(),
            FileWriter::Zstd(encoder) => encoder.flush(),
        }
    }
}

/// A reader that counts the bytes taken from it.
struct Counted<'a, R> {
    input: &'a mut R,
    consumed: u64,
}

impl<R: BufRead> Read for Counted<'_, R> {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        let read = self.input.read(buffer)?;
        self.consumed += read as u64;
        Ok(read)
    }
}

impl<R: BufRead> BufRead for Counted<'_, R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.input.fill_buf()
    }

    fn consume(&mut self, amount: usize) {
        self.consumed += amount as u64;
        self.input.consume(amount);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINES: [&str; 3] = ["{\"a\":1}\n", "{\"b\":[2,3]}\n", "{\"c\":\"x\"}\n"];

    #[test]
    fn a_stream_decodes_to_what_was_written() {
        for compression in [Compression::None, Compression::Zstd] {
            let mut stored = Vec::new();
            compression
                .write_stream(&mut stored, |out| {
                    Ok(out.write_all(LINES.concat().as_bytes())?)
                })
                .unwrap();
            let mut decoded = String::new();
            compression
                .decoded(&stored[..])
                .unwrap()
                .read_to_string(&mut decoded)
                .unwrap();
            assert_eq!(decoded, LINES.concat());
        }
    }

    #[test]
    fn each_stored_line_reads_alone_from_where_it_starts_and_all_read_as_one_stream() {
        for compression in [Compression::None, Compression::Zstd] {
            let mut stored = Vec::new();
            let mut starts = Vec::new();
            for line in LINES {
                starts.push(stored.len() as u64);
                stored.extend_from_slice(&compression.stored_line(line.as_bytes()).unwrap());
            }
            for (at, line) in starts.iter().zip(LINES).rev() {
                let mut input = &stored[*at as usize..];
                let mut read = String::new();
                let taken = compression.read_stored_line(&mut input, &mut read).unwrap();
                assert_eq!(read, line);
                assert_eq!(at + taken, stored.len() as u64 - input.len() as u64);
            }
            let mut whole = String::new();
            compression
                .decoded(&stored[..])
                .unwrap()
                .read_to_string(&mut whole)
                .unwrap();
            assert_eq!(whole, LINES.concat());
            let mut end = &stored[stored.len()..];
            assert_eq!(
                compression
                    .read_stored_line(&mut end, &mut String::new())
                    .unwrap(),
                0
            );
        }
    }

    #[test]
    fn a_compressed_line_cut_short_is_an_error() {
        let stored = Compression::Zstd.stored_line(LINES[1].as_bytes()).unwrap();
        let mut cut = &stored[..stored.len() - 2];
        assert!(
            Compression::Zstd
                .read_stored_line(&mut cut, &mut String::new())
                .is_err()
        );
    }
}
