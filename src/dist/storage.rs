//! How a work folder stores its exchange files: as plain JSON Lines (and plain framed files), or
//! compressed with zstd (`dist plan --compress`), named with `.zst` at the end.
//!
//! A compressed file decodes (`zstd -d`, `zstdcat`) to exactly the plain file. A file read from
//! start to end is one zstd stream. A file with a line index (a shard's records and
//! fingerprints, whose lines other tasks read one at a time) is one zstd frame per line, each
//! after a skippable frame (which decoders pass over) that holds its compressed length, so that a
//! reader seeks to where the index says a line starts and decodes that frame alone, with one
//! decompression context for every line ([`StoredLines`]); its index counts stored bytes.

use serde::{Deserialize, Serialize};
use std::fs::File;
use std::io::{self, BufRead, Read, Write};

/// zstd's level for every exchange file: its default, about 300 MB/s on one core.
const LEVEL: i32 = 3;

/// Base-2 logarithm of a stream's window (512 KiB instead of level 3's 2 MiB): a task that merges
/// many files at once (`assemble` every shard's fragments, `order` and `candidates` every
/// partition's files) holds a window per file. At 100,000 documents the files come out 0.3–11 %
/// larger than with the default window.
const WINDOW_LOG: u32 = 19;

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
                encoder.window_log(WINDOW_LOG)?;
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
            Compression::Zstd => {
                let mut encoder = zstd::Encoder::new(out, LEVEL)?;
                encoder.window_log(WINDOW_LOG)?;
                FileWriter::Zstd(encoder)
            }
        })
    }

    /// A reader of the decoded bytes from where `input` stands to the end (any number of
    /// frames when compressed).
    pub(super) fn decoded<'a>(self, input: impl BufRead + 'a) -> io::Result<Box<dyn BufRead + 'a>> {
        Ok(match self {
            Compression::None => Box::new(input),
            Compression::Zstd => Box::new(io::BufReader::new(zstd::Decoder::with_buffer(input)?)),
        })
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

/// The skippable frame before each line's frame in a compressed file with a line index: its
/// magic number (little-endian), then the length of what it holds (4), then the line frame's
/// length.
const SKIPPABLE_MAGIC: u32 = 0x184D_2A50;

/// Writes and reads the lines of a file with a line index as they are stored: as they are, or
/// each as a zstd frame after its length, with one compression and one decompression context
/// for every line.
pub(super) struct StoredLines {
    compression: Compression,
    compressor: Option<zstd::bulk::Compressor<'static>>,
    decompressor: Option<zstd::bulk::Decompressor<'static>>,
    frame: Vec<u8>,
}

impl StoredLines {
    /// Lines stored as `compression` says.
    pub(super) fn new(compression: Compression) -> Self {
        Self {
            compression,
            compressor: None,
            decompressor: None,
            frame: Vec::new(),
        }
    }

    /// Writes `line` (with its line end) to `out` as it is stored.
    pub(super) fn write(&mut self, out: &mut dyn Write, line: &[u8]) -> io::Result<()> {
        if self.compression == Compression::None {
            return out.write_all(line);
        }
        let compressor = match &mut self.compressor {
            Some(compressor) => compressor,
            None => self.compressor.insert(zstd::bulk::Compressor::new(LEVEL)?),
        };
        let frame = compressor.compress(line)?;
        let length = u32::try_from(frame.len()).map_err(io::Error::other)?;
        out.write_all(&SKIPPABLE_MAGIC.to_le_bytes())?;
        out.write_all(&4u32.to_le_bytes())?;
        out.write_all(&length.to_le_bytes())?;
        out.write_all(&frame)
    }

    /// Reads one stored line from where `input` stands into `line`; the stored bytes it took,
    /// 0 at the end of the file.
    pub(super) fn read(&mut self, input: &mut impl BufRead, line: &mut String) -> io::Result<u64> {
        if self.compression == Compression::None {
            return input.read_line(line).map(|read| read as u64);
        }
        if input.fill_buf()?.is_empty() {
            return Ok(0);
        }
        let mut words = [0u8; 12];
        input.read_exact(&mut words)?;
        let word = |at: usize| {
            u32::from_le_bytes([words[at], words[at + 1], words[at + 2], words[at + 3]])
        };
        if word(0) != SKIPPABLE_MAGIC || word(4) != 4 {
            return Err(io::Error::other(
                "a compressed line does not start where it should",
            ));
        }
        let length = word(8) as u64;
        self.frame.clear();
        input.take(length).read_to_end(&mut self.frame)?;
        if self.frame.len() as u64 != length {
            return Err(io::Error::from(io::ErrorKind::UnexpectedEof));
        }
        let size = zstd::zstd_safe::get_frame_content_size(&self.frame)
            .ok()
            .flatten()
            .ok_or_else(|| io::Error::other("a compressed line does not say its length"))?;
        let decompressor = match &mut self.decompressor {
            Some(decompressor) => decompressor,
            None => self.decompressor.insert(zstd::bulk::Decompressor::new()?),
        };
        let bytes = decompressor.decompress(
            &self.frame,
            usize::try_from(size).map_err(io::Error::other)?,
        )?;
        line.push_str(std::str::from_utf8(&bytes).map_err(io::Error::other)?);
        Ok(12 + length)
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
            let mut lines = StoredLines::new(compression);
            let mut stored = Vec::new();
            let mut starts = Vec::new();
            for line in LINES {
                starts.push(stored.len() as u64);
                lines.write(&mut stored, line.as_bytes()).unwrap();
            }
            for (at, line) in starts.iter().zip(LINES).rev() {
                let mut input = &stored[*at as usize..];
                let mut read = String::new();
                let taken = lines.read(&mut input, &mut read).unwrap();
                assert_eq!(read, line);
                assert_eq!(at + taken, stored.len() as u64 - input.len() as u64);
            }
            // Decoders pass over the lengths: the file decodes as one stream.
            let mut whole = String::new();
            compression
                .decoded(&stored[..])
                .unwrap()
                .read_to_string(&mut whole)
                .unwrap();
            assert_eq!(whole, LINES.concat());
            let mut end = &stored[stored.len()..];
            assert_eq!(lines.read(&mut end, &mut String::new()).unwrap(), 0);
        }
    }

    #[test]
    fn a_compressed_line_cut_short_or_misplaced_is_an_error() {
        let mut lines = StoredLines::new(Compression::Zstd);
        let mut stored = Vec::new();
        lines.write(&mut stored, LINES[1].as_bytes()).unwrap();
        let mut cut = &stored[..stored.len() - 2];
        assert!(lines.read(&mut cut, &mut String::new()).is_err());
        let mut misplaced = &stored[1..];
        assert!(lines.read(&mut misplaced, &mut String::new()).is_err());
    }
}
