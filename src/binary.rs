//! A minimal binary format for arrays of plain numbers: what the catalog snapshot file
//! (`catalog::snapshot::file`) is made of.
//!
//! A file is a sequence of values and arrays, each array as its length then its bytes in
//! this machine's byte order, followed by a CRC-32 of everything before it. Arrays are
//! read straight into the `Vec` that keeps them (one allocation, no per-item decoding),
//! which is what makes reading an index this way several times faster than building it.
//!
//! The reader trusts nothing: every length is checked against the bytes the file still
//! has before anything is allocated, so a truncated or corrupt file is an error, never
//! a huge allocation or a panic; the checksum is checked by `finish`. What the values
//! mean (offsets in range, and so on) is for the caller to check.

use std::io::{self, Read, Write};

/// Types whose every bit pattern is a valid value and which have no padding bytes, so an
/// array of them can be written and read as its bytes.
///
/// # Safety
/// Only for types with no padding and no invalid bit patterns (integers, floats, and
/// arrays of them). `bool`, tuples and structs are not `Plain`.
#[allow(unsafe_code)]
pub unsafe trait Plain: Copy + Default + 'static {}

macro_rules! plain {
    ($($t:ty),*) => {$(
        // SAFETY: a primitive number: no padding, every bit pattern is a value.
        #[allow(unsafe_code)]
        unsafe impl Plain for $t {}
    )*};
}
plain!(u8, i8, u16, i16, u32, i32, u64, i64, f32, f64);

// SAFETY: an array of `Plain` items has no padding between them, and is valid for any
// bytes if each item is.
#[allow(unsafe_code)]
unsafe impl<T: Plain, const N: usize> Plain for [T; N] where [T; N]: Default {}

#[allow(unsafe_code)]
fn bytes_of<T: Plain>(items: &[T]) -> &[u8] {
    // SAFETY: `T: Plain` has no padding, so every byte of the slice is initialised; the
    // length is the slice's size in bytes, and u8 has no alignment to respect.
    unsafe { std::slice::from_raw_parts(items.as_ptr().cast::<u8>(), std::mem::size_of_val(items)) }
}

#[allow(unsafe_code)]
fn bytes_of_mut<T: Plain>(items: &mut [T]) -> &mut [u8] {
    // SAFETY: as in `bytes_of`; and since any bytes make a valid `T`, whatever is
    // written through the view leaves valid items.
    unsafe {
        std::slice::from_raw_parts_mut(
            items.as_mut_ptr().cast::<u8>(),
            std::mem::size_of_val(items),
        )
    }
}

/// Writes values and arrays, checksumming them as they go.
pub struct BinaryWriter<W: Write> {
    inner: W,
    crc: crc32fast::Hasher,
}

impl<W: Write> BinaryWriter<W> {
    pub fn new(inner: W) -> Self {
        BinaryWriter {
            inner,
            crc: crc32fast::Hasher::new(),
        }
    }

    fn raw(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.crc.update(bytes);
        self.inner.write_all(bytes)
    }

    pub fn value<T: Plain>(&mut self, value: T) -> io::Result<()> {
        self.raw(bytes_of(std::slice::from_ref(&value)))
    }

    pub fn array<T: Plain>(&mut self, items: &[T]) -> io::Result<()> {
        self.value(items.len() as u64)?;
        self.raw(bytes_of(items))
    }

    pub fn text(&mut self, text: &str) -> io::Result<()> {
        self.array(text.as_bytes())
    }

    pub fn bools(&mut self, flags: &[bool]) -> io::Result<()> {
        let bytes: Vec<u8> = flags.iter().map(|&b| u8::from(b)).collect();
        self.array(&bytes)
    }

    /// An optional number as a presence byte and the value (0 when absent).
    pub fn option<T: Plain>(&mut self, value: Option<T>) -> io::Result<()> {
        self.value(u8::from(value.is_some()))?;
        self.value(value.unwrap_or_default())
    }

    /// Appends the checksum and hands back the writer (to flush and sync).
    pub fn finish(mut self) -> io::Result<W> {
        let crc = self.crc.clone().finalize();
        self.inner.write_all(&crc.to_ne_bytes())?;
        Ok(self.inner)
    }
}

/// Reads what a `BinaryWriter` wrote, never more than `remaining` bytes in all.
pub struct BinaryReader<R: Read> {
    inner: R,
    crc: crc32fast::Hasher,
    remaining: u64,
}

fn corrupt(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what.to_string())
}

impl<R: Read> BinaryReader<R> {
    /// `len`: the file's length, which bounds every array read from it.
    pub fn new(inner: R, len: u64) -> Self {
        BinaryReader {
            inner,
            crc: crc32fast::Hasher::new(),
            remaining: len,
        }
    }

    fn raw(&mut self, into: &mut [u8]) -> io::Result<()> {
        let len = into.len() as u64;
        if len > self.remaining {
            return Err(corrupt("the file ends early"));
        }
        self.inner.read_exact(into)?;
        self.remaining -= len;
        self.crc.update(into);
        Ok(())
    }

    pub fn value<T: Plain>(&mut self) -> io::Result<T> {
        let mut value = T::default();
        self.raw(bytes_of_mut(std::slice::from_mut(&mut value)))?;
        Ok(value)
    }

    pub fn array<T: Plain>(&mut self) -> io::Result<Vec<T>> {
        let len: u64 = self.value()?;
        let size = std::mem::size_of::<T>() as u64;
        // Checked before allocating: a corrupt length must not allocate the machine away.
        if len
            .checked_mul(size)
            .is_none_or(|bytes| bytes > self.remaining)
        {
            return Err(corrupt("an array is longer than the rest of the file"));
        }
        let mut items = vec![T::default(); len as usize];
        self.raw(bytes_of_mut(&mut items))?;
        Ok(items)
    }

    pub fn text(&mut self) -> io::Result<String> {
        String::from_utf8(self.array()?).map_err(|_| corrupt("a text is not UTF-8"))
    }

    pub fn bools(&mut self) -> io::Result<Vec<bool>> {
        let bytes: Vec<u8> = self.array()?;
        if bytes.iter().any(|&b| b > 1) {
            return Err(corrupt("a flag is neither 0 nor 1"));
        }
        Ok(bytes.into_iter().map(|b| b == 1).collect())
    }

    pub fn option<T: Plain>(&mut self) -> io::Result<Option<T>> {
        let present: u8 = self.value()?;
        let value: T = self.value()?;
        match present {
            0 => Ok(None),
            1 => Ok(Some(value)),
            _ => Err(corrupt("a presence flag is neither 0 nor 1")),
        }
    }

    /// Checks the checksum, and that nothing follows it.
    pub fn finish(mut self) -> io::Result<()> {
        let computed = self.crc.clone().finalize();
        let mut stored = [0u8; 4];
        if self.remaining != 4 {
            return Err(corrupt("the file's length does not match its contents"));
        }
        self.inner.read_exact(&mut stored)?;
        if u32::from_ne_bytes(stored) != computed {
            return Err(corrupt("the checksum does not match"));
        }
        Ok(())
    }
}

/// Writes with `write`, then reads the bytes back with `read` and checks the checksum:
/// what each stored type's tests do.
#[cfg(test)]
pub(crate) fn round_trip<T>(
    write: impl FnOnce(&mut BinaryWriter<Vec<u8>>) -> io::Result<()>,
    read: impl FnOnce(&mut BinaryReader<io::Cursor<Vec<u8>>>) -> io::Result<T>,
) -> io::Result<T> {
    let mut writer = BinaryWriter::new(Vec::new());
    write(&mut writer)?;
    let bytes = writer.finish()?;
    let len = bytes.len() as u64;
    let mut reader = BinaryReader::new(io::Cursor::new(bytes), len);
    let value = read(&mut reader)?;
    reader.finish()?;
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(write: impl FnOnce(&mut BinaryWriter<Vec<u8>>) -> io::Result<()>) -> Vec<u8> {
        let mut writer = BinaryWriter::new(Vec::new());
        write(&mut writer).expect("write to memory");
        writer.finish().expect("finish")
    }

    #[test]
    fn values_and_arrays_read_back_as_written() {
        let bytes = written(|w| {
            w.value(7i64)?;
            w.array(&[[1i32, 2], [3, 4]])?;
            w.text("Beyoncé")?;
            w.bools(&[true, false])?;
            w.option(Some(2.5f64))?;
            w.option::<i32>(None)
        });
        let mut r = BinaryReader::new(bytes.as_slice(), bytes.len() as u64);
        assert_eq!(r.value::<i64>().unwrap(), 7);
        assert_eq!(r.array::<[i32; 2]>().unwrap(), vec![[1, 2], [3, 4]]);
        assert_eq!(r.text().unwrap(), "Beyoncé");
        assert_eq!(r.bools().unwrap(), vec![true, false]);
        assert_eq!(r.option::<f64>().unwrap(), Some(2.5));
        assert_eq!(r.option::<i32>().unwrap(), None);
        r.finish().unwrap();
    }

    #[test]
    fn a_flipped_byte_fails_the_checksum() {
        let mut bytes = written(|w| w.array(&[1u32, 2, 3]));
        bytes[12] ^= 1;
        let mut r = BinaryReader::new(bytes.as_slice(), bytes.len() as u64);
        assert_eq!(r.array::<u32>().unwrap(), vec![1, 3, 3]);
        assert!(r.finish().is_err());
    }

    #[test]
    fn a_huge_length_is_refused_before_allocating() {
        let mut bytes = written(|w| w.array(&[1u64]));
        bytes[..8].copy_from_slice(&u64::MAX.to_ne_bytes());
        let mut r = BinaryReader::new(bytes.as_slice(), bytes.len() as u64);
        assert!(r.array::<u64>().is_err());
    }

    #[test]
    fn a_truncated_file_is_an_error() {
        let bytes = written(|w| w.array(&[1u64, 2, 3]));
        let cut = &bytes[..bytes.len() - 10];
        let mut r = BinaryReader::new(cut, cut.len() as u64);
        assert!(r.array::<u64>().is_err());
    }

    #[test]
    fn bad_flags_and_text_are_errors() {
        let bytes = written(|w| w.array(&[2u8]));
        assert!(BinaryReader::new(bytes.as_slice(), bytes.len() as u64)
            .bools()
            .is_err());
        let bytes = written(|w| w.array(&[0xffu8]));
        assert!(BinaryReader::new(bytes.as_slice(), bytes.len() as u64)
            .text()
            .is_err());
    }
}
