//! The on-disk index: a directory with a manifest (`index.json`) and one
//! memory-mapped segment file per batch of added documents. Adding documents
//! writes new segments and then the manifest (each by rename), so a reader
//! sees either the old or the new index, never a half-written one. The byte
//! layout is in docs/format-match-index.md.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use bytemuck::{Pod, Zeroable};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use unspin_store::{Store, Writer};

use crate::minhash::LshParams;
use crate::{Corpus, Document, Matcher};

pub const SEGMENT_KIND: [u8; 4] = *b"MSEG";
pub const MANIFEST: &str = "index.json";
pub const FORMAT_NAME: &str = "unspin-match-index";
pub const FORMAT_VERSION: u32 = 1;
/// Documents per segment file at most.
pub const SEGMENT_DOCS: usize = 250_000;

#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error(transparent)]
    Store(#[from] unspin_store::StoreError),
    #[error("{path}: {what}")]
    Format { path: PathBuf, what: String },
    #[error("{0}: no index here (create one with `unspin index build`)")]
    Missing(PathBuf),
    #[error("{0}: an index already exists here (use `unspin index add` to add documents, or remove it first)")]
    Exists(PathBuf),
    #[error("document id {0:?} is already in the index (ids must be unique)")]
    DuplicateId(String),
    #[error("{what}")]
    Lexicon { what: String },
}

/// One entry of a band table: documents with key `key` in this band.
#[repr(C)]
#[derive(Clone, Copy, Debug, Pod, Zeroable, PartialEq, Eq, PartialOrd, Ord)]
pub struct BandEntry {
    pub key: u32,
    pub doc: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SegmentInfo {
    pub file: String,
    pub docs: u64,
}

/// `index.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub version: u32,
    pub lsh: LshParams,
    pub seed: u64,
    /// XXH3 checksum (hex) of the lexicon file the keys were made with; words
    /// are keyed by what the lexicon says about them, so matching needs the same.
    pub lexicon_checksum: String,
    pub segments: Vec<SegmentInfo>,
}

impl Manifest {
    pub fn docs(&self) -> u64 {
        self.segments.iter().map(|s| s.docs).sum()
    }

    pub fn read(dir: &Path) -> Result<Manifest, IndexError> {
        let path = dir.join(MANIFEST);
        if !path.is_file() {
            return Err(IndexError::Missing(dir.to_path_buf()));
        }
        let bytes = std::fs::read(&path).map_err(|source| IndexError::Io { path: path.clone(), source })?;
        let m: Manifest = serde_json::from_slice(&bytes)
            .map_err(|e| IndexError::Format { path: path.clone(), what: format!("not a valid manifest: {e}") })?;
        if m.format != FORMAT_NAME {
            return Err(IndexError::Format { path, what: format!("format {:?} is not {FORMAT_NAME:?}", m.format) });
        }
        if m.version != FORMAT_VERSION {
            return Err(IndexError::Format {
                path,
                what: format!("index format version {} is not supported (this build reads {FORMAT_VERSION}); rebuild it", m.version),
            });
        }
        if m.lsh.bands == 0 || m.lsh.rows == 0 || m.lsh.shingle == 0 || m.lsh.bands > 1024 || m.lsh.rows > 64 {
            return Err(IndexError::Format { path, what: "implausible LSH parameters".into() });
        }
        Ok(m)
    }

    fn write(&self, dir: &Path) -> Result<(), IndexError> {
        let path = dir.join(MANIFEST);
        let tmp = dir.join(format!("{MANIFEST}.tmp"));
        let json = serde_json::to_vec_pretty(self).expect("manifest serialises");
        std::fs::write(&tmp, json).map_err(|source| IndexError::Io { path: tmp.clone(), source })?;
        std::fs::rename(&tmp, &path).map_err(|source| IndexError::Io { path, source })
    }
}

/// The XXH3 checksum the container header of a model file records (bytes 32..40).
pub fn lexicon_checksum(path: &Path) -> Result<String, IndexError> {
    use std::io::Read;
    let mut f = std::fs::File::open(path).map_err(|source| IndexError::Io { path: path.to_path_buf(), source })?;
    let mut head = [0u8; 40];
    f.read_exact(&mut head).map_err(|source| IndexError::Io { path: path.to_path_buf(), source })?;
    Ok(format!("{:016x}", u64::from_le_bytes(head[32..40].try_into().unwrap())))
}

struct Segment {
    store: Store,
    /// Global number of the segment's first document.
    base: u64,
    docs: u64,
    bands: usize,
}

impl Segment {
    fn open(path: &Path, base: u64, expect_docs: u64, bands: usize) -> Result<Segment, IndexError> {
        let store = Store::open(path, SEGMENT_KIND)?;
        let bad = |what: &str| IndexError::Format { path: path.to_path_buf(), what: what.to_string() };
        let ids_off: &[u64] = store.pod_section("ids_offsets")?;
        let text_off: &[u64] = store.pod_section("text_offsets")?;
        let band_off: &[u64] = store.pod_section("band_offsets")?;
        let entries: &[BandEntry] = store.pod_section("band_entries")?;
        let n = expect_docs as usize;
        if ids_off.len() != n + 1 || text_off.len() != n + 1 {
            return Err(bad("document count differs from the manifest"));
        }
        let ok = |off: &[u64], len: usize| off.windows(2).all(|w| w[0] <= w[1]) && off.last() == Some(&(len as u64));
        if !ok(ids_off, store.section("ids")?.len()) || !ok(text_off, store.section("texts")?.len()) {
            return Err(bad("document offsets are out of order or out of range"));
        }
        if band_off.len() != bands + 1 || !ok(band_off, entries.len()) {
            return Err(bad("band table does not match the manifest"));
        }
        if entries.iter().any(|e| e.doc as usize >= n) {
            return Err(bad("a band entry names a document outside the segment"));
        }
        Ok(Segment { store, base, docs: expect_docs, bands })
    }

    fn slice<'s>(&'s self, offsets: &str, data: &str, i: usize) -> &'s [u8] {
        let off: &[u64] = self.store.pod_section(offsets).unwrap_or(&[]);
        let bytes = self.store.section(data).unwrap_or(&[]);
        match (off.get(i), off.get(i + 1)) {
            (Some(&a), Some(&b)) => &bytes[a as usize..b as usize],
            _ => &[],
        }
    }

    fn band(&self, band: usize) -> &[BandEntry] {
        let off: &[u64] = self.store.pod_section("band_offsets").unwrap_or(&[]);
        let entries: &[BandEntry] = self.store.pod_section("band_entries").unwrap_or(&[]);
        if band >= self.bands {
            return &[];
        }
        &entries[off[band] as usize..off[band + 1] as usize]
    }
}

/// An index opened for matching (memory-mapped).
pub struct Index {
    dir: PathBuf,
    manifest: Manifest,
    segments: Vec<Segment>,
}

impl Index {
    pub fn open(dir: &Path) -> Result<Index, IndexError> {
        let manifest = Manifest::read(dir)?;
        let mut segments = Vec::new();
        let mut base = 0;
        for s in &manifest.segments {
            if s.file.contains('/') || s.file.contains('\\') || s.file.starts_with('.') {
                return Err(IndexError::Format { path: dir.join(MANIFEST), what: format!("bad segment name {:?}", s.file) });
            }
            let seg = Segment::open(&dir.join(&s.file), base, s.docs, manifest.lsh.bands)?;
            base += s.docs;
            segments.push(seg);
        }
        if base > u32::MAX as u64 * 16 {
            return Err(IndexError::Format { path: dir.join(MANIFEST), what: "too many documents".into() });
        }
        Ok(Index { dir: dir.to_path_buf(), manifest, segments })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// Bytes of all files of the index.
    pub fn size_bytes(&self) -> u64 {
        let mut total = std::fs::metadata(self.dir.join(MANIFEST)).map(|m| m.len()).unwrap_or(0);
        for s in &self.manifest.segments {
            total += std::fs::metadata(self.dir.join(&s.file)).map(|m| m.len()).unwrap_or(0);
        }
        total
    }

    fn segment_of(&self, doc: u64) -> Option<&Segment> {
        let i = self.segments.partition_point(|s| s.base + s.docs <= doc);
        self.segments.get(i)
    }

    /// Checks that `lexicon_file` is the lexicon the index was built with.
    pub fn check_lexicon(&self, lexicon_file: &Path) -> Result<(), IndexError> {
        check_lexicon(&self.manifest, &self.dir, lexicon_file)
    }
}

fn check_lexicon(m: &Manifest, dir: &Path, lexicon_file: &Path) -> Result<(), IndexError> {
    let have = lexicon_checksum(lexicon_file)?;
    if have != m.lexicon_checksum {
        return Err(IndexError::Lexicon {
            what: format!(
                "{}: built with another lexicon (checksum {}, the model's is {have}); rebuild the index with this model",
                dir.display(),
                m.lexicon_checksum
            ),
        });
    }
    Ok(())
}

impl Corpus for Index {
    fn len(&self) -> u64 {
        self.segments.iter().map(|s| s.docs).sum()
    }

    fn id(&self, doc: u64) -> &str {
        match self.segment_of(doc) {
            Some(s) => std::str::from_utf8(s.slice("ids_offsets", "ids", (doc - s.base) as usize)).unwrap_or(""),
            None => "",
        }
    }

    fn text(&self, doc: u64) -> &str {
        match self.segment_of(doc) {
            Some(s) => std::str::from_utf8(s.slice("text_offsets", "texts", (doc - s.base) as usize)).unwrap_or(""),
            None => "",
        }
    }

    fn lookup(&self, band: usize, key: u32, max: usize, out: &mut Vec<u64>) -> bool {
        let mut found: Vec<(u64, &[BandEntry])> = Vec::new();
        let mut total = 0;
        for s in &self.segments {
            let table = s.band(band);
            let lo = table.partition_point(|e| e.key < key);
            let hi = lo + table[lo..].partition_point(|e| e.key == key);
            total += hi - lo;
            if total > max {
                return false;
            }
            found.push((s.base, &table[lo..hi]));
        }
        for (base, entries) in found {
            out.extend(entries.iter().map(|e| base + e.doc as u64));
        }
        true
    }
}

/// Adds documents to a new or existing index.
pub struct IndexWriter {
    dir: PathBuf,
    manifest: Manifest,
    ids: HashSet<String>,
    pending: Vec<(Document, Vec<Vec<u32>>)>,
    /// Segments written by this writer, made visible by `commit`.
    written: Vec<SegmentInfo>,
}

impl IndexWriter {
    /// Starts a new index in `dir` (created if needed; it must not hold one).
    pub fn create(dir: &Path, lsh: LshParams, seed: u64, lexicon_file: &Path) -> Result<IndexWriter, IndexError> {
        if dir.join(MANIFEST).exists() {
            return Err(IndexError::Exists(dir.to_path_buf()));
        }
        std::fs::create_dir_all(dir).map_err(|source| IndexError::Io { path: dir.to_path_buf(), source })?;
        let manifest = Manifest {
            format: FORMAT_NAME.into(),
            version: FORMAT_VERSION,
            lsh,
            seed,
            lexicon_checksum: lexicon_checksum(lexicon_file)?,
            segments: Vec::new(),
        };
        Ok(IndexWriter { dir: dir.to_path_buf(), manifest, ids: HashSet::new(), pending: Vec::new(), written: Vec::new() })
    }

    /// Opens an existing index to add documents to it.
    pub fn open(dir: &Path, lexicon_file: &Path) -> Result<IndexWriter, IndexError> {
        let index = Index::open(dir)?;
        index.check_lexicon(lexicon_file)?;
        let mut ids = HashSet::with_capacity(index.len() as usize);
        for d in 0..index.len() {
            ids.insert(index.id(d).to_string());
        }
        Ok(IndexWriter { dir: dir.to_path_buf(), manifest: index.manifest.clone(), ids, pending: Vec::new(), written: Vec::new() })
    }

    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// The LSH parameters and seed documents must be keyed with.
    pub fn params(&self) -> (LshParams, u64) {
        (self.manifest.lsh, self.manifest.seed)
    }

    /// Documents added so far, committed or not.
    pub fn docs(&self) -> u64 {
        self.manifest.docs() + self.written.iter().map(|s| s.docs).sum::<u64>() + self.pending.len() as u64
    }

    /// Keys and buffers a batch of documents; writes a segment whenever
    /// enough are buffered. `matcher` must use this index's parameters.
    pub fn add(&mut self, matcher: &Matcher, docs: Vec<Document>) -> Result<(), IndexError> {
        assert_eq!(matcher.params().lsh, self.manifest.lsh, "matcher parameters differ from the index's");
        for d in &docs {
            if !self.ids.insert(d.id.clone()) {
                return Err(IndexError::DuplicateId(d.id.clone()));
            }
        }
        let keyed: Vec<(Document, Vec<Vec<u32>>)> = docs
            .into_par_iter()
            .map(|d| {
                let keys = matcher.band_keys(&matcher.analyse(&d.text));
                (d, keys)
            })
            .collect();
        self.pending.extend(keyed);
        while self.pending.len() >= SEGMENT_DOCS {
            let rest = self.pending.split_off(SEGMENT_DOCS);
            let batch = std::mem::replace(&mut self.pending, rest);
            self.write_segment(batch)?;
        }
        Ok(())
    }

    fn write_segment(&mut self, batch: Vec<(Document, Vec<Vec<u32>>)>) -> Result<(), IndexError> {
        let bands = self.manifest.lsh.bands;
        let n = batch.len();
        let mut ids_off = Vec::with_capacity(n + 1);
        let mut text_off = Vec::with_capacity(n + 1);
        let mut ids = Vec::new();
        let mut texts = Vec::new();
        ids_off.push(0u64);
        text_off.push(0u64);
        let mut per_band: Vec<Vec<BandEntry>> = vec![Vec::with_capacity(n); bands];
        for (doc, (d, keys)) in batch.iter().enumerate() {
            ids.extend_from_slice(d.id.as_bytes());
            texts.extend_from_slice(d.text.as_bytes());
            ids_off.push(ids.len() as u64);
            text_off.push(texts.len() as u64);
            for window in keys {
                for (band, &key) in window.iter().enumerate().take(bands) {
                    per_band[band].push(BandEntry { key, doc: doc as u32 });
                }
            }
        }
        drop(batch);
        per_band.par_iter_mut().for_each(|b| {
            b.sort_unstable();
            // Windows of one document often share a key; one entry is enough.
            b.dedup();
        });
        let mut band_off = vec![0u64];
        let mut entries = Vec::new();
        for b in per_band {
            entries.extend(b);
            band_off.push(entries.len() as u64);
        }
        let number = self.manifest.segments.len() + self.written.len() + 1;
        let file = format!("seg-{number:06}.unspin");
        let mut w = Writer::new(SEGMENT_KIND);
        w.add_pod("ids_offsets", &ids_off)
            .add("ids", ids)
            .add_pod("text_offsets", &text_off)
            .add("texts", texts)
            .add_pod("band_offsets", &band_off)
            .add_pod("band_entries", &entries);
        w.write(&self.dir.join(&file))?;
        self.written.push(SegmentInfo { file, docs: n as u64 });
        Ok(())
    }

    /// Writes what is buffered and publishes the new segments in the manifest.
    pub fn commit(mut self) -> Result<Manifest, IndexError> {
        if !self.pending.is_empty() {
            let batch = std::mem::take(&mut self.pending);
            self.write_segment(batch)?;
        }
        self.manifest.segments.append(&mut self.written);
        self.manifest.write(&self.dir)?;
        Ok(self.manifest)
    }
}
