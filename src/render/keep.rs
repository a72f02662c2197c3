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
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use minijinja::value::{Enumerator, Object, ObjectRepr, Value};
use sha2::{Digest, Sha256};

use crate::digest::hex;
use crate::stamp::PageRecord;

/// The field of the year's view read through its length only.
const UNITS: &str = "units";
const UNITS_LEN: &str = "units.len";

/// The pages a build may keep, and what it records for the next one.
pub struct Keeping {
    /// The digest of the site-level input, the options and the binary.
    site: String,
    previous: BTreeMap<String, PageRecord>,
    kept: Mutex<Vec<(String, Vec<String>)>>,
    records: Mutex<BTreeMap<String, PageRecord>>,
}

impl Keeping {
    /// `previous`: the pages the build that left the output recorded.
    pub fn new(site: String, previous: BTreeMap<String, PageRecord>) -> Keeping {
        Keeping {
            site,
            previous,
            kept: Mutex::new(Vec::new()),
            records: Mutex::new(BTreeMap::new()),
        }
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
        parts: &[&Value],
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
        parts: &[&Value],
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
        parts: &[&Value],
        year: &YearFields,
        reads: &[String],
    ) -> Option<String> {
        let mut hasher = Sha256::new();
        hasher.update(self.site.as_bytes());
        hasher.update([0]);
        hasher.update(template.as_bytes());
        hasher.update([0]);
        hasher.update(year.shared()?);
        for part in parts {
            hasher.update(serde_json::to_vec(part).ok()?);
            hasher.update([0]);
        }
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

fn digest_of(value: &Value) -> Option<[u8; 32]> {
    serde_json::to_vec(value)
        .ok()
        .map(|json| Sha256::digest(json).into())
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
                match serde_json::to_vec(value) {
                    Ok(json) => shared.update(json),
                    Err(_) => whole = false,
                }
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
