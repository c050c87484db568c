//! The container file every unspin model file uses.
//!
//! A container is a small header, a table of named sections and the sections
//! themselves, each aligned to 16 bytes so that arrays of plain numbers can be
//! read in place from a memory map (no parsing at start-up). The layout is
//! documented byte by byte in `docs/FORMAT.md`; all integers are little-endian.
//!
//! ```text
//! 0   8  magic  b"UNSPIN\0\x1a"
//! 8   4  format version (u32) = 1
//! 12  4  kind: four ASCII bytes naming what the file holds (b"LMOD", b"LEXI")
//! 16  4  section count (u32)
//! 20  4  reserved, zero
//! 24  8  total file length in bytes (u64)
//! 32  8  XXH3-64 checksum of bytes [64, file length)
//! 40 24  reserved, zero
//! 64     section table: count x { name [u8;16] NUL-padded, offset u64, length u64 }
//!        then the sections, each starting at a multiple of 16
//! ```

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use memmap2::Mmap;

pub const MAGIC: [u8; 8] = *b"UNSPIN\0\x1a";
pub const FORMAT_VERSION: u32 = 1;
pub const HEADER_LEN: usize = 64;
const ENTRY_LEN: usize = 32;
const ALIGN: usize = 16;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{path}: not an unspin model file (bad magic number)")]
    BadMagic { path: PathBuf },
    #[error("{path}: format version {found} is not supported (this build reads version {FORMAT_VERSION}); rebuild the model")]
    Version { path: PathBuf, found: u32 },
    #[error("{path}: holds a {found:?} model where a {expected:?} model was expected")]
    Kind { path: PathBuf, expected: String, found: String },
    #[error("{path}: truncated or corrupt: {what}")]
    Corrupt { path: PathBuf, what: String },
    #[error("{path}: checksum mismatch (the file is damaged; rebuild it)")]
    Checksum { path: PathBuf },
    #[error("{path}: missing section {name:?}")]
    MissingSection { path: PathBuf, name: String },
    #[error("{path}: section {name:?} has a size that is not a whole number of {elem}-byte records")]
    SectionShape { path: PathBuf, name: String, elem: usize },
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// Builds a container in memory and writes it atomically.
pub struct Writer {
    kind: [u8; 4],
    sections: Vec<(String, Vec<u8>)>,
}

impl Writer {
    pub fn new(kind: [u8; 4]) -> Writer {
        Writer { kind, sections: Vec::new() }
    }

    /// Adds a section. Names are at most 16 bytes and unique.
    pub fn add(&mut self, name: &str, bytes: Vec<u8>) -> &mut Self {
        assert!(name.len() <= 16, "section name {name:?} longer than 16 bytes");
        assert!(!self.sections.iter().any(|(n, _)| n == name), "duplicate section {name:?}");
        self.sections.push((name.to_string(), bytes));
        self
    }

    /// Adds a section of plain numbers or `#[repr(C)]` records.
    pub fn add_pod<T: bytemuck::Pod>(&mut self, name: &str, items: &[T]) -> &mut Self {
        self.add(name, bytemuck::cast_slice(items).to_vec())
    }

    /// Serialises the container.
    pub fn to_bytes(&self) -> Vec<u8> {
        let table_end = HEADER_LEN + ENTRY_LEN * self.sections.len();
        let mut offset = align_up(table_end);
        let mut entries = Vec::with_capacity(self.sections.len());
        for (name, bytes) in &self.sections {
            entries.push((name, offset, bytes.len()));
            offset = align_up(offset + bytes.len());
        }
        let total = offset;
        let mut out = vec![0u8; total];
        out[0..8].copy_from_slice(&MAGIC);
        out[8..12].copy_from_slice(&FORMAT_VERSION.to_le_bytes());
        out[12..16].copy_from_slice(&self.kind);
        out[16..20].copy_from_slice(&(self.sections.len() as u32).to_le_bytes());
        out[24..32].copy_from_slice(&(total as u64).to_le_bytes());
        for (i, ((name, off, len), (_, bytes))) in entries.iter().zip(&self.sections).enumerate() {
            let e = HEADER_LEN + i * ENTRY_LEN;
            out[e..e + name.len()].copy_from_slice(name.as_bytes());
            out[e + 16..e + 24].copy_from_slice(&(*off as u64).to_le_bytes());
            out[e + 24..e + 32].copy_from_slice(&(*len as u64).to_le_bytes());
            out[*off..*off + len].copy_from_slice(bytes);
        }
        let sum = xxhash_rust::xxh3::xxh3_64(&out[HEADER_LEN..]);
        out[32..40].copy_from_slice(&sum.to_le_bytes());
        out
    }

    /// Writes to `path` through a temporary file and a rename, so a reader
    /// never sees a half-written model.
    pub fn write(&self, path: &Path) -> Result<()> {
        let io = |source| StoreError::Io { path: path.to_path_buf(), source };
        let tmp = path.with_extension("tmp");
        let mut f = File::create(&tmp).map_err(io)?;
        f.write_all(&self.to_bytes()).map_err(io)?;
        f.sync_all().map_err(io)?;
        drop(f);
        std::fs::rename(&tmp, path).map_err(io)
    }
}

/// Asks the kernel to drop a written file from the page cache (advice
/// only: nothing changes where the kernel ignores it). The pages a write
/// leaves there are small ones, while a file read back from disk comes in
/// large folios that Linux maps in 2 MiB pages. A model's tables are
/// probed at random on every query, and in small pages nearly every probe
/// also misses the TLB: `check` ran 7-15% faster on news from a model read
/// back than from one just written, for as long as the kernel kept those
/// pages. `unspin build-model` calls this for the files it has made.
pub fn drop_from_page_cache(path: &Path) -> Result<()> {
    let io = |source| StoreError::Io { path: path.to_path_buf(), source };
    let f = File::open(path).map_err(io)?;
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        // Dirty pages are not dropped: write them out first.
        f.sync_all().map_err(io)?;
        // SAFETY: a plain system call on a file descriptor we own; it
        // reads no memory of ours.
        let _ = unsafe { libc::posix_fadvise(f.as_raw_fd(), 0, 0, libc::POSIX_FADV_DONTNEED) };
    }
    #[cfg(not(target_os = "linux"))]
    let _ = f;
    Ok(())
}

/// A file's bytes in anonymous memory that starts at a 2 MiB boundary,
/// advised into transparent huge pages.
struct Resident {
    memory: memmap2::MmapMut,
    skip: usize,
    len: usize,
}

impl Resident {
    const HUGE_PAGE: usize = 2 << 20;

    /// `None` where huge pages are not on offer (another system, or Linux
    /// with them switched off) or the file cannot be read this way; the
    /// caller maps the file instead, which reports any real error.
    #[cfg(not(target_os = "linux"))]
    fn read(_: &Path) -> Option<Resident> {
        None
    }

    #[cfg(target_os = "linux")]
    fn read(path: &Path) -> Option<Resident> {
        if !Resident::huge_pages_offered() {
            return None;
        }
        let file = File::open(path).ok()?;
        let len = usize::try_from(file.metadata().ok()?.len()).ok()?;
        // One page more, so that the copy can start on a page boundary
        // wherever the kernel places the mapping.
        let size = len.div_ceil(Self::HUGE_PAGE).checked_add(1)?.checked_mul(Self::HUGE_PAGE)?;
        let mut memory = memmap2::MmapMut::map_anon(size).ok()?;
        let skip = (Self::HUGE_PAGE - memory.as_ptr() as usize % Self::HUGE_PAGE) % Self::HUGE_PAGE;
        memory.advise(memmap2::Advice::HugePage).ok()?;
        // Most of the time goes to the kernel clearing the fresh pages as
        // they are first touched, so the parts are read by a thread a core.
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 4);
        let part = len.div_ceil(threads).div_ceil(Self::HUGE_PAGE).max(1) * Self::HUGE_PAGE;
        let read_all = std::thread::scope(|scope| {
            let readers: Vec<_> = memory[skip..skip + len]
                .chunks_mut(part)
                .enumerate()
                .map(|(i, chunk)| {
                    let file = &file;
                    scope.spawn(move || std::os::unix::fs::FileExt::read_exact_at(file, chunk, (i * part) as u64))
                })
                .collect();
            readers.into_iter().all(|r| r.join().is_ok_and(|read| read.is_ok()))
        });
        // A file that changed length while being read is mapped instead.
        if !read_all || file.metadata().ok()?.len() != len as u64 {
            return None;
        }
        Some(Resident { memory, skip, len })
    }

    fn bytes(&self) -> &[u8] {
        &self.memory[self.skip..self.skip + self.len]
    }

    #[cfg(target_os = "linux")]
    fn huge_pages_offered() -> bool {
        // "always [madvise] never": the bracketed word is the setting.
        std::fs::read_to_string("/sys/kernel/mm/transparent_hugepage/enabled")
            .is_ok_and(|s| s.contains("[always]") || s.contains("[madvise]"))
    }
}

fn align_up(n: usize) -> usize {
    n.div_ceil(ALIGN) * ALIGN
}

enum Backing {
    Map(Mmap),
    Resident(Resident),
    // Used for in-memory containers (tests, embedded fixtures). u128 keeps the
    // 16-byte alignment the sections rely on.
    Owned(Vec<u128>, usize),
}

/// An opened, verified container.
pub struct Store {
    path: PathBuf,
    backing: Backing,
    sections: Vec<(String, usize, usize)>,
    kind: [u8; 4],
}

impl Store {
    /// Maps `path`, checks magic, version, kind, layout and checksum.
    pub fn open(path: &Path, kind: [u8; 4]) -> Result<Store> {
        let io = |source| StoreError::Io { path: path.to_path_buf(), source };
        let file = File::open(path).map_err(io)?;
        // SAFETY: the map is read-only; model files are replaced by rename,
        // never rewritten in place, so the mapped bytes do not change under us.
        let map = unsafe { Mmap::map(&file) }.map_err(io)?;
        Store::from_backing(path.to_path_buf(), Backing::Map(map), kind)
    }

    /// Reads `path` into memory and checks it as `open` does, for files
    /// whose tables are probed at random on every query (the language
    /// model, the lexicon, the candidate table). The copy is held in 2 MiB
    /// pages where Linux offers transparent huge pages: a file's own map
    /// comes in 4 KiB pages unless the kernel happens to hold it in large
    /// folios, and nearly every probe then misses the TLB as well as the
    /// cache (`check` ran about 40% faster on news from the copy than from
    /// a map in small pages, for 0.02-0.03 s more at start-up).
    /// Elsewhere, and if the memory cannot be had, the file is mapped. So
    /// it is when `UNSPIN_MAP_MODEL` is set (to anything but "0"): the
    /// processes of a machine then share the file's pages, where each
    /// holds a copy of its own otherwise.
    pub fn load(path: &Path, kind: [u8; 4]) -> Result<Store> {
        let map_asked = std::env::var_os("UNSPIN_MAP_MODEL").is_some_and(|v| v != "0");
        match if map_asked { None } else { Resident::read(path) } {
            Some(resident) => Store::from_backing(path.to_path_buf(), Backing::Resident(resident), kind),
            None => Store::open(path, kind),
        }
    }

    /// Reads a container from bytes (copied into aligned memory).
    pub fn from_bytes(name: &str, bytes: &[u8], kind: [u8; 4]) -> Result<Store> {
        let mut buf = vec![0u128; bytes.len().div_ceil(16)];
        bytemuck::cast_slice_mut::<u128, u8>(&mut buf)[..bytes.len()].copy_from_slice(bytes);
        Store::from_backing(PathBuf::from(name), Backing::Owned(buf, bytes.len()), kind)
    }

    fn from_backing(path: PathBuf, backing: Backing, kind: [u8; 4]) -> Result<Store> {
        let mut store = Store { path, backing, sections: Vec::new(), kind };
        store.parse(kind)?;
        Ok(store)
    }

    fn bytes(&self) -> &[u8] {
        match &self.backing {
            Backing::Map(m) => m,
            Backing::Resident(r) => r.bytes(),
            Backing::Owned(v, len) => &bytemuck::cast_slice(v)[..*len],
        }
    }

    fn corrupt(&self, what: impl Into<String>) -> StoreError {
        StoreError::Corrupt { path: self.path.clone(), what: what.into() }
    }

    fn parse(&mut self, kind: [u8; 4]) -> Result<()> {
        let b = self.bytes();
        let path = self.path.clone();
        if b.len() < 8 || b[0..8] != MAGIC {
            return Err(StoreError::BadMagic { path });
        }
        if b.len() < HEADER_LEN {
            return Err(self.corrupt("shorter than the header"));
        }
        let u32_at = |o: usize| u32::from_le_bytes(b[o..o + 4].try_into().unwrap());
        let u64_at = |o: usize| u64::from_le_bytes(b[o..o + 8].try_into().unwrap());
        let version = u32_at(8);
        if version != FORMAT_VERSION {
            return Err(StoreError::Version { path, found: version });
        }
        if b[12..16] != kind {
            return Err(StoreError::Kind {
                path,
                expected: String::from_utf8_lossy(&kind).into_owned(),
                found: String::from_utf8_lossy(&b[12..16]).into_owned(),
            });
        }
        let count = u32_at(16) as usize;
        let total = u64_at(24);
        if total != b.len() as u64 {
            return Err(self.corrupt(format!("header says {total} bytes, file has {}", b.len())));
        }
        let table_end = count
            .checked_mul(ENTRY_LEN)
            .and_then(|t| t.checked_add(HEADER_LEN))
            .filter(|&t| t <= b.len())
            .ok_or_else(|| self.corrupt("section table runs past the end"))?;
        let sum = xxhash_rust::xxh3::xxh3_64(&b[HEADER_LEN..]);
        if sum != u64_at(32) {
            return Err(StoreError::Checksum { path });
        }
        let mut sections = Vec::with_capacity(count);
        for i in 0..count {
            let e = HEADER_LEN + i * ENTRY_LEN;
            let name_bytes = &b[e..e + 16];
            let name_len = name_bytes.iter().position(|&c| c == 0).unwrap_or(16);
            let name = std::str::from_utf8(&name_bytes[..name_len])
                .map_err(|_| self.corrupt("section name is not UTF-8"))?
                .to_string();
            let off = u64_at(e + 16) as usize;
            let len = u64_at(e + 24) as usize;
            if off < table_end || off % ALIGN != 0 || off.checked_add(len).is_none_or(|end| end > b.len()) {
                return Err(self.corrupt(format!("section {name:?} lies outside the file")));
            }
            sections.push((name, off, len));
        }
        self.sections = sections;
        Ok(())
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn kind(&self) -> [u8; 4] {
        self.kind
    }

    /// The XXH3-64 checksum the header records (verified at open): what
    /// identifies the contents of a model file to the files derived from it.
    pub fn checksum(&self) -> u64 {
        u64::from_le_bytes(self.bytes()[32..40].try_into().unwrap())
    }

    /// The length of the container in bytes.
    pub fn file_len(&self) -> u64 {
        self.bytes().len() as u64
    }

    /// The raw bytes of a section.
    pub fn section(&self, name: &str) -> Result<&[u8]> {
        let (_, off, len) = self
            .sections
            .iter()
            .find(|(n, _, _)| n == name)
            .ok_or_else(|| StoreError::MissingSection { path: self.path.clone(), name: name.to_string() })?;
        Ok(&self.bytes()[*off..*off + *len])
    }

    /// A section viewed as a slice of plain records, checked for size.
    pub fn pod_section<T: bytemuck::Pod>(&self, name: &str) -> Result<&[T]> {
        let bytes = self.section(name)?;
        bytemuck::try_cast_slice(bytes).map_err(|_| StoreError::SectionShape {
            path: self.path.clone(),
            name: name.to_string(),
            elem: std::mem::size_of::<T>(),
        })
    }

    pub fn has_section(&self, name: &str) -> bool {
        self.sections.iter().any(|(n, _, _)| n == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<u8> {
        let mut w = Writer::new(*b"TEST");
        w.add("words", b"alpha\0beta\0".to_vec());
        w.add_pod::<u32>("ids", &[1, 2, 3, 0xdead_beef]);
        w.to_bytes()
    }

    #[test]
    fn a_file_dropped_from_the_page_cache_reads_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("m.unspin");
        let records: Vec<u64> = (0..100_000u64).map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15)).collect();
        let mut w = Writer::new(*b"TEST");
        w.add_pod::<u64>("table", &records);
        w.write(&p).unwrap();
        let before = std::fs::read(&p).unwrap();
        drop_from_page_cache(&p).unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), before);
        assert_eq!(Store::open(&p, *b"TEST").unwrap().pod_section::<u64>("table").unwrap(), &records[..]);
        assert!(matches!(drop_from_page_cache(&dir.path().join("missing")), Err(StoreError::Io { .. })));
    }

    #[test]
    fn a_loaded_file_reads_as_its_map_and_damage_is_found_alike() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("m.unspin");
        // Over 2 MiB, so that the copy spans huge pages.
        let records: Vec<u64> = (0..400_000u64).map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15)).collect();
        let mut w = Writer::new(*b"TEST");
        w.add_pod::<u64>("table", &records);
        w.add("words", b"alpha\0beta\0".to_vec());
        w.write(&p).unwrap();
        let loaded = Store::load(&p, *b"TEST").unwrap();
        // Where huge pages are on offer, the copy is what is read, from a
        // 2 MiB boundary.
        #[cfg(target_os = "linux")]
        if Resident::huge_pages_offered() {
            assert!(matches!(&loaded.backing, Backing::Resident(r) if r.bytes().as_ptr() as usize % Resident::HUGE_PAGE == 0));
        }
        assert_eq!(loaded.pod_section::<u64>("table").unwrap(), &records[..]);
        assert_eq!(loaded.section("words").unwrap(), b"alpha\0beta\0");
        assert_eq!(loaded.checksum(), Store::open(&p, *b"TEST").unwrap().checksum());
        assert!(matches!(Store::load(&p, *b"LMOD"), Err(StoreError::Kind { .. })));
        let mut bytes = std::fs::read(&p).unwrap();
        bytes[HEADER_LEN + 1000] ^= 1;
        std::fs::write(&p, &bytes).unwrap();
        assert!(matches!(Store::load(&p, *b"TEST"), Err(StoreError::Checksum { .. })));
        std::fs::write(&p, &bytes[..bytes.len() - 3]).unwrap();
        assert!(matches!(Store::load(&p, *b"TEST"), Err(StoreError::Corrupt { .. })));
        assert!(matches!(Store::load(&dir.path().join("missing"), *b"TEST"), Err(StoreError::Io { .. })));
        std::fs::write(&p, b"").unwrap();
        assert!(matches!(Store::load(&p, *b"TEST"), Err(StoreError::BadMagic { .. })));
    }

    #[test]
    fn round_trip_in_memory_and_on_disk() {
        let bytes = sample();
        let s = Store::from_bytes("mem", &bytes, *b"TEST").unwrap();
        assert_eq!(s.section("words").unwrap(), b"alpha\0beta\0");
        assert_eq!(s.pod_section::<u32>("ids").unwrap(), &[1, 2, 3, 0xdead_beef]);
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("m.unspin");
        let mut w = Writer::new(*b"TEST");
        w.add_pod::<u32>("ids", &[7, 8]);
        w.write(&p).unwrap();
        let s = Store::open(&p, *b"TEST").unwrap();
        assert_eq!(s.pod_section::<u32>("ids").unwrap(), &[7, 8]);
        assert!(matches!(s.section("nope"), Err(StoreError::MissingSection { .. })));
    }

    #[test]
    fn every_truncation_is_an_error_not_a_panic() {
        let bytes = sample();
        for n in 0..bytes.len() {
            assert!(Store::from_bytes("cut", &bytes[..n], *b"TEST").is_err(), "truncated to {n} accepted");
        }
    }

    #[test]
    fn every_flipped_byte_is_detected() {
        let bytes = sample();
        for i in 0..bytes.len() {
            let mut b = bytes.clone();
            b[i] ^= 0x40;
            // Reserved header bytes are not covered; all others must be.
            if (20..24).contains(&i) || (40..64).contains(&i) {
                continue;
            }
            assert!(Store::from_bytes("flip", &b, *b"TEST").is_err(), "flip at byte {i} accepted");
        }
    }

    #[test]
    fn wrong_kind_version_and_magic_are_named() {
        let bytes = sample();
        assert!(matches!(Store::from_bytes("k", &bytes, *b"LMOD"), Err(StoreError::Kind { .. })));
        let mut b = bytes.clone();
        b[8] = 9;
        assert!(matches!(Store::from_bytes("v", &b, *b"TEST"), Err(StoreError::Version { found: 9, .. })));
        assert!(matches!(Store::from_bytes("m", b"hello world", *b"TEST"), Err(StoreError::BadMagic { .. })));
        let s = Store::from_bytes("ok", &bytes, *b"TEST").unwrap();
        assert!(matches!(s.pod_section::<u64>("words"), Err(StoreError::SectionShape { .. })));
    }
}
