//! Pages a rebuild keeps within a year it renders again: a page whose
//! digest (what it is rendered from) is the one the previous build recorded
//! is not rendered; its files stay as that build wrote them.
//!
//! A page's digest covers the site-level input (the theme among it), the
//! template, the page's own context (its meta, its view, its charts), the
//! navigation and site values, and of the year's view only the fields its
//! last render read: the year is handed to the template as an object that
//! notes each field asked for, and for the list of units whether only its
//! length was. A scorecard that shows `year.units | length` does not
//! depend on the other units' rows, so an edit of one unit re-renders that
//! unit's scorecard and those whose rank moved, not the whole year. Rendering
//! is deterministic: the same values on every field read give the same
//! reads and the same bytes, so a page whose fields read are unchanged needs
//! no render to be known.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Write as _};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use minijinja::value::{Enumerator, Object, ObjectRepr, Value};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::unit_parts::Store;
use crate::digest::hex;
use crate::stamp::PageRecord;

/// The field of the year's view read through its length only.
const UNITS: &str = "units";
const UNITS_LEN: &str = "units.len";

/// The hasher as serde_json's output: a value is hashed as it serializes,
/// its JSON text never held whole.
struct HashWriter<'h>(&'h mut Sha256);

impl io::Write for HashWriter<'_> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.0.update(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Hash `value` as JSON, then a 0 (which no JSON text holds, so the
/// values of a sequence cannot run into each other). False when it does
/// not serialize.
fn hash_json<T: Serialize + ?Sized>(hasher: &mut Sha256, value: &T) -> bool {
    // serde_json writes a token at a time (a quote, a key, a comma): the
    // hasher gets them a buffer at a time.
    let mut out = io::BufWriter::with_capacity(8192, HashWriter(hasher));
    let whole = serde_json::to_writer(&mut out, value).is_ok() && out.flush().is_ok();
    drop(out);
    hasher.update([0]);
    whole
}

/// What a page is made from besides the year (its meta, its view, what its
/// charts are drawn from), hashed from the typed views the page converts
/// to template values: the template sees a function of exactly what they
/// serialize, and serializing them is a fraction of the cost of walking
/// the template values they become.
pub(super) struct Parts {
    hasher: Sha256,
    whole: bool,
}

impl Parts {
    pub(super) fn new() -> Parts {
        Parts {
            hasher: Sha256::new(),
            whole: true,
        }
    }

    /// The next part, in the page's fixed order.
    pub(super) fn with<T: Serialize + ?Sized>(mut self, part: &T) -> Parts {
        self.whole &= hash_json(&mut self.hasher, part);
        self
    }

    /// Computed once for a page, compared (`keep`) and recorded (`record`).
    pub(super) fn digest(self) -> PartsDigest {
        PartsDigest(self.whole.then(|| self.hasher.finalize().into()))
    }
}

/// The digest of a page's [`Parts`]; none when one of them does not
/// serialize (the page is rendered, nothing is kept).
pub(super) struct PartsDigest(Option<[u8; 32]>);

impl PartsDigest {
    /// A page made of a part that did not serialize.
    pub(super) fn none() -> PartsDigest {
        PartsDigest(None)
    }
}

/// The pages a build may keep, and what it records for the next one.
pub struct Keeping {
    /// The digest of the site-level input, the options and the binary.
    site: String,
    previous: BTreeMap<String, PageRecord>,
    kept: Mutex<Vec<(String, Vec<String>)>>,
    records: Mutex<BTreeMap<String, PageRecord>>,
    /// The yearly parts of the units' pages across years (`unit_parts.rs`).
    pub(super) units: Store,
}

impl Keeping {
    /// `previous`: the pages the build that left the output recorded;
    /// `unit_parts`: the parts of the units' pages it recorded
    /// ([`Keeping::unit_parts`]) for the years whose key is unchanged since.
    pub fn new(
        site: String,
        previous: BTreeMap<String, PageRecord>,
        unit_parts: &BTreeMap<u16, String>,
    ) -> Keeping {
        Keeping {
            site,
            previous,
            kept: Mutex::new(Vec::new()),
            records: Mutex::new(BTreeMap::new()),
            units: Store::new(unit_parts),
        }
    }

    /// For each year, the part of every one of the `units` in the pages
    /// across years (`unit_parts.rs`), as the stamp keeps it under the
    /// year's key; a year some unit's page has no part of is left out.
    pub fn unit_parts(&self, units: usize) -> BTreeMap<u16, String> {
        self.units.recorded(units)
    }

    /// The files of the pages kept, to take from the previous output, each
    /// with its ids (a page's own, none for its charts).
    pub fn kept_files(&self) -> Vec<(String, Vec<String>)> {
        let mut files = lock(&self.kept).clone();
        files.sort();
        files
    }

    /// Every page rendered (with the ids `ids_of` found in it) or kept, and
    /// the previous records `carry` says are still in the output (the pages
    /// of years kept whole).
    pub fn records(
        self,
        carry: impl Fn(&str) -> bool,
        ids_of: impl Fn(&str) -> Option<Vec<String>>,
    ) -> BTreeMap<String, PageRecord> {
        let mut records = self
            .records
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner);
        for (path, record) in &mut records {
            if let Some(ids) = ids_of(path) {
                record.ids = ids;
            }
        }
        for (path, record) in self.previous {
            if carry(&path) {
                records.entry(path).or_insert(record);
            }
        }
        records
    }

    /// Whether the page at `path` is what the previous build wrote: the
    /// same digest over the fields of `year` its last render read. If so
    /// its files are kept and it needs no render.
    pub(super) fn keep(
        &self,
        path: &str,
        template: &str,
        parts: &PartsDigest,
        year: &YearFields,
    ) -> bool {
        let Some(previous) = self.previous.get(path) else {
            return false;
        };
        if self.digest(template, parts, year, &previous.reads).as_ref() != Some(&previous.digest) {
            return false;
        }
        lock(&self.kept).extend(previous.files.iter().map(|file| {
            let ids = if file == path {
                previous.ids.clone()
            } else {
                Vec::new()
            };
            (file.clone(), ids)
        }));
        lock(&self.records).insert(path.to_string(), previous.clone());
        true
    }

    /// Note the page just rendered to `files` (its own path among them),
    /// having read `reads` of the year.
    pub(super) fn record(
        &self,
        path: &str,
        template: &str,
        parts: &PartsDigest,
        year: &YearFields,
        reads: &Mutex<BTreeSet<String>>,
        files: Vec<String>,
    ) {
        let reads: Vec<String> = lock(reads).iter().cloned().collect();
        if let Some(digest) = self.digest(template, parts, year, &reads) {
            let record = PageRecord {
                digest,
                reads,
                files,
                ids: Vec::new(),
            };
            lock(&self.records).insert(path.to_string(), record);
        }
    }

    /// None when a value cannot be serialized: the page is rendered.
    fn digest(
        &self,
        template: &str,
        parts: &PartsDigest,
        year: &YearFields,
        reads: &[String],
    ) -> Option<String> {
        let mut hasher = Sha256::new();
        hasher.update(self.site.as_bytes());
        hasher.update([0]);
        hasher.update(template.as_bytes());
        hasher.update([0]);
        hasher.update(year.shared()?);
        hasher.update(parts.0?);
        for read in reads {
            hasher.update(read.as_bytes());
            hasher.update([0]);
            hasher.update(year.field(read)?);
        }
        Some(hex(&hasher.finalize()))
    }
}

/// A year's view as its pages see it: the digest of each of its fields and
/// of the values every page of the year shares (site, navigation), each
/// computed once, when a page first asks.
pub(super) struct YearFields {
    year: Value,
    shared: Vec<Value>,
    digests: OnceLock<Digests>,
}

#[derive(Default)]
struct Digests {
    /// None for a field that does not serialize (nothing is kept).
    fields: BTreeMap<String, Option<[u8; 32]>>,
    shared: Option<[u8; 32]>,
}

/// The digest of `value` as JSON; none when it does not serialize.
pub(super) fn digest_of<T: Serialize + ?Sized>(value: &T) -> Option<[u8; 32]> {
    let mut hasher = Sha256::new();
    hash_json(&mut hasher, value).then(|| hasher.finalize().into())
}

impl YearFields {
    /// `shared`: the site and navigation values of the year's pages.
    pub(super) fn new(year: Value, shared: Vec<Value>) -> YearFields {
        YearFields {
            year,
            shared,
            digests: OnceLock::new(),
        }
    }

    fn digests(&self) -> &Digests {
        self.digests.get_or_init(|| {
            let mut fields = BTreeMap::new();
            if let Ok(keys) = self.year.try_iter() {
                for key in keys {
                    let value = self.year.get_item(&key).ok();
                    let name = key.to_string();
                    fields.insert(name, value.as_ref().and_then(digest_of));
                }
            }
            let len = self.year.get_attr(UNITS).ok().and_then(|u| u.len());
            let len = len.map(|n| Sha256::digest(n.to_le_bytes()).into());
            fields.insert(UNITS_LEN.to_string(), len);
            let mut shared = Sha256::new();
            let mut whole = true;
            for value in &self.shared {
                whole &= hash_json(&mut shared, value);
            }
            Digests {
                fields,
                shared: whole.then(|| shared.finalize().into()),
            }
        })
    }

    fn shared(&self) -> Option<[u8; 32]> {
        self.digests().shared
    }

    /// A field that the view does not have reads as undefined, the same
    /// in every build: it gets a fixed digest.
    fn field(&self, name: &str) -> Option<[u8; 32]> {
        match self.digests().fields.get(name) {
            Some(digest) => *digest,
            None => Some([0; 32]),
        }
    }

    /// The year as a template value that notes in `reads` what is read.
    pub(super) fn tracked(&self, reads: &Arc<Mutex<BTreeSet<String>>>) -> Value {
        Value::from_object(Tracked {
            year: self.year.clone(),
            reads: Arc::clone(reads),
        })
    }
}

/// The year's view, noting each field read.
#[derive(Debug)]
struct Tracked {
    year: Value,
    reads: Arc<Mutex<BTreeSet<String>>>,
}

/// Note that the render read `name` (once: most reads repeat).
fn note_read(reads: &Mutex<BTreeSet<String>>, name: &str) {
    let mut reads = lock(reads);
    if !reads.contains(name) {
        reads.insert(name.to_string());
    }
}

impl Tracked {
    fn read(&self, name: &str) {
        note_read(&self.reads, name);
    }
}

impl Object for Tracked {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Map
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let name = key.as_str()?;
        let value = self.year.get_attr(name).ok().filter(|v| !v.is_undefined());
        if name == UNITS {
            return value.map(|units| {
                Value::from_object(Units {
                    units,
                    reads: Arc::clone(&self.reads),
                })
            });
        }
        self.read(name);
        value
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        let keys: Vec<Value> = self
            .year
            .try_iter()
            .map(Iterator::collect)
            .unwrap_or_default();
        for key in &keys {
            self.read(&key.to_string());
        }
        Enumerator::Values(keys)
    }
}

/// The year's list of units: its length alone, or its rows.
#[derive(Debug)]
struct Units {
    units: Value,
    reads: Arc<Mutex<BTreeSet<String>>>,
}

impl Units {
    fn read(&self, name: &str) {
        note_read(&self.reads, name);
    }
}

impl Object for Units {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Seq
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        self.read(UNITS);
        self.units.get_item(key).ok().filter(|v| !v.is_undefined())
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        self.read(UNITS);
        Enumerator::Seq(self.units.len().unwrap_or(0))
    }

    fn enumerator_len(self: &Arc<Self>) -> Option<usize> {
        self.read(UNITS_LEN);
        self.units.len()
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_hash_each_json_text_in_order_as_it_streams() {
        let first = ("长春市", 93.45, Some(2u16));
        let second = vec!["a".to_string(), String::new()];
        let digest = Parts::new().with(&first).with(&second).digest().0;
        let mut expected = Sha256::new();
        for json in [
            serde_json::to_vec(&first).unwrap(),
            serde_json::to_vec(&second).unwrap(),
        ] {
            expected.update(json);
            expected.update([0]);
        }
        assert_eq!(digest, Some(expected.finalize().into()));
        let swapped = Parts::new().with(&second).with(&first).digest().0;
        assert_ne!(digest, swapped, "the order of the parts counts");
        let changed = Parts::new()
            .with(&("长春市", 93.46, Some(2u16)))
            .with(&second);
        assert_ne!(digest, changed.digest().0, "a changed value changes it");
    }

    #[test]
    fn a_part_that_does_not_serialize_leaves_nothing_to_keep() {
        // JSON has no map keys that are pairs.
        let part: BTreeMap<(u8, u8), u8> = BTreeMap::from([((1, 2), 3)]);
        assert_eq!(Parts::new().with(&1).with(&part).with(&2).digest().0, None);
        let keeping = Keeping::new("site".into(), BTreeMap::new(), &BTreeMap::new());
        let year = YearFields::new(Value::UNDEFINED, Vec::new());
        let parts = Parts::new().with(&part).digest();
        assert_eq!(keeping.digest("t.html", &parts, &year, &[]), None);
    }
}
